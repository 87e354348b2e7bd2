from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import MenuItem, register_demo, register_staff_menu

if TYPE_CHECKING:
    from danvan.core.demo import Writer


def load_demo(stdout: Writer | None) -> list[str]:
    """A draft review report of the demo city's mass-mobilisation board."""
    from danvan.reports.demo import load_reports_demo

    report = load_reports_demo(stdout=stdout)
    return [f"Báo cáo sơ kết mẫu: http://127.0.0.1:8000{report.get_absolute_url()}"]


class ReportsConfig(AppConfig):
    name = "danvan.reports"
    label = "reports"
    verbose_name = "Báo cáo sơ kết, tổng kết"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from danvan.core.audit import register_visibility, scoped, through

        # A worker process never loads the URLconf: the job handler is imported here.
        from danvan.reports import jobs  # noqa: F401
        from danvan.reports.models import Draft, ReviewReport

        register_staff_menu(
            MenuItem("reports", "Báo cáo sơ kết, tổng kết", "reports_staff:report_list")
        )
        register_demo("reports", load_demo)
        for model in (ReviewReport, Draft):
            if not auditlog.contains(model):
                auditlog.register(model)
        register_visibility(ReviewReport, scoped(ReviewReport))
        register_visibility(Draft, through(Draft, "report", scoped(ReviewReport)))
