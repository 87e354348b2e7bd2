from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "danvan.contests"
    label = "contests"
    verbose_name = "Cuộc thi trực tuyến"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from danvan.contests import jobs  # noqa: F401  (registers job handlers)
        from danvan.contests.models import Category, Choice, Contest, Prize, Question, Round

        for model in (Contest, Round, Category, Question, Choice, Prize):
            if not auditlog.contains(model):
                auditlog.register(model)
