"""The export of a review report, a background job (`core.jobs`): the figures
of every registered section (`core.review`) counted for the report's unit and
period, the Word document and the Excel annex written to `default_storage`."""

from __future__ import annotations

from datetime import date
from time import perf_counter
from typing import Any

from django.core.files.base import ContentFile
from django.urls import reverse

from danvan.core.excel import filenames
from danvan.core.jobs import JobFailed, Progress, job_handler
from danvan.core.models import Job
from danvan.core.review import Result, ReviewSection, compute_sections, number
from danvan.core.scope import MANAGE, VIEW, can
from danvan.reports.models import Draft, Export, ReviewReport
from danvan.reports.render import build_annex, build_document


def render_report(
    report: ReviewReport,
    draft: Draft | None,
    progress: Progress | None = None,
    *,
    as_of: date | None = None,
) -> tuple[bytes, bytes, list[tuple[ReviewSection, Result]]]:
    """(the .docx, the .xlsx, the sections' results) of the report as it is now;
    with `as_of` (a period not ended), counted to that day and marked a draft."""
    period = report.period
    end = min(period.end, as_of) if as_of else period.end
    results = compute_sections(report.area, period.start, end, progress)
    if progress is not None:
        progress(len(results), len(results) + 1, "Đang tạo tệp Word và phụ lục Excel")
    return (
        build_document(report, draft, results, as_of=as_of),
        build_annex(report, results, as_of=as_of),
        results,
    )


def file_stem(report: ReviewReport, *, provisional: bool = False) -> str:
    stem = f"Báo cáo {report.kind_label.lower()} {report.period.name}"
    return f"{stem} (dự thảo)" if provisional else stem


def _report_link(job: Job, user: Any) -> tuple[str, str] | None:
    export = Export.objects.filter(pk=job.params.get("export")).select_related("report").first()
    if export is None or not can(user, VIEW, export.report):
        return None
    return ("Báo cáo " + export.report.period.name, export.report.get_absolute_url())


@job_handler("review_report", about=_report_link, again=_report_link)
def review_report_job(job: Job, progress: Progress) -> dict[str, Any]:
    export = (
        Export.objects.filter(pk=job.params.get("export"))
        .select_related("report__organization__area", "report__period", "draft")
        .first()
    )
    if export is None:
        raise JobFailed("Báo cáo đã bị xóa.")
    report = export.report
    if not can(job.created_by, MANAGE, report):
        raise JobFailed("Người xuất không còn quyền với báo cáo này.")
    started = perf_counter()
    document, annex, _results = render_report(
        report, export.draft, progress, as_of=export.counted_to
    )
    stem = filenames(file_stem(report, provisional=export.provisional), "docx")[0]
    stem = stem.removesuffix(".docx")
    export.document.save(f"{stem}.docx", ContentFile(document), save=False)
    export.annex.save(f"{stem}-phu-luc.xlsx", ContentFile(annex), save=False)
    export.seconds = round(perf_counter() - started, 3)
    export.save(update_fields=["document", "annex", "seconds"])
    return {
        "message": f"Đã tạo báo cáo và phụ lục trong {number(round(export.seconds, 1))} giây.",
        "download_url": reverse("reports_staff:export_docx", args=[report.pk, export.pk]),
    }
