"""Participants of a contest: registration, recognising a returning person,
access codes, the personal data export and erasure.

A participant has no account. They sign in again with the short access code
shown after registration, with their phone number plus the CCCD they gave
(its keyed hash), or with a one-time code sent to their phone (otp.py); never
with a phone number alone, which anyone may know.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from danvan.contests.bank import load_bank
from danvan.contests.models import (
    AttemptStatus,
    Contest,
    OneTimeCode,
    Participant,
)
from danvan.contests.privacy import cccd_hash, cccd_or_notice, encrypt_cccd
from danvan.core.models import Area, Organization
from danvan.core.text import format_date, format_datetime

# No 0/O, 1/I/L: easy to read aloud and to copy from a note.
ACCESS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
ACCESS_CODE_LENGTH = 8
ERASED_NAME = "Người dự thi đã xóa dữ liệu"


class ParticipantError(Exception):
    """A refusal with a Vietnamese message; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Access codes -------------------------------------------------------------------


def generate_access_code() -> str:
    """A fresh code, unique among all participants (8 characters, ~40 bits)."""
    for _ in range(20):
        code = "".join(secrets.choice(ACCESS_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
        if not Participant.objects.filter(access_code=code).exists():
            return code
    raise RuntimeError("could not draw a unique access code")  # pragma: no cover


def normalize_access_code(value: str) -> str:
    """'abcd-2345 ' -> 'ABCD2345' (separators and case ignored)."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def format_access_code(code: str) -> str:
    """'ABCD2345' -> 'ABCD-2345'."""
    if len(code) == ACCESS_CODE_LENGTH:
        return f"{code[:4]}-{code[4:]}"
    return code


# --- Registration and recognition ------------------------------------------------


@dataclass
class Registration:
    full_name: str
    birth_date: date
    sex: str
    phone: str  # normalised, digits only
    cccd: str  # normalised digits, or ""
    area: Area
    occupation: str
    organization: Organization | None


@dataclass
class SignIn:
    participant: Participant
    created: bool


DIFFERENT_PERSON = (
    "Số điện thoại này đã được dùng để đăng ký cuộc thi với một số CCCD khác. "
    "Nếu đó là bạn, hãy đăng nhập lại bằng mã dự thi; nếu không, vui lòng liên hệ Ban Tổ chức."
)
CCCD_TAKEN = (
    "Số CCCD này đã được dùng để đăng ký cuộc thi với một số điện thoại khác. "
    "Nếu đó là bạn, hãy đăng nhập lại bằng mã dự thi; nếu không, vui lòng liên hệ Ban Tổ chức."
)
PHONE_TAKEN = (
    "Số điện thoại này đã được dùng để đăng ký cuộc thi. Nếu đó là bạn, hãy bấm "
    "“Đăng nhập lại” (bằng mã dự thi, số CCCD hoặc mã xác nhận gửi qua tin nhắn); "
    "nếu không, vui lòng liên hệ Ban Tổ chức."
)
# The same form sent twice (a double tap, a reload) within this time after the
# first one registered the person is recognised as that person.
REPEAT_WINDOW = timedelta(minutes=10)


def _same_registration(participant: Participant, data: Registration, now: datetime) -> bool:
    return (
        now - participant.created_at <= REPEAT_WINDOW
        and participant.full_name == data.full_name
        and participant.birth_date == data.birth_date
        and participant.sex == data.sex
        and participant.area_id == data.area.pk
    )


def _match_existing(contest: Contest, data: Registration, now: datetime) -> SignIn | None:
    """The participant this registration proves to be, or None if nobody has its
    phone or CCCD yet. A phone on record proves nothing by itself: it takes the
    CCCD on record with it (or the very same form again, just after). Raises
    ParticipantError when the phone or CCCD belongs to someone else's record."""
    digest = cccd_hash(data.cccd) if data.cccd else ""
    active = Participant.objects.filter(contest=contest, erased_at__isnull=True)
    by_phone = active.filter(phone=data.phone).first() if data.phone else None
    if by_phone is not None:
        if by_phone.cccd_hash:
            if digest != by_phone.cccd_hash:
                raise ParticipantError(DIFFERENT_PERSON, field="cccd" if data.cccd else "phone")
            return SignIn(by_phone, created=False)
        if not digest and _same_registration(by_phone, data, now):
            return SignIn(by_phone, created=False)
        raise ParticipantError(PHONE_TAKEN, field="phone")
    if digest and active.filter(cccd_hash=digest).exists():
        raise ParticipantError(CCCD_TAKEN, field="cccd")
    return None


def register(contest: Contest, data: Registration, now: datetime | None = None) -> SignIn:
    """Register a person for a contest, or recognise them if they registered before.

    A returning person (same phone and the same CCCD on record, or the same form
    sent again just after) is signed in instead of being registered twice;
    anyone else giving a phone or CCCD on record is refused."""
    now = now or timezone.now()
    existing = _match_existing(contest, data, now)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                contest=contest,
                full_name=data.full_name,
                birth_date=data.birth_date,
                sex=data.sex,
                phone=data.phone,
                cccd_encrypted=encrypt_cccd(data.cccd),
                cccd_hash=cccd_hash(data.cccd),
                area=data.area,
                occupation=data.occupation,
                organization=data.organization,
                consent_version=contest.consent_version,
                consented_at=now,
                access_code=generate_access_code(),
            )
    except IntegrityError:
        # The same person pressed twice (or two tabs): the other request won.
        existing = _match_existing(contest, data, now)
        if existing is None:
            raise
        return existing
    return SignIn(participant, created=True)


NOT_FOUND = (
    "Không tìm thấy người dự thi với số điện thoại và số CCCD này. Vui lòng kiểm tra lại. "
    "Nếu khi đăng ký bạn không khai số CCCD, hãy dùng mã dự thi hoặc mã xác nhận."
)
PHONE_ALONE = (
    "Chỉ số điện thoại thì chưa đủ để đăng nhập. Vui lòng nhập thêm số CCCD đã khai "
    "khi đăng ký, hoặc dùng mã dự thi, hoặc nhận mã xác nhận qua tin nhắn."
)


def sign_in_by_code(contest: Contest, code: str) -> SignIn:
    code = normalize_access_code(code)
    participant = None
    if len(code) == ACCESS_CODE_LENGTH:
        participant = Participant.objects.filter(
            contest=contest, access_code=code, erased_at__isnull=True
        ).first()
    if participant is None:
        raise ParticipantError("Mã dự thi không đúng. Vui lòng kiểm tra lại.", field="access_code")
    return SignIn(participant, created=False)


def sign_in_by_phone(contest: Contest, phone: str, cccd: str) -> SignIn:
    """Phone plus the CCCD on record. A phone alone is refused, whether or not
    the participant gave a CCCD (anyone may know a phone number)."""
    if not cccd:
        raise ParticipantError(PHONE_ALONE, field="cccd")
    participant = Participant.objects.filter(
        contest=contest, phone=phone, erased_at__isnull=True
    ).first()
    if (
        participant is None
        or not participant.cccd_hash
        or not hmac.compare_digest(cccd_hash(cccd), participant.cccd_hash)
    ):
        raise ParticipantError(NOT_FOUND)
    return SignIn(participant, created=False)


def reissue_access_code(participant: Participant) -> str:
    """A new access code for a participant who lost theirs (the old one stops
    working); for organisers, once they know who they are talking to."""
    for _ in range(5):
        participant.access_code = generate_access_code()
        try:
            with transaction.atomic():
                participant.save(update_fields=["access_code"])
            return participant.access_code
        except IntegrityError:  # pragma: no cover - drawn twice at once
            continue
    raise RuntimeError("could not draw a unique access code")  # pragma: no cover


# --- Personal data: export and erasure -----------------------------------------------


def _area_label(area: Area | None) -> str:
    if area is None:
        return ""
    step = Area.steplen
    prefixes = [area.path[:end] for end in range(step, len(area.path), step)]
    names = dict(Area.objects.filter(path__in=prefixes).values_list("path", "name"))
    chain = [names[p] for p in prefixes if p in names] + [area.name]
    return ", ".join(reversed(chain))


def _duration(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def export_data(participant: Participant) -> dict[str, Any]:
    """Everything the platform holds about a participant, for the participant only
    (the CCCD in clear). Correctness is not included: it belongs to the round."""
    contest = participant.contest
    bank = load_bank(contest.pk)
    attempts = []
    for attempt in participant.attempts.select_related("round").order_by("round__number", "number"):
        answers = []
        for qid, _cids in attempt.paper:
            question = bank.questions.get(qid)
            texts = dict(question.choices) if question else {}
            chosen = attempt.answers.get(str(qid)) or []
            answers.append(
                {
                    "cau_hoi": question.text if question else f"(câu hỏi #{qid} đã ngừng dùng)",
                    "phuong_an_da_chon": [texts.get(c, f"#{c}") for c in chosen],
                }
            )
        finished = attempt.status != AttemptStatus.IN_PROGRESS
        attempts.append(
            {
                "dot_thi": str(attempt.round),
                "luot_so": attempt.number,
                "trang_thai": attempt.get_status_display(),
                "bat_dau": format_datetime(attempt.started_at),
                "nop_bai": format_datetime(attempt.submitted_at),
                "diem": attempt.score if finished else None,
                "so_cau": len(attempt.paper),
                "thoi_gian_lam_bai": _duration(attempt.duration_ms) if finished else "",
                "du_doan": attempt.prediction,
                "cau_tra_loi": answers,
            }
        )
    return {
        "cuoc_thi": contest.title,
        "xuat_luc": format_datetime(timezone.now()),
        "nguoi_du_thi": {
            "ho_va_ten": participant.full_name,
            "ngay_sinh": format_date(participant.birth_date),
            "gioi_tinh": participant.get_sex_display() if participant.sex else "",
            "so_dien_thoai": participant.phone,
            "so_cccd": cccd_or_notice(participant.cccd_encrypted, masked=False),
            "noi_o": _area_label(participant.area),
            "doi_tuong": participant.get_occupation_display(),
            "to_chuc": participant.organization.name if participant.organization else "",
            "ma_du_thi": format_access_code(participant.access_code),
            "dong_y_xu_ly_du_lieu": {
                "phien_ban": participant.consent_version,
                "noi_dung": contest.consent_text
                if participant.consent_version == contest.consent_version
                else "",
                "luc": format_datetime(participant.consented_at),
            },
            "dang_ky_luc": format_datetime(participant.created_at),
        },
        "luot_thi": attempts,
        "giai_thuong": [
            {"giai": award.prize.get_kind_display(), "ten_cong_bo": award.published_name}
            for award in participant.awards.select_related("prize")
        ],
    }


def erase_participant(participant: Participant, now: datetime | None = None) -> Participant:
    """Erase a participant's personal data; keep the attempts (statistics) and the
    published prize names (already masked). Used by the participant's own request
    and by the scheduled retention job. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(participant=participant).delete()
        for _ in range(5):
            participant.full_name = ERASED_NAME
            participant.phone = ""
            participant.cccd_encrypted = ""
            participant.cccd_hash = ""
            participant.birth_date = None
            participant.access_code = generate_access_code()
            if participant.erased_at is None:
                participant.erased_at = now
            try:
                with transaction.atomic():
                    participant.save(
                        update_fields=[
                            "full_name",
                            "phone",
                            "cccd_encrypted",
                            "cccd_hash",
                            "birth_date",
                            "access_code",
                            "erased_at",
                        ]
                    )
                break
            except IntegrityError:  # pragma: no cover - access code drawn twice at once
                continue
    return participant
