from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import MenuItem, register_app_parts

if TYPE_CHECKING:
    from danvan.core.demo import Writer


def load_demo(stdout: Writer | None) -> list[str]:
    from danvan.inspections.demo import load_inspections_demo

    load_inspections_demo(stdout=stdout)
    return ["Kiểm tra, giám sát mẫu: http://127.0.0.1:8000/quan-ly/kiem-tra/"]


class InspectionsConfig(AppConfig):
    name = "danvan.inspections"
    label = "inspections"
    verbose_name = "Kiểm tra, giám sát"

    def ready(self) -> None:
        from danvan.core.audit import register_audited_models, through
        from danvan.core.review import ReviewSection
        from danvan.inspections.models import Inspection, Programme, Recommendation
        from danvan.inspections.review import TITLE, inspections_review

        register_app_parts(
            "inspections",
            staff_menu=[
                MenuItem("inspections", "Kiểm tra, giám sát", "inspections_staff:programme_list")
            ],
            demo=load_demo,
            review_sections=[ReviewSection("inspections", TITLE, 70, inspections_review)],
        )
        register_audited_models(
            {
                Programme: lambda user: Programme.objects.visible_to(user),
                Inspection: lambda user: Inspection.objects.visible_to(user),
                Recommendation: through(
                    Recommendation, "inspection", Inspection.objects.visible_to
                ),
            }
        )
