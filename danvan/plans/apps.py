from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import MenuItem, register_app_parts

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
        from danvan.core.audit import register_audited_models, scoped, through
        from danvan.core.crypto import register_encrypted_field
        from danvan.core.indicators import register_indicator, register_returns
        from danvan.core.review import ReviewSection

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
        from danvan.plans.review import TARGETS_TITLE, WORK_TITLE, targets_review, work_review

        register_app_parts(
            "plans",
            staff_menu=[MenuItem("plans", "Thực hiện kế hoạch", "plans_staff:plan_list")],
            demo=load_demo,
            review_sections=[
                ReviewSection("plans_work", WORK_TITLE, 10, work_review),
                ReviewSection("plans_targets", TARGETS_TITLE, 90, targets_review),
            ],
        )
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
        reports = through(Report, "task", scoped(Task))
        register_audited_models(
            {
                Plan: scoped(Plan),
                Task: scoped(Task),
                Report: reports,
                ReportFile: through(ReportFile, "report", reports),
                CoordinationPlan: scoped(CoordinationPlan),
                Target: through(Target, "plan", scoped(Plan)),
                Briefing: scoped(Briefing),
                Attendance: through(Attendance, "briefing", scoped(Briefing)),
                Attendee: through(Attendee, "briefing", scoped(Briefing)),
                Communicator: scoped(Communicator),
                Official: scoped(Official),
                Course: scoped(Course),
                Completion: through(Completion, "course", scoped(Course)),
                AggregateReturn: scoped(AggregateReturn),
                Material: scoped(Material),
                MaterialFile: through(MaterialFile, "material", scoped(Material)),
                Dispatch: through(Dispatch, "material", scoped(Material)),
            },
            exclude_fields={
                # the phone's ciphertext is not a change to show
                Communicator: ["phone_encrypted", "full_name_folded"],
                # who came stays out of the append-only log
                Attendee: ["full_name", "full_name_folded", "ethnicity", "phone_encrypted"],
            },
        )
