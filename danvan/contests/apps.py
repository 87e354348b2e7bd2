from django.apps import AppConfig


class ContestsConfig(AppConfig):
    name = "danvan.contests"
    label = "contests"
    verbose_name = "Cuộc thi trực tuyến"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # Modules that register background job handlers: a worker process never
        # loads the URLconf, so they are imported here.
        from danvan.contests import bank_io, exports, jobs, retention  # noqa: F401
        from danvan.contests.models import Category, Choice, Contest, Prize, Question, Round

        for model in (Contest, Round, Category, Question, Choice, Prize):
            if not auditlog.contains(model):
                auditlog.register(model)

        from django.db.models.signals import post_save

        def forget_rounds(**_kwargs: object) -> None:
            from danvan.contests.services import ROUNDS_BY_ID
            from danvan.contests.views_public import ROUNDS

            ROUNDS.clear()
            ROUNDS_BY_ID.clear()

        for model in (Contest, Round):
            post_save.connect(forget_rounds, sender=model, dispatch_uid=f"forget-rounds-{model}")
