from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import MenuItem, register_demo, register_staff_menu

if TYPE_CHECKING:
    from danvan.core.demo import Writer


def load_demo(stdout: Writer | None) -> list[str]:
    """The seed plan with its tasks, reports, coordination plans and targets."""
    from danvan.plans.demo import load_plans_demo

    plan = load_plans_demo(stdout=stdout)
    return [f"Kế hoạch mẫu ({plan.number}): http://127.0.0.1:8000{plan.get_absolute_url()}"]


class PlansConfig(AppConfig):
    name = "danvan.plans"
    label = "plans"
    verbose_name = "Thực hiện kế hoạch"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from danvan.core.audit import register_visibility, scoped, through
        from danvan.core.crypto import register_encrypted_field
        from danvan.core.indicators import register_indicator, register_returns

        # A worker process never loads the URLconf: the job handler is imported here.
        from danvan.plans import imports  # noqa: F401
        from danvan.plans.indicators import (
            COMMUNICATORS,
            COORDINATION,
            MEMBERS_BRIEFED,
            TRAINED_GRASSROOTS,
            TRAINED_PUBLIC_FACING,
            returns_under,
        )
        from danvan.plans.models import (
            AggregateReturn,
            Attendance,
            Attendee,
            Briefing,
            Communicator,
            Completion,
            CoordinationPlan,
            Course,
            Dispatch,
            Material,
            MaterialFile,
            Official,
            Plan,
            Report,
            ReportFile,
            Target,
            Task,
        )

        register_staff_menu(MenuItem("plans", "Thực hiện kế hoạch", "plans_staff:plan_list"))
        register_demo("plans", load_demo)
        from danvan.core.review import register_review_section
        from danvan.plans.review import TARGETS_TITLE, WORK_TITLE, targets_review, work_review

        register_review_section("plans_work", WORK_TITLE, 10, work_review)
        register_review_section("plans_targets", TARGETS_TITLE, 90, targets_review)
        register_indicator(COORDINATION)
        register_indicator(MEMBERS_BRIEFED)
        register_indicator(COMMUNICATORS)
        register_indicator(TRAINED_GRASSROOTS)
        register_indicator(TRAINED_PUBLIC_FACING)
        register_returns(returns_under)
        from danvan.core.indicators import FIGURES

        FIGURES.on_change_of(
            Plan,  # its dates narrow what counts (training); the dashboard keeps its cards
            Target,  # under this version too
            CoordinationPlan,
            Briefing,
            Attendance,
            Communicator,
            Official,
            Course,
            Completion,
            AggregateReturn,
        )
        from django.db.models.signals import m2m_changed

        from danvan.plans.models.plans import READERS

        READERS.on_change_of(Plan, Task)

        def partners_changed(**kwargs: object) -> None:
            READERS.changed()

        m2m_changed.connect(
            partners_changed, sender=Task.partners.through, weak=False,
            dispatch_uid="plans:readers:partners",
        )  # fmt: skip
        register_encrypted_field(Communicator, "phone_encrypted")  # rotate_field_key
        register_encrypted_field(Attendee, "phone_encrypted")
        for model in (
            Plan, Task, Report, ReportFile, CoordinationPlan, Target, Briefing, Attendance,
            Official, Course, Completion, AggregateReturn, Material, MaterialFile, Dispatch,
        ):  # fmt: skip
            if not auditlog.contains(model):
                auditlog.register(model)
        if not auditlog.contains(Communicator):  # the phone's ciphertext is not a change to show
            auditlog.register(Communicator, exclude_fields=["phone_encrypted", "full_name_folded"])
        if not auditlog.contains(Attendee):  # who came stays out of the append-only log
            auditlog.register(
                Attendee,
                exclude_fields=["full_name", "full_name_folded", "ethnicity", "phone_encrypted"],
            )
        register_visibility(Plan, scoped(Plan))
        register_visibility(Task, scoped(Task))
        register_visibility(Report, through(Report, "task", scoped(Task)))
        register_visibility(CoordinationPlan, scoped(CoordinationPlan))
        register_visibility(Target, through(Target, "plan", scoped(Plan)))
        register_visibility(Briefing, scoped(Briefing))
        register_visibility(Communicator, scoped(Communicator))
        register_visibility(Official, scoped(Official))
        register_visibility(AggregateReturn, scoped(AggregateReturn))
        register_visibility(Material, scoped(Material))
        register_visibility(MaterialFile, through(MaterialFile, "material", scoped(Material)))
        register_visibility(Dispatch, through(Dispatch, "material", scoped(Material)))
        register_visibility(Course, scoped(Course))
        register_visibility(Completion, through(Completion, "course", scoped(Course)))
        register_visibility(Attendance, through(Attendance, "briefing", scoped(Briefing)))
        register_visibility(Attendee, through(Attendee, "briefing", scoped(Briefing)))
        register_visibility(
            ReportFile, through(ReportFile, "report", through(Report, "task", scoped(Task)))
        )
