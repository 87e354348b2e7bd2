"""Staff pages of background jobs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from danvan.core.jobs import fail_stale_jobs
from danvan.core.listing import StaffRequest, paginate
from danvan.core.models import Job, JobStatus
from danvan.core.scope import get_visible_or_404

# --- Jobs -----------------------------------------------------------------------------------


@require_safe
@login_required
def job_list(request: StaffRequest) -> HttpResponse:
    fail_stale_jobs()
    page, querystring = paginate(request, Job.objects.visible_to(request.user))
    return render(
        request,
        "staff/job_list.html",
        {"nav": "jobs", "page_obj": page, "querystring": querystring},
    )


@require_safe
@login_required
def job_detail(request: StaffRequest, pk: int) -> HttpResponse:
    fail_stale_jobs()
    job: Job = get_visible_or_404(Job.objects, request.user, pk=pk)
    download_url = job.result.get("download_url", "") if isinstance(job.result, dict) else ""
    return render(
        request,
        "staff/job_detail.html",
        {
            "nav": "jobs",
            "job": job,
            "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
            "download_url": download_url,
        },
    )
