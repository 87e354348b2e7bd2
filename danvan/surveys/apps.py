from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import HomeSection, MenuItem, open_now_cards, register_app_parts

if TYPE_CHECKING:
    from danvan.core.demo import Writer


# The surveys open now, for the public home page.
open_surveys = open_now_cards(
    "surveys.Survey", ("title", "slug", "intro"), "closes_at", lambda s: s.intro[:200]
)


def load_demo(stdout: Writer | None) -> list[str]:
    """The demo surveys and opinion reports (manage.py load_demo)."""
    from danvan.surveys.demo import load_survey_demo

    surveys = load_survey_demo(stdout=stdout)
    return [f"Khảo sát mẫu: http://127.0.0.1:8000{s.get_absolute_url()}" for s in surveys]


class SurveysConfig(AppConfig):
    name = "danvan.surveys"
    label = "surveys"
    verbose_name = "Khảo sát và dư luận xã hội"

    def ready(self) -> None:
        from danvan.core.review import ReviewSection
        from danvan.surveys.review import TITLE, surveys_review

        # What the app adds to the platform's pages (danvan.core.registry).
        register_app_parts(
            "surveys",
            staff_menu=[
                MenuItem("surveys", "Khảo sát", "surveys_staff:survey_list"),
                MenuItem("opinion", "Dư luận xã hội", "opinion:report_list"),
            ],
            demo=load_demo,
            home_sections=[
                HomeSection(
                    anchor="khao-sat",
                    title="Khảo sát ý kiến Nhân dân",
                    lead="Ý kiến của bà con giúp chính quyền và các đoàn thể làm tốt hơn. Chỉ "
                    "mất vài phút.",
                    empty="Chưa có khảo sát nào đang mở. Hãy quay lại sau.",
                    cards=open_surveys,
                    menu="Khảo sát",
                    button="Góp ý qua khảo sát",
                )
            ],
            review_sections=[ReviewSection("surveys", TITLE, 30, surveys_review)],
        )

        from django.db.models.signals import post_save, pre_save

        from danvan.core.changes import on_rows_changed
        from danvan.core.models import Area
        from danvan.surveys import services
        from danvan.surveys.models import FollowUp, OpinionReport, Question, Section, Survey

        # A unit changed here is seen at once by this process's unit answers
        # (other processes: within services._UNIT_IDS's minute).
        on_rows_changed(services.forget_units, Area, uid="surveys-forget-units")
        # A survey saved here (published, closed, dates moved) is seen at once by
        # this process's respondent pages (other processes: within SURVEY_TTL).
        on_rows_changed(services.forget_surveys, Survey, uid="surveys-forget-surveys")

        # The consent wording of identified surveys, kept per version (respondents.py).

        from danvan.surveys import respondents

        pre_save.connect(
            respondents.on_survey_pre_save, sender=Survey, dispatch_uid="surveys-consent-check"
        )
        post_save.connect(
            respondents.on_survey_post_save, sender=Survey, dispatch_uid="surveys-consent-keep"
        )

        from danvan.core.audit import register_audited_models, scoped, through
        from danvan.core.audit_display import register_value_display
        from danvan.surveys import opinion
        from danvan.surveys.audit_values import options_text, show_if_text

        # Staff-managed records only: responses and answers are never audited
        # (an audit entry would tie an anonymous answer to a time and address).
        # Audit values: for those who may see the record now (core/audit.py). A
        # draft opinion report is its author's alone, even once deleted.
        register_audited_models(
            {
                Survey: scoped(Survey),
                Section: through(Section, "survey", scoped(Survey)),
                Question: through(Question, "survey", scoped(Survey)),
                OpinionReport: opinion.visible_reports,
                FollowUp: through(FollowUp, "scope_area", scoped(Area)),
            },
            hide_deleted=[OpinionReport],
        )
        register_value_display(Question, "options", options_text)
        register_value_display(Question, "show_if", show_if_text)
