"""Time the review report of a unit for a period, as the export job makes it:
each registered section's figures (`core.review`), then the Word document and
the Excel annex. Reads only: the report is built in memory when no `--report`
is given, nothing is saved.

    uv run --frozen python manage.py review_report_timing --area 92
    uv run --frozen python manage.py review_report_timing --report 3 --repeat 3
"""

from __future__ import annotations

import statistics
from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.core.cache import LocalCache
from danvan.core.models import Area, Organization, OrgKind, Period, PeriodKind
from danvan.core.review import review_sections
from danvan.reports.models import Draft, ReviewReport
from danvan.reports.render import build_annex, build_document
from danvan.reports.services import defaults_for


class Command(BaseCommand):
    help = "Đo thời gian tạo báo cáo sơ kết, tổng kết của một địa bàn (chỉ đọc dữ liệu)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--report", type=int, help="id of a saved report")
        parser.add_argument("--area", help="code of the unit (a body of it issues the report)")
        parser.add_argument("--period", help="name of the period (default: the latest begun)")
        parser.add_argument("--repeat", type=int, default=3)

    def _report(self, options: dict[str, Any]) -> tuple[ReviewReport, Draft | None]:
        if options["report"]:
            report = ReviewReport.objects.select_related("organization__area", "period").get(
                pk=options["report"]
            )
            return report, report.latest_draft()
        if not options["area"]:
            raise CommandError("Give --report or --area.")
        area = Area.objects.filter(code=options["area"], valid_to__isnull=True).first()
        if area is None:
            raise CommandError(f"No unit in force with code {options['area']}.")
        bodies = Organization.objects.filter(area=area, valid_to__isnull=True).order_by("path")
        body = bodies.filter(kind=OrgKind.MOBILISATION_BOARD).first() or bodies.first()
        if body is None:
            raise CommandError(f"No body at {area.name}.")
        periods = Period.objects.all()
        if options["period"]:
            period = periods.filter(name=options["period"]).first()
        else:
            period = (
                periods.filter(kind=PeriodKind.HALF_YEAR, start__lte=timezone.localdate())
                .latest_first()
                .first()
            )
        if period is None:
            raise CommandError("No such period.")
        report = ReviewReport(organization=body, period=period, **defaults_for(body, period))
        narrative = "Nội dung do cán bộ viết, một đoạn mẫu để đo thời gian tạo tệp. " * 8
        draft = Draft(report=report, version=1, results=narrative, shortcomings=narrative)
        return report, draft

    def handle(self, *args: Any, **options: Any) -> None:
        report, draft = self._report(options)
        period = report.period
        self.stdout.write(
            f"{report.organization.name} — {report.area.name}, {period.name} "
            f"({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y}), {connection.vendor}"
        )
        totals = []
        for run in range(1, options["repeat"] + 1):
            reset_queries()
            LocalCache.clear_all()  # every run cold, as in a fresh worker
            started = perf_counter()
            with CaptureQueriesContext(connection) as queries:
                results, laps = [], []
                for section in review_sections():
                    lap = perf_counter()
                    results.append(
                        (section, section.compute(report.area, period.start, period.end))
                    )
                    laps.append(f"{section.key} {perf_counter() - lap:.2f}")
                figures_s = perf_counter() - started
                document = build_document(report, draft, results)
                annex = build_annex(report, results)
            total = perf_counter() - started
            totals.append(total)
            self.stdout.write(
                f"run {run}: {total:.2f} s (figures {figures_s:.2f} s, {len(queries)} queries; "
                f"files {total - figures_s:.2f} s; .docx {len(document):,} B, "
                f".xlsx {len(annex):,} B)\n  sections (s): {', '.join(laps)}"
            )
            if run == 1:
                for section, result in results:
                    self.stdout.write(f"  {section.key}: {result.figures}")
        self.stdout.write(
            f"median {statistics.median(totals):.2f} s, max {max(totals):.2f} s "
            f"over {len(totals)} runs"
        )
