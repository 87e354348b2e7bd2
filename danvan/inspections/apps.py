from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import MenuItem, register_demo, register_staff_menu

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
        from danvan.core.audit import register_audited, register_visibility, through
        from danvan.inspections.models import Inspection, Programme, Recommendation

        register_staff_menu(
            MenuItem("inspections", "Kiểm tra, giám sát", "inspections_staff:programme_list")
        )
        register_demo("inspections", load_demo)
        register_audited(Programme, Inspection, Recommendation)
        register_visibility(Programme, lambda user: Programme.objects.visible_to(user))
        register_visibility(Inspection, lambda user: Inspection.objects.visible_to(user))
        register_visibility(
            Recommendation, through(Recommendation, "inspection", Inspection.objects.visible_to)
        )
        from danvan.core.review import register_review_section
        from danvan.inspections.review import TITLE, inspections_review

        register_review_section("inspections", TITLE, 70, inspections_review)
