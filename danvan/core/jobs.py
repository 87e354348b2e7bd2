"""Background jobs: one mechanism for imports, exports, round closing, reports.

A `Job` row records who started what, its progress and its outcome; the work
itself runs through django-tasks (the database backend and `manage.py
db_worker` in the embedded default; any django-tasks backend in production).
Handlers report progress with `progress(done, total, message)`, and raise
`JobFailed` with a list of errors to fail with a reason.

A kind says where its job page leads once the job has ended, so that nobody
lands in a dead end: `about` (the object the job was about: a label and a URL,
e.g. the round being closed) and `again` (where to start it afresh, e.g. the
import form, to send a corrected file)::

    @job_handler("import_questions", about=bank_of_job, again=import_form_of_job)
    def import_questions_job(job, progress): ...

An import reads every row first and writes none unless all are right
(`checked_rows`); `page_link` and `import_again` are its usual links, and
`input_bytes` the uploaded file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from auditlog.context import set_actor
from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from danvan.core.crypto import DecryptionError
from danvan.core.models import Job, JobStatus

logger = logging.getLogger(__name__)


class Progress(Protocol):
    def __call__(self, done: int, total: int, message: str = "") -> None: ...


Handler = Callable[[Job, Progress], dict[str, Any]]
Link = Callable[[Job, Any], "tuple[str, str] | None"]
"""(job, the user who reads its page) -> (label, URL), or None where that user may
not open it (a link never ends in a 404)."""
HANDLERS: dict[str, Handler] = {}
R = TypeVar("R")


@dataclass(frozen=True)
class JobLinks:
    about: Link | None = None
    """(label, URL) of the object the job was about, or None when it is gone."""
    again: Link | None = None
    """(label, URL) of the page that starts such a job afresh."""


LINKS: dict[str, JobLinks] = {}


def links_of(job: Job, user: Any) -> dict[str, tuple[str, str] | None]:
    """The job page's ways on for `user`: `about` and `again`, each (label, URL) or None."""
    kind = LINKS.get(job.kind, JobLinks())
    return {
        "about": kind.about(job, user) if kind.about else None,
        "again": kind.again(job, user) if kind.again else None,
    }


class JobFailed(Exception):
    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


def page_link(label: str, page: str, verb: str | None = None) -> Link:
    """A link to the page `page` (a URL name without arguments), labelled
    `label`; with `verb`, only for those whose scope allows it (an import form
    is shown to those who may import)."""

    def link(job: Job, user: Any) -> tuple[str, str] | None:
        from django.urls import reverse

        from danvan.core.scope import get_scope

        if verb is not None and not get_scope(user).allows(verb):
            return None
        return label, reverse(page)

    return link


def import_again(page: str, verb: str) -> Link:
    """The `again` of an import: its form `page`, for those whose scope allows `verb`."""
    return page_link("Nhập lại từ file khác", page, verb)


def input_bytes(job: Job) -> bytes:
    """The file the job was started with."""
    with job.input_file.open("rb") as fh:
        return bytes(fh.read())


def checked_rows(rows: list[R], errors: list[str], nothing: str) -> list[R]:
    """The rows an import read, all or none: with any error (one a row: "Dòng
    3: ...") the job fails listing them, and with no row it fails saying
    `nothing` ("File không có dòng dữ liệu nào.")."""
    if errors:
        raise JobFailed(
            f"Có {len(errors)} dòng lỗi; chưa nhập dòng nào. Sửa các dòng dưới đây rồi nhập lại.",
            errors,
        )
    if not rows:
        raise JobFailed(nothing)
    return rows


def job_handler(
    kind: str, *, about: Link | None = None, again: Link | None = None
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        LINKS[kind] = JobLinks(about, again)
        return fn

    return register


def start_job(
    user: Any,
    kind: str,
    title: str,
    *,
    params: dict[str, Any] | None = None,
    input_file: File[Any] | None = None,
) -> Job:
    """Record a job and queue it once the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, title=title, created_by=user, params=params or {})
    if input_file is not None:
        job.input_file.save(input_file.name or "input", input_file, save=False)
    job.save()
    transaction.on_commit(lambda: run_job_task.enqueue(job.pk))
    return job


def retry_job(job: Job, user: Any) -> Job:
    """A failed job started again by `user`, with the same parameters and file."""
    if job.status != JobStatus.FAILED:
        raise ValueError("only a failed job is retried")
    again = Job(
        kind=job.kind,
        title=job.title,
        created_by=user,
        params=job.params,
        input_file=job.input_file.name if job.input_file else "",
    )
    again.save()
    transaction.on_commit(lambda: run_job_task.enqueue(again.pk))
    return again


@task()
def run_job_task(job_id: int) -> None:
    run_job(job_id)


def run_job(job_id: int) -> None:
    # Claim the job once: a second delivery of the same task does nothing.
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), message="Đang xử lý…"
    )
    if not claimed:
        return
    job = Job.objects.select_related("created_by").get(pk=job_id)

    def progress(done: int, total: int, message: str = "") -> None:
        Job.objects.filter(pk=job_id).update(
            progress_done=done, progress_total=total, message=message[:300]
        )

    handler = HANDLERS[job.kind]
    try:
        with set_actor(job.created_by):
            result = handler(job, progress)
    except (JobFailed, DecryptionError) as exc:
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message=exc.message[:300],
            errors=getattr(exc, "errors", []),
            finished_at=timezone.now(),
        )
        return
    except Exception as exc:
        logger.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED,
            message="Lỗi hệ thống khi xử lý. Quản trị viên đã được ghi nhận lỗi.",
            errors=[f"{type(exc).__name__}: {exc}"[:500]],
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.DONE,
        result=result,
        message=str(result.get("message", "Hoàn thành."))[:300],
        finished_at=timezone.now(),
    )


# A job that has been running this long is taken to have lost its worker (killed,
# machine restarted): nothing would ever finish it. Hamlet imports take seconds.
STALE_AFTER_MINUTES = 60


def stale_after() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "JOB_STALE_MINUTES", STALE_AFTER_MINUTES)))


def fail_stale_jobs(older_than: timedelta | None = None) -> int:
    """Mark failed, with a reason, the jobs still "running" long after they started.
    Returns how many. Called when jobs are listed and by `manage.py fail_stale_jobs`.
    Should the worker come back and finish one after all, its result replaces this."""
    limit = older_than if older_than is not None else stale_after()
    minutes = max(1, round(limit.total_seconds() / 60))
    now = timezone.now()
    return Job.objects.filter(status=JobStatus.RUNNING, started_at__lt=now - limit).update(
        status=JobStatus.FAILED,
        message=(
            f"Công việc bị gián đoạn: sau {minutes} phút vẫn chưa xong, có thể tiến trình "
            "xử lý nền đã dừng giữa chừng. Vui lòng chạy lại công việc này."
        )[:300],
        errors=["Tiến trình xử lý nền không báo kết quả (bị dừng hoặc khởi động lại)."],
        finished_at=now,
    )
