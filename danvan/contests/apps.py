from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import HomeSection, MenuItem, open_now_cards, register_app_parts

if TYPE_CHECKING:
    from danvan.core.demo import Writer


# The contests open now, for the public home page.
open_contests = open_now_cards(
    "contests.Contest", ("title", "slug", "summary"), "ends_at", lambda c: c.summary
)


def load_demo(stdout: Writer | None) -> list[str]:
    """The demo contest over the demo district (manage.py load_demo)."""
    from danvan.contests.demo import load_contest_demo

    contest = load_contest_demo(stdout=stdout)
    return [f"Cuộc thi mẫu: http://127.0.0.1:8000{contest.get_absolute_url()}"]


class ContestsConfig(AppConfig):
    name = "danvan.contests"
    label = "contests"
    verbose_name = "Cuộc thi trực tuyến"

    def ready(self) -> None:
        from danvan.contests.review import TITLE, contests_review
        from danvan.core.review import ReviewSection

        # What the app adds to the platform's pages (danvan.core.registry).
        register_app_parts(
            "contests",
            staff_menu=[MenuItem("contests", "Cuộc thi", "contests_staff:contest_list")],
            demo=load_demo,
            home_sections=[
                HomeSection(
                    anchor="cuoc-thi",
                    title="Cuộc thi trực tuyến",
                    lead="Tìm hiểu chủ trương, chính sách qua các câu hỏi ngắn, làm ngay trên "
                    "điện thoại.",
                    empty="Chưa có cuộc thi nào đang mở. Hãy quay lại sau.",
                    cards=open_contests,
                    menu="Cuộc thi",
                    button="Tham gia cuộc thi",
                )
            ],
            review_sections=[ReviewSection("contests", TITLE, 20, contests_review)],
        )

        # Modules that register background job handlers: a worker process never
        # loads the URLconf, so they are imported here.
        from danvan.contests import bank_io, exports, jobs, retention  # noqa: F401
        from danvan.contests.models import (
            Category,
            Choice,
            Contest,
            Participant,
            Prize,
            Question,
            Round,
        )
        from danvan.core.audit import register_audited_models, scoped, through
        from danvan.core.crypto import register_encrypted_field

        # Audit values: for those who may see the contest now (core/audit.py).
        contests = scoped(Contest)
        register_audited_models(
            {
                Contest: contests,
                Round: through(Round, "contest", contests),
                Category: through(Category, "contest", contests),
                Question: through(Question, "contest", contests),
                Choice: through(Choice, "question__contest", contests),
                Prize: through(Prize, "contest", contests),
            }
        )
        register_encrypted_field(Participant, "cccd_encrypted")  # rotate_field_key

        from danvan.core.changes import on_rows_changed

        def forget_rounds() -> None:
            from danvan.contests.public_helpers import ROUNDS
            from danvan.contests.services import ROUNDS_BY_ID

            ROUNDS.clear()
            ROUNDS_BY_ID.clear()

        on_rows_changed(forget_rounds, Contest, Round, uid="forget-rounds", deletes=False)
