"""Background jobs of the contests app (closing a round, exports, erasure).

Handlers register with `danvan.core.jobs.job_handler`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections

from danvan.contests.bank import ContestError
from danvan.contests.closing import close_round
from danvan.contests.job_links import round_link
from danvan.contests.models import Contest, Round
from danvan.core.jobs import JobFailed, Progress, job_handler
from danvan.core.models import Job
from danvan.core.scope import MANAGE


@contextmanager
def live_progress(job: Job, progress: Progress) -> Iterator[Progress]:
    """A progress callback whose writes are seen while the work's transaction is
    still open. close_round is one transaction; the job's own `progress` writes
    on the same connection, so its figures would appear only at the end. On
    PostgreSQL they go through a second connection (autocommit) instead. SQLite
    has one writer at a time: there the job's own progress is used, and the
    figures appear when the work commits."""
    if connection.vendor != "postgresql":
        yield progress
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    qn = side.ops.quote_name
    sql = (
        f"UPDATE {qn(Job._meta.db_table)} SET {qn('progress_done')} = %s, "
        f"{qn('progress_total')} = %s, {qn('message')} = %s WHERE {qn('id')} = %s"
    )

    def report(done: int, total: int, message: str = "") -> None:
        with side.cursor() as cursor:
            cursor.execute(sql, [done, total, message[:300], job.pk])

    try:
        yield report
    finally:
        side.close()


@job_handler("close_round", about=round_link("round_id", "contests_staff:round_detail"))
def close_round_job(job: Job, progress: Progress) -> dict[str, Any]:
    """params: {"round_id": ...}. Closes the round and awards its prizes."""
    rnd = Round.objects.select_related("contest").filter(pk=job.params.get("round_id")).first()
    if rnd is None:
        raise JobFailed("Không tìm thấy đợt thi.")
    allowed = Contest.objects.visible_to(job.created_by, MANAGE).filter(pk=rnd.contest_id)
    if not allowed.exists():
        raise JobFailed("Bạn không có quyền tổng hợp kết quả đợt thi này.")
    try:
        with live_progress(job, progress) as report:
            summary = close_round(rnd, progress=report)
    except ContestError as exc:
        raise JobFailed(exc.message) from None
    message = (
        f"Đã tổng hợp kết quả {rnd}: {summary.participants} người dự thi, "
        f"{summary.attempts} lượt thi, {summary.awards + summary.collective_awards} giải."
    )
    progress(summary.ranked, summary.ranked, message)
    return {**summary.as_dict(), "message": message}
