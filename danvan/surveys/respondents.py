"""The people who answered IDENTIFIED surveys: their list (full phone numbers,
for those who manage the survey, every look recorded in the audit trail), the
consent wording they agreed to, and the erasure of their names and phone
numbers once the retention time is over.

Consent: the public page shows `consent_shown(survey)`. Whenever an identified
survey is saved, that wording is kept as a `ConsentText` under the survey's
`consent_version` (signals connected in apps.py). Once someone has consented
under a version, its wording cannot change any more: the staff form asks for a
new version, and a save that would change it anyway is refused.

Retention: names and phone numbers are erased `settings.SURVEY_RESPONDENT_
RETENTION_DAYS` (180 by default) after the survey's closing time, by the
daily command `erase_expired_respondents`. The response, its answers, the
consent version and time stay (the results do not change); the phone-number
guards of the survey (keyed hashes of the numbers) are deleted too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from openpyxl import Workbook

from danvan.core.excel import append_row, workbook_bytes, write_header
from danvan.core.retention import ErasureReport
from danvan.core.text import format_date, format_datetime, search_terms
from danvan.surveys.models import (
    DEFAULT_CONSENT_TEXT,
    ConsentText,
    Mode,
    OnePer,
    Respondent,
    SpentToken,
    Survey,
)

BATCH_SIZE = 500
DEFAULT_RETENTION_DAYS = 180

# What an access to the list records in the audit trail (object_repr of the entry).
ACCESS_PAGE = "Xem danh sách người trả lời (họ tên, số điện thoại đầy đủ)"
ACCESS_XLSX = "Tải Excel danh sách người trả lời (họ tên, số điện thoại đầy đủ)"
ACCESS_RESPONSES_XLSX = "Tải Excel phiếu trả lời kèm họ tên, số điện thoại (che một phần)"


# --- Consent wording ---------------------------------------------------------------


def consent_shown(survey: Survey) -> str:
    """The consent wording the public page shows for this survey."""
    return survey.consent_text or DEFAULT_CONSENT_TEXT


def _consented(survey: Survey, version: str) -> bool:
    return Respondent.objects.filter(
        response__survey_id=survey.pk, consent_version=version
    ).exists()


def check_consent_change(survey: Survey) -> None:
    """Refuse (ValidationError) a save that would change the wording of a consent
    version someone has already agreed to."""
    if survey.pk is None or survey.mode != Mode.IDENTIFIED:
        return
    kept = ConsentText.objects.filter(survey_id=survey.pk, version=survey.consent_version).first()
    if kept is not None and kept.text != consent_shown(survey) and _consented(survey, kept.version):
        raise ValidationError(
            f"Đã có người đồng ý với nội dung phiên bản {kept.version}: muốn sửa nội dung đồng "
            "ý, hãy tăng phiên bản.",
            code="consent_version",
        )


def record_consent_text(survey: Survey) -> ConsentText | None:
    """Keep the wording of the survey's current consent version (identified surveys)."""
    if survey.mode != Mode.IDENTIFIED:
        return None
    text = consent_shown(survey)
    kept, created = ConsentText.objects.get_or_create(
        survey_id=survey.pk, version=survey.consent_version, defaults={"text": text}
    )
    if not created and kept.text != text and not _consented(survey, kept.version):
        kept.text = text  # nobody agreed to the old words of this version yet
        kept.save(update_fields=["text"])
    return kept


CONSENT_FIELDS = {"consent_text", "consent_version", "mode"}


def _touches_consent(update_fields: Any) -> bool:
    return update_fields is None or bool(CONSENT_FIELDS & set(update_fields))


def on_survey_pre_save(sender: Any, instance: Survey, update_fields: Any = None, **kw: Any) -> None:
    if _touches_consent(update_fields):
        check_consent_change(instance)


def on_survey_post_save(
    sender: Any, instance: Survey, update_fields: Any = None, **kw: Any
) -> None:
    if kw.get("raw"):
        return
    if _touches_consent(update_fields):
        record_consent_text(instance)


@dataclass
class ConsentVersion:
    version: str
    text: str
    recorded_at: datetime | None
    respondents: int


def consent_versions(survey: Survey) -> list[ConsentVersion]:
    """The wordings kept for the survey, oldest first, with how many people agreed."""
    counts = dict(
        Respondent.objects.filter(response__survey_id=survey.pk)
        .values("consent_version")
        .annotate(n=Count("pk"))
        .values_list("consent_version", "n")
        .order_by()
    )
    out = [
        ConsentVersion(c.version, c.text, c.recorded_at, counts.pop(c.version, 0))
        for c in ConsentText.objects.filter(survey_id=survey.pk)
    ]
    for version, n in sorted(counts.items()):  # agreed before wordings were kept
        out.append(ConsentVersion(version, "", None, n))
    return out


# --- The list ----------------------------------------------------------------------


def respondents_of(survey: Survey, q: str = "") -> QuerySet[Respondent]:
    """Respondents of the survey whose name and phone are still kept, newest first;
    `q` keeps those whose name has every word of it (diacritics ignored) or whose
    phone contains its digits."""
    qs = Respondent.objects.filter(response__survey_id=survey.pk, erased_at__isnull=True)
    digits = "".join(ch for ch in q if ch.isdigit())
    terms = search_terms(q)
    if digits and len(digits) >= 3 and not any(ch.isalpha() for ch in q):
        qs = qs.filter(phone__contains=digits.removeprefix("84") if len(digits) > 9 else digits)
    elif terms:
        from danvan.core.text import fold

        ids = [
            pk
            for pk, name in qs.values_list("pk", "full_name")
            if all(t in fold(name) for t in terms)
        ]
        qs = qs.filter(pk__in=ids)
    return qs.select_related("response").order_by("-consented_at", "-pk")  # type: ignore[no-any-return]


def erased_count(survey: Survey) -> int:
    return Respondent.objects.filter(response__survey_id=survey.pk, erased_at__isnull=False).count()


def log_access(survey: Survey, what: str) -> LogEntry | None:
    """Record in the audit trail that the signed-in user saw (or downloaded) the
    survey's respondents with their full phone numbers. The actor and address
    come from the audit middleware of the request."""
    return LogEntry.objects.log_create(  # type: ignore[no-any-return]
        survey,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        object_repr=f"{what}: {survey.title}"[:255],
        changes={},
    )


def respondents_workbook(survey: Survey) -> bytes:
    """The respondents with full names and phone numbers, and the consent wordings."""

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Người trả lời")
    write_header(
        ws,
        [
            ("STT", 6),
            ("Họ và tên", 28),
            ("Số điện thoại", 16),
            ("Ngày nhận phiếu", 14),
            ("Đồng ý lúc", 18),
            ("Phiên bản nội dung đồng ý", 14),
        ],
    )
    rows = respondents_of(survey).values_list(
        "full_name", "phone", "response__received_on", "consented_at", "consent_version"
    )
    for n, (name, phone, day, at, version) in enumerate(rows.iterator(chunk_size=2000), 1):
        append_row(ws, [n, name, phone, format_date(day), format_datetime(at), version])
    wc = wb.create_sheet("Nội dung đồng ý")
    write_header(
        wc, [("Phiên bản", 12), ("Ghi nhận lúc", 18), ("Số người đồng ý", 14), ("Nội dung", 90)]
    )
    for v in consent_versions(survey):
        append_row(wc, [v.version, format_datetime(v.recorded_at), v.respondents, v.text])
    wn = wb.create_sheet("Ghi chú")
    for line in (
        f"Khảo sát: {survey.title}",
        f"Xuất lúc: {format_datetime(timezone.now())}",
        "Dữ liệu cá nhân: chỉ dùng để liên hệ lại với người trả lời theo nội dung họ đã "
        "đồng ý; không chia sẻ, không đăng công khai.",
        f"Họ tên, số điện thoại được xóa sau ngày {format_date(retention_deadline(survey))} "
        "(hết thời hạn lưu trữ).",
    ):
        append_row(wn, [line])
    return workbook_bytes(wb)


# --- Retention ---------------------------------------------------------------------


def retention_days() -> int:
    return max(
        0, int(getattr(settings, "SURVEY_RESPONDENT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    )


def retention_deadline(survey: Survey) -> datetime:
    """When the names and phone numbers of the survey's respondents are erased."""
    return survey.closes_at + timedelta(days=retention_days())


def expired_surveys(now: datetime | None = None) -> list[Survey]:
    """Identified surveys whose retention time is over (closing time + retention days)."""
    now = now or timezone.now()
    limit = now - timedelta(days=retention_days())
    return list(
        Survey.objects.filter(mode=Mode.IDENTIFIED, closes_at__lte=limit).order_by(
            "closes_at", "pk"
        )
    )


def _pending(survey: Survey) -> QuerySet[Respondent]:
    return Respondent.objects.filter(response__survey_id=survey.pk, erased_at__isnull=True)


def erase_expired(
    *, now: datetime | None = None, batch_size: int = BATCH_SIZE, dry_run: bool = False
) -> ErasureReport:
    """Erase the names and phone numbers of the respondents of every expired
    identified survey, `batch_size` rows per transaction. Idempotent."""
    now = now or timezone.now()
    report = ErasureReport(
        what="họ tên, số điện thoại",
        whom="người trả lời",
        of="cuộc khảo sát",
        nothing="Không có họ tên, số điện thoại nào của người trả lời khảo sát hết hạn lưu trữ.",
        dry_run=dry_run,
    )
    for survey in expired_surveys(now):
        item = report.add(survey.pk, survey.title, retention_deadline(survey))
        if dry_run:
            item.erased = _pending(survey).count()
            continue
        while True:
            with transaction.atomic():
                ids = list(
                    _pending(survey).order_by("pk").values_list("pk", flat=True)[:batch_size]
                )
                if not ids:
                    break
                item.erased += Respondent.objects.filter(pk__in=ids).update(
                    full_name="", phone="", erased_at=now
                )
        if survey.one_per == OnePer.PHONE:
            SpentToken.objects.filter(survey_id=survey.pk, kind=OnePer.PHONE).delete()
        if item.erased:
            LogEntry.objects.log_create(
                survey,
                force_log=True,
                action=LogEntry.Action.UPDATE,
                object_repr=(
                    f"Xóa họ tên, số điện thoại của {item.erased} người trả lời "
                    f"(hết thời hạn lưu trữ): {survey.title}"
                )[:255],
                changes={"người trả lời": [f"{item.erased} người", "đã xóa họ tên, số điện thoại"]},
            )
    return report
