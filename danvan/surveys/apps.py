from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "danvan.surveys"
    label = "surveys"
    verbose_name = "Khảo sát và dư luận xã hội"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from danvan.surveys.models import FollowUp, OpinionReport, Question, Section, Survey

        # Staff-managed records only: responses and answers are never audited
        # (an audit entry would tie an anonymous answer to a time and address).
        for model in (Survey, Section, Question, OpinionReport, FollowUp):
            if not auditlog.contains(model):
                auditlog.register(model)
