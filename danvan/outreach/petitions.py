"""Petitions (kiến nghị, phản ánh): received from a source, assigned to an
agency with a deadline, answered, closed, or returned with a reason. Each
change is one function, in one transaction, under the petition's lock; it
records a `PetitionStep`; a refused one is a Vietnamese message and changes
nothing.

A citizen's petition from the public site goes through the same anti-spam as
the other public forms (`core.antispam`) and the rate limits `LIMITS` (per
address, and per phone by its keyed hash). The public code is random
(`new_code`): 8 characters of an alphabet without look-alikes, so it cannot be
guessed from another one; looking codes up is rate limited too.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from danvan.core.crypto import encrypt, keyed_hash
from danvan.core.locking import lock_in_status
from danvan.core.ratelimit import RateLimits
from danvan.outreach.models import (
    OPEN_STATUSES,
    Dialogue,
    Petition,
    PetitionStatus,
    PetitionStep,
    Source,
)

LIMITS = RateLimits(
    "outreach:rl",
    {"petition_ip": (10, 3600), "petition_phone": (5, 86400), "track_ip": (30, 600)},
    setting="OUTREACH_RATE_LIMITS",
)
PHONE_PURPOSE = b"outreach:raiser-phone"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
DUE_SOON_DAYS = 3
"""A waiting petition whose deadline is this close is listed among the reminders."""


def new_code() -> str:
    """A fresh public code, e.g. "KN7F3K9QXA" shown as "KN-7F3K-9QXA"."""
    return "KN" + "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    return f"{code[:2]}-{code[2:6]}-{code[6:]}" if len(code) == 2 + CODE_LENGTH else code


def normalize_code(typed: str) -> str:
    """What a person typed ("kn-7f3k 9qxa") as stored ("KN7F3K9QXA"); "" when it
    cannot be a code."""
    code = "".join(ch for ch in typed.upper() if ch.isalnum())
    if not code.startswith("KN"):
        code = "KN" + code
    if len(code) != 2 + CODE_LENGTH or any(ch not in ALPHABET for ch in code[2:]):
        return ""
    return code


def phone_hash(phone: str) -> str:
    return keyed_hash(PHONE_PURPOSE, phone.encode())


def receive_petition(
    *,
    content: str,
    field: str,
    area: Any,
    source: str,
    source_note: str = "",
    dialogue: Dialogue | None = None,
    raiser_name: str = "",
    raiser_phone: str = "",
    by: Any = None,
) -> Petition:
    """A new petition, received (with a fresh public code and its first step)."""
    content = content.strip()
    if not content:
        raise ValidationError("Hãy ghi nội dung kiến nghị.", code="content")
    if source not in Source.values:
        raise ValidationError("Nguồn kiến nghị không hợp lệ.", code="source")
    if dialogue is not None and not area.path.startswith(dialogue.area.path):
        raise ValidationError(
            "Địa bàn của kiến nghị phải thuộc đơn vị tổ chức buổi đối thoại.", code="area"
        )
    for _attempt in range(5):  # a code already taken (1 in 10^12): draw again
        try:
            with transaction.atomic():
                petition = Petition.objects.create(
                    code=new_code(),
                    content=content,
                    field=field,
                    area=area,
                    source=Source.DIALOGUE if dialogue is not None else source,
                    source_note=source_note.strip(),
                    dialogue=dialogue,
                    raiser_name=raiser_name.strip(),
                    raiser_phone_encrypted=encrypt(raiser_phone) if raiser_phone else "",
                    raiser_phone_hash=phone_hash(raiser_phone) if raiser_phone else "",
                    created_by=by,
                )
                PetitionStep.objects.create(
                    petition=petition, status=PetitionStatus.RECEIVED, by=by
                )
            return petition
        except IntegrityError:
            continue
    raise ValidationError("Chưa tạo được mã tra cứu; hãy gửi lại.", code="code")


# action -> (the statuses it runs from, the status it leads to, the message once done)
MOVES: dict[str, tuple[tuple[str, ...], str, str]] = {
    "assign": (
        (PetitionStatus.RECEIVED, PetitionStatus.ASSIGNED),
        PetitionStatus.ASSIGNED,
        "Đã chuyển cơ quan giải quyết.",
    ),
    "answer": ((PetitionStatus.ASSIGNED,), PetitionStatus.ANSWERED, "Đã ghi nhận trả lời."),
    "close": ((PetitionStatus.ANSWERED,), PetitionStatus.CLOSED, "Đã kết thúc kiến nghị."),
    "reopen": (
        (PetitionStatus.ANSWERED,),
        PetitionStatus.ASSIGNED,
        "Đã mở lại để cơ quan giải quyết tiếp.",
    ),
    "return": (
        (PetitionStatus.RECEIVED, PetitionStatus.ASSIGNED),
        PetitionStatus.RETURNED,
        "Đã trả lại kiến nghị.",
    ),
}
LABELS = {
    "assign": "Chuyển cơ quan giải quyết",
    "answer": "Ghi nhận trả lời",
    "close": "Kết thúc",
    "reopen": "Mở lại",
    "return": "Trả lại",
}


def move_petition(
    petition: Petition,
    action: str,
    *,
    by: Any = None,
    agency: Any = None,
    deadline: date | None = None,
    answer: str = "",
    reason: str = "",
    note: str = "",
) -> Petition:
    """Assign (agency and deadline), answer (the public answer), close, reopen
    (with a note why) or return (the public reason) a petition, checked under
    its lock, recording the step."""
    if action not in MOVES:
        raise ValidationError("Thao tác không hợp lệ.", code="action")
    sources, target, _done = MOVES[action]
    answer, reason, note = answer.strip(), reason.strip(), note.strip()
    if action == "assign":
        if agency is None:
            raise ValidationError({"agency": "Hãy chọn cơ quan giải quyết."})
        if agency.valid_to is not None:
            raise ValidationError({"agency": "Cơ quan này đã ngừng hoạt động."})
        if deadline is None:
            raise ValidationError({"deadline": "Hãy đặt hạn trả lời."})
    if action == "answer" and not answer:
        raise ValidationError({"answer": "Hãy ghi nội dung trả lời."})
    if action == "return" and not reason:
        raise ValidationError({"reason": "Hãy ghi lý do trả lại."})
    if action == "reopen" and not note:
        raise ValidationError({"note": "Hãy ghi vì sao mở lại."})
    with transaction.atomic():
        locked = lock_in_status(
            petition, sources, f"Không thể “{LABELS[action].lower()}”: kiến nghị", name_status=True
        )
        if action == "assign":
            assert deadline is not None
            if deadline < timezone.localdate(locked.received_at):
                raise ValidationError({"deadline": "Hạn trả lời không thể trước ngày tiếp nhận."})
            locked.agency, locked.deadline = agency, deadline
            note = note or f"Chuyển {agency.name}, hạn {deadline:%d/%m/%Y}."
        elif action == "answer":
            locked.answer = answer
            locked.answered_at = timezone.now()
        elif action == "reopen":
            locked.answered_at = None
        elif action == "return":
            locked.return_reason = reason
        locked.status = target
        locked.save()
        PetitionStep.objects.create(petition=locked, status=target, note=note, by=by)
    return locked


# --- Reminders and statistics ----------------------------------------------------------


def reminders(qs: Any, *, today: date | None = None) -> dict[str, list[Petition]]:
    """The waiting petitions of `qs` past their deadline ("late") and due within
    DUE_SOON_DAYS ("soon"), the most urgent first."""
    today = timezone.localdate() if today is None else today
    waiting = qs.filter(status__in=OPEN_STATUSES, deadline__isnull=False).select_related(
        "area", "agency"
    )
    return {
        "late": list(waiting.filter(deadline__lt=today).order_by("deadline", "pk")[:50]),
        "soon": list(
            waiting.filter(
                deadline__gte=today, deadline__lte=today + timedelta(DUE_SOON_DAYS)
            ).order_by("deadline", "pk")[:50]
        ),
    }


def is_late(petition: Petition, *, today: date | None = None) -> bool:
    """Past its deadline and still waiting, or answered after it."""
    if petition.deadline is None:
        return False
    if petition.answered_at is not None:
        return timezone.localdate(petition.answered_at) > petition.deadline
    today = timezone.localdate() if today is None else today
    return petition.status in OPEN_STATUSES and today > petition.deadline
