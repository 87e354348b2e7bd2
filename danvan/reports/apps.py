from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

from danvan.core.registry import MenuItem, register_app_parts

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
        from danvan.core.audit import register_audited_models, scoped, through

        # A worker process never loads the URLconf: the job handler is imported here.
        from danvan.reports import jobs  # noqa: F401
        from danvan.reports.models import Draft, ReviewReport

        register_app_parts(
            "reports",
            staff_menu=[
                MenuItem("reports", "Báo cáo sơ kết, tổng kết", "reports_staff:report_list")
            ],
            demo=load_demo,
        )
        register_audited_models(
            {
                ReviewReport: scoped(ReviewReport),
                Draft: through(Draft, "report", scoped(ReviewReport)),
            }
        )
