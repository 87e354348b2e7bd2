"""Who raised a petition is kept while it is handled, then erased: once a
petition has been closed or returned for PETITION_RAISER_RETENTION_DAYS, its
raiser's name and phone are erased (`erase_expired`, run daily by
`manage.py erase_expired_petitioners`). The petition, its answer and its
statistics stay. Idempotent."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from danvan.core.retention import ErasureReport
from danvan.outreach.models import Petition, PetitionStatus

BATCH_SIZE = 500


def retention_days() -> int:
    return int(getattr(settings, "PETITION_RAISER_RETENTION_DAYS", 365))


def _expired(now: datetime) -> Any:
    cutoff = now - timedelta(days=retention_days())
    return (
        Petition.objects.filter(status__in=(PetitionStatus.CLOSED, PetitionStatus.RETURNED))
        .exclude(Q(raiser_name="") & Q(raiser_phone_encrypted="") & Q(raiser_phone_hash=""))
        .annotate(ended=Max("steps__at"))
        .filter(ended__lt=cutoff)
    )


def erase_expired(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, dry_run: bool = False
) -> ErasureReport:
    now = now or timezone.now()
    report = ErasureReport(
        what="họ tên, số điện thoại",
        whom="người kiến nghị",
        of="nhóm kiến nghị",
        nothing="Không có thông tin người kiến nghị nào hết hạn lưu trữ.",
        dry_run=dry_run,
    )
    item = report.add(0, "Kiến nghị đã kết thúc hoặc trả lại", now - timedelta(retention_days()))
    expired = _expired(now)
    if dry_run:
        item.erased = expired.count()
        return report
    while True:
        with transaction.atomic():
            ids = list(expired.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not ids:
                break
            item.erased += Petition.objects.filter(pk__in=ids).update(
                raiser_name="", raiser_phone_encrypted="", raiser_phone_hash=""
            )
    return report
