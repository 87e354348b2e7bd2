"""Staff pages of background jobs."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from openpyxl import Workbook

from danvan.core.excel import add_notes, append_row, workbook_bytes, write_header, xlsx_attachment
from danvan.core.jobs import fail_stale_jobs, links_of, retry_job
from danvan.core.listing import StaffRequest, paginate
from danvan.core.models import Job, JobStatus
from danvan.core.scope import get_visible_or_404
from danvan.core.views_common import staff_page, staff_post

# --- Jobs -----------------------------------------------------------------------------------


@staff_page
def job_list(request: StaffRequest) -> HttpResponse:
    fail_stale_jobs()
    page, querystring = paginate(request, Job.objects.visible_to(request.user))
    return render(
        request,
        "staff/job_list.html",
        {"nav": "jobs", "page_obj": page, "querystring": querystring},
    )


@staff_page
def job_detail(request: StaffRequest, pk: int) -> HttpResponse:
    fail_stale_jobs()
    job: Job = get_visible_or_404(Job.objects, request.user, pk=pk)
    download_url = job.result.get("download_url", "") if isinstance(job.result, dict) else ""
    links = links_of(job, request.user)
    return render(
        request,
        "staff/job_detail.html",
        {
            "nav": "jobs",
            "job": job,
            "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
            "download_url": download_url,
            "can_retry": job.status == JobStatus.FAILED
            and job.created_by_id == request.user.pk
            # A file refused row by row fails the same way again: send a corrected one.
            and not (job.errors and links["again"]),
            **links,
        },
    )


@staff_post
def job_retry(request: StaffRequest, pk: int) -> HttpResponse:
    """A failed job started again, with the same parameters and file, by the
    person who started it (it runs with their rights, checked again by the job)."""
    job: Job = get_visible_or_404(Job.objects, request.user, pk=pk)
    if job.created_by_id != request.user.pk:
        raise Http404
    if job.status != JobStatus.FAILED:
        messages.error(request, "Chỉ chạy lại được công việc bị lỗi.")
        return redirect(job)
    again = retry_job(job, request.user)
    messages.info(request, "Đã chạy lại công việc.")
    return redirect(again)


@staff_page
def job_errors_xlsx(request: StaffRequest, pk: int) -> HttpResponse:
    """The errors of a job as a spreadsheet, to fix the file row by row."""
    job: Job = get_visible_or_404(Job.objects, request.user, pk=pk)
    if not job.errors:
        raise Http404
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Lỗi")
    write_header(ws, [("STT", 6), ("Lỗi cần sửa", 100)])
    for number, error in enumerate(job.errors, start=1):
        append_row(ws, [number, str(error)])
    add_notes(wb, [job.title, f"Trạng thái: {job.get_status_display()}", job.message])
    return xlsx_attachment(workbook_bytes(wb), f"Lỗi — {job.title}")
