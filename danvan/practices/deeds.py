"""Good people, good deeds: a nomination (public or by staff), then the unit
officer verifies it, asks for more, or rejects it; a verified one is published
and may be commended. Each change in one transaction, under the row's lock;
a refused one is a Vietnamese message and changes nothing.

Public nominations resist spam without third-party services: a honeypot field,
a signed time-to-fill check (`form_stamp`, `check_stamp`), and rate limits per
address and per phone (`LIMITS`; the phone counted by its keyed hash)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from danvan.core import images
from danvan.core.antispam import check_stamp, form_stamp  # noqa: F401  (the form's checks)
from danvan.core.crypto import encrypt, keyed_hash
from danvan.core.locking import lock_in_status
from danvan.core.ratelimit import RateLimits
from danvan.practices.models import DeedStatus, GoodDeed
from danvan.practices.photos import add_photos

LIMITS = RateLimits(
    "practices:rl",
    {"deed_ip": (10, 3600), "deed_phone": (3, 86400)},
    setting="PRACTICES_RATE_LIMITS",
)
PHONE_PURPOSE = b"practices:nominator-phone"


def phone_hash(phone: str) -> str:
    return keyed_hash(PHONE_PURPOSE, phone.encode())


def nominate(
    *,
    nominee_name: str,
    collective: bool,
    area: Any,
    deed: str,
    nominator_name: str,
    nominator_phone: str = "",
    by_staff: Any = None,
    photos: Sequence[images.Checked] = (),
) -> GoodDeed:
    """A nomination with its checked photos, waiting for the unit officer's
    verification (all or none)."""
    with transaction.atomic():
        nomination = GoodDeed.objects.create(
            nominee_name=nominee_name.strip(),
            collective=collective,
            area=area,
            deed=deed.strip(),
            nominator_name=nominator_name.strip(),
            nominator_phone_encrypted=encrypt(nominator_phone) if nominator_phone else "",
            nominator_phone_hash=phone_hash(nominator_phone) if nominator_phone else "",
            by_staff=by_staff,
        )
        add_photos(nomination, photos)
    return nomination


# action -> (from which states, to which state, the message once done)
DEED_MOVES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "verify": ((DeedStatus.PENDING, DeedStatus.MORE), DeedStatus.VERIFIED, "Đã xác minh."),
    "more": ((DeedStatus.PENDING,), DeedStatus.MORE, "Đã ghi yêu cầu bổ sung."),
    "reject": ((DeedStatus.PENDING, DeedStatus.MORE), DeedStatus.REJECTED, "Đã ghi nhận."),
    "publish": ((DeedStatus.VERIFIED,), DeedStatus.PUBLISHED, "Đã công bố."),
}
DEED_LABELS = {
    "verify": "Xác minh",
    "more": "Yêu cầu bổ sung",
    "reject": "Không xác minh được",
    "publish": "Công bố",
}


def move_deed(
    deed: GoodDeed, action: str, *, note: str = "", nominee_consents: bool | None = None
) -> GoodDeed:
    """Verify, ask for more, reject or publish a nomination, checked under its lock."""
    if action not in DEED_MOVES:
        raise ValidationError("Thao tác không hợp lệ.", code="action")
    sources, target, _done = DEED_MOVES[action]
    note = note.strip()
    if action in ("more", "reject") and not note:
        raise ValidationError("Hãy ghi rõ cần bổ sung gì hoặc vì sao.", code="note")
    with transaction.atomic():
        locked = lock_in_status(
            deed, sources, f"Không thể “{DEED_LABELS[action].lower()}”:", name_status=True
        )
        locked.status = target
        if note:
            locked.staff_note = note
        if nominee_consents is not None:
            locked.nominee_consents = nominee_consents
        if target == DeedStatus.PUBLISHED:
            locked.published_at = timezone.now()
        locked.save()
    return locked


def commend(
    deed: GoodDeed, *, commendation: str, decision_number: str, decision_date: Any
) -> GoodDeed:
    """Record the commendation (form, decision, date) of a published good deed."""
    if not commendation.strip() or not decision_number.strip() or decision_date is None:
        raise ValidationError(
            "Khen thưởng cần đủ hình thức, số và ngày quyết định.", code="decision"
        )
    with transaction.atomic():
        locked = lock_in_status(
            deed, [DeedStatus.PUBLISHED], "Chỉ khen thưởng việc tốt đã công bố."
        )
        locked.commendation = commendation.strip()
        locked.decision_number = decision_number.strip()
        locked.decision_date = decision_date
        locked.save()
    return locked
