"""One-time sign-in codes for contest participants, sent by SMS or Zalo.

A participant who lost their access code (and gave no CCCD) asks for a code on
the sign-in page; it goes to the phone number they registered with, through
the gateway named by settings.CONTEST_OTP_GATEWAY (off when empty).

A gateway is any class with `send(phone, text)` that raises on failure;
`ConsoleGateway` only writes the message to the log (development). A real one
(an SMS brandname or Zalo ZNS provider) reads its own credentials from the
environment.

The code: 6 digits, kept only as a keyed hash (HASH_KEY), valid CODE_TTL, MAX_TRIES
wrong entries, one per participant at a time (a new one replaces it), deleted
once used. Sending is rate limited per phone and per address (ratelimit
"otp_phone", "otp_ip"); checking by the sign-in limit per address.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from danvan.contests.models import Contest, OneTimeCode, Participant
from danvan.core import crypto

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5

NOT_SENT = (
    "Chưa gửi được mã xác nhận. Vui lòng thử lại sau ít phút, hoặc dùng mã dự thi, "
    "số CCCD để đăng nhập."
)
WRONG_OR_EXPIRED = (
    "Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng bấm “Gửi lại mã” để nhận mã mới."
)
EXPIRED = "Mã xác nhận đã hết hạn. Vui lòng bấm “Gửi lại mã” để nhận mã mới."
TOO_MANY = (
    "Bạn đã nhập sai quá nhiều lần, mã này không dùng được nữa. "
    "Vui lòng bấm “Gửi lại mã” để nhận mã mới."
)


class Gateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleGateway:
    """Development: the message goes to the log instead of a phone."""

    def send(self, phone: str, text: str) -> None:
        logger.warning("Tin nhắn tới %s: %s", phone, text)


class OtpError(Exception):
    """A refusal with a Vietnamese message for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def gateway() -> Gateway | None:
    path = getattr(settings, "CONTEST_OTP_GATEWAY", "")
    return import_string(path)() if path else None


def enabled() -> bool:
    return bool(getattr(settings, "CONTEST_OTP_GATEWAY", ""))


def _digest(participant_id: int, code: str) -> str:
    return crypto.keyed_hash(b"danvan-contest-otp", f"{participant_id}:{code}".encode())


def _participant(contest: Contest, phone: str) -> Participant | None:
    if not phone:
        return None
    return Participant.objects.filter(contest=contest, phone=phone, erased_at__isnull=True).first()


def send_code(contest: Contest, phone: str, now: datetime | None = None) -> None:
    """Send a fresh code to `phone` if it belongs to a participant of the contest;
    do nothing otherwise (the page says the same either way). Raises OtpError
    when the gateway fails or none is configured."""
    sender = gateway()
    if sender is None:
        raise OtpError(NOT_SENT)
    participant = _participant(contest, phone)
    if participant is None:
        return
    now = now or timezone.now()
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    OneTimeCode.objects.update_or_create(
        participant=participant,
        defaults={
            "code_hash": _digest(participant.pk, code),
            "expires_at": now + CODE_TTL,
            "tries": 0,
        },
    )
    minutes = int(CODE_TTL.total_seconds() // 60)
    text = (
        f"Mã xác nhận đăng nhập cuộc thi “{contest.title}”: {code}. "
        f"Hiệu lực {minutes} phút. Không đưa mã này cho bất kỳ ai."
    )
    try:
        sender.send(phone, text)
    except Exception:
        logger.exception("could not send a one-time code")
        OneTimeCode.objects.filter(participant=participant).delete()
        raise OtpError(NOT_SENT) from None


def verify_code(
    contest: Contest, phone: str, code: str, now: datetime | None = None
) -> Participant | None:
    """The participant whose phone received `code`, the code then spent. A wrong
    code counts a try (the last one spends it) and raises OtpError; None when
    there is no code to check at all."""
    now = now or timezone.now()
    code = "".join(ch for ch in code if ch.isdigit())
    if not phone:
        return None
    with transaction.atomic():  # the error is raised after it: the try must be kept
        row = (
            OneTimeCode.objects.select_for_update()
            .select_related("participant")
            .filter(
                participant__contest=contest,
                participant__phone=phone,
                participant__erased_at__isnull=True,
            )
            .first()
        )
        if row is None:
            return None
        if row.expires_at <= now:
            row.delete()
            error = EXPIRED
        elif constant_time_compare(_digest(row.participant_id, code), row.code_hash):
            row.delete()
            return row.participant
        else:
            row.tries += 1
            if row.tries >= MAX_TRIES:
                row.delete()
                error = TOO_MANY
            else:
                row.save(update_fields=["tries"])
                error = f"Mã xác nhận không đúng. Bạn còn {MAX_TRIES - row.tries} lần thử."
    raise OtpError(error)
