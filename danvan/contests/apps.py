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

        from danvan.contests.models import Participant
        from danvan.core.audit import register_visibility, scoped, through
        from danvan.core.crypto import register_encrypted_field

        register_encrypted_field(Participant, "cccd_encrypted")  # rotate_field_key

        # Audit values: for those who may see the contest now (core/audit.py).
        register_visibility(Contest, scoped(Contest))
        for part in (Round, Category, Question, Prize):
            register_visibility(part, through(part, "contest", scoped(Contest)))
        register_visibility(Choice, through(Choice, "question__contest", scoped(Contest)))

        from django.db.models.signals import post_save

        def forget_rounds(**_kwargs: object) -> None:
            from danvan.contests.services import ROUNDS_BY_ID
            from danvan.contests.views_public import ROUNDS

            ROUNDS.clear()
            ROUNDS_BY_ID.clear()

        for model in (Contest, Round):
            post_save.connect(forget_rounds, sender=model, dispatch_uid=f"forget-rounds-{model}")
