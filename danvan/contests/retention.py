"""Retention of participants' personal data.

When a contest's `ends_at + retention_days` has passed, the personal data of its
participants is erased (`participants.erase_participant`: name, phone, CCCD,
birth date replaced; `erased_at` set). Attempts stay, so the statistics do not
change, and so do the published prize names (`Award.published_name`, already
masked when published).

Run daily by the management command `erase_expired_participants` (cron or a
systemd timer); staff may also start it as a background job (`erase_expired`).
Idempotent: a participant already erased is never touched again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from danvan.contests.models import Contest, Participant
from danvan.core.jobs import Progress, job_handler
from danvan.core.models import Job
from danvan.core.retention import ErasureReport
from danvan.core.scope import MANAGE, get_scope

BATCH_SIZE = 500


def _report(dry_run: bool) -> ErasureReport:
    return ErasureReport(
        what="dữ liệu cá nhân",
        whom="người dự thi",
        of="cuộc thi",
        nothing="Không có dữ liệu cá nhân nào hết hạn lưu trữ cần xóa.",
        dry_run=dry_run,
    )


def retention_deadline(contest: Contest) -> datetime:
    return contest.ends_at + timedelta(days=contest.retention_days)


def expired_contests(
    now: datetime | None = None, contests: QuerySet[Contest] | None = None
) -> list[Contest]:
    """Contests whose retention period is over (`ends_at + retention_days <= now`)."""
    now = now or timezone.now()
    qs = contests if contests is not None else Contest.objects.all()
    # Few contests end before now: filter those in the database, the per-contest
    # retention in Python (portable date arithmetic).
    candidates = qs.filter(ends_at__lte=now).order_by("ends_at", "pk")
    return [c for c in candidates if retention_deadline(c) <= now]


def pending(contest: Contest) -> QuerySet[Participant]:
    return Participant.objects.filter(contest_id=contest.pk, erased_at__isnull=True)


def erase_expired(
    *,
    now: datetime | None = None,
    contests: QuerySet[Contest] | None = None,
    batch_size: int = BATCH_SIZE,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ErasureReport:
    """Erase the personal data of every not-yet-erased participant of the
    expired contests (of `contests`, all by default), `batch_size` at a time."""
    from danvan.contests.participants import erase_participant

    now = now or timezone.now()
    report = _report(dry_run)
    expired = expired_contests(now, contests)
    total = sum(pending(c).count() for c in expired) if progress else 0
    done = 0
    for contest in expired:
        item = report.add(contest.pk, contest.title, retention_deadline(contest))
        if dry_run:
            item.erased = pending(contest).count()
            continue
        last = 0  # a cursor on the primary key: each row is visited once
        while True:
            batch = list(pending(contest).filter(pk__gt=last).order_by("pk")[:batch_size])
            if not batch:
                break
            for participant in batch:
                erase_participant(participant, now=now)
                item.erased += 1
            last = batch[-1].pk
            done += len(batch)
            if progress:
                progress(done, total, f"Đã xóa dữ liệu của {done} người dự thi.")
    return report


def _contests_for(user: Any) -> QuerySet[Contest]:
    """A system administrator erases everywhere; others only the contests they manage."""
    if get_scope(user).is_system_admin:
        return Contest.objects.all()
    return Contest.objects.visible_to(user, MANAGE)  # type: ignore[no-any-return]


@job_handler("erase_expired")
def erase_expired_job(job: Job, progress: Progress) -> dict[str, Any]:
    report = erase_expired(contests=_contests_for(job.created_by), progress=progress)
    return {
        "erased": report.total,
        "contests": report.by_object(),
        "message": report.summary(),
    }
