"""Excel exports of a round's results and of a contest's participants.

Personal data (phone, CCCD, birth date) is masked unless the caller asks for
the full file *and* may manage the contest (`may_reveal`); a full export is
written to the audit log as an access to the contest. Every text cell that a
spreadsheet would read as a formula (=, +, -, @, tab, CR) is written as text
(`danvan.core.excel.safe_cell`), so a participant named "=HYPERLINK(...)"
stays a name.

Rows are streamed from the database and written with openpyxl's write-only
mode (the sheet helpers of `danvan.core.excel`), so a large round does not hold
every row in memory; rounds with many counted attempts are exported by a
background job (`export_results`) that saves exports/<job id>.xlsx in the
default storage (STORAGES), served by the `job_download` view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook

from danvan.contests.job_links import contest_link, round_link
from danvan.contests.models import (
    Attempt,
    Contest,
    Occupation,
    Participant,
    Round,
    RoundStatus,
    Sex,
)
from danvan.contests.privacy import decrypt_cccd
from danvan.contests.stats import FINISHED
from danvan.core.excel import add_notes, append_row, filenames, workbook_bytes, write_header
from danvan.core.jobs import JobFailed, Progress, job_handler
from danvan.core.masking import mask_cccd, mask_phone
from danvan.core.models import Job
from danvan.core.places import area_places
from danvan.core.scope import MANAGE, can
from danvan.core.text import format_date, format_datetime

SYNC_LIMIT = 5000  # counted attempts (or participants) exported while the user waits
CHUNK = 2000
EXPORT_DIR = "exports"

RESULT_HEADERS: list[tuple[str, int]] = [
    ("Hạng", 7),
    ("Họ và tên", 28),
    ("Xã, phường", 22),
    ("Ấp, khu vực", 22),
    ("Tổ chức", 28),
    ("Đối tượng", 24),
    ("Điểm", 7),
    ("Thời gian làm bài (phút:giây)", 14),
    ("Dự đoán", 12),
    ("Nộp bài lúc", 17),
    ("Số điện thoại", 14),
    ("Số CCCD", 15),
]
PARTICIPANT_HEADERS: list[tuple[str, int]] = [
    ("STT", 7),
    ("Họ và tên", 28),
    ("Ngày sinh", 12),
    ("Giới tính", 9),
    ("Xã, phường", 22),
    ("Ấp, khu vực", 22),
    ("Tổ chức", 28),
    ("Đối tượng", 24),
    ("Số điện thoại", 14),
    ("Số CCCD", 15),
    ("Đăng ký lúc", 17),
    ("Số lượt thi đã nộp", 10),
    ("Điểm cao nhất", 9),
    ("Phiên bản đồng ý xử lý dữ liệu", 12),
    ("Đã xóa dữ liệu cá nhân lúc", 17),
]


# --- Cells -----------------------------------------------------------------------


def mm_ss(duration_ms: int | None) -> str:
    if duration_ms is None:
        return ""
    seconds = duration_ms // 1000
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _phone(phone: str, reveal: bool) -> str:
    return phone if reveal else mask_phone(phone)


def _cccd(token: str, reveal: bool) -> str:
    number = decrypt_cccd(token)
    return number if reveal else mask_cccd(number)


def _birth(day: date | None, reveal: bool) -> str:
    if day is None:
        return ""
    return format_date(day) if reveal else f"**/**/{day.year:04d}"


def _personal_note(reveal: bool) -> str:
    if reveal:
        return (
            "Dữ liệu cá nhân: ĐẦY ĐỦ. Tệp chứa dữ liệu cá nhân của người dự thi; chỉ dùng cho "
            "việc xét và trao giải, không chia sẻ, xóa khi không còn cần."
        )
    return "Dữ liệu cá nhân (số điện thoại, số CCCD, ngày sinh) đã được che một phần."


# --- Who may see what --------------------------------------------------------------


def may_reveal(user: Any, contest: Contest, requested: bool) -> bool:
    """Full personal data only when asked for and the user may manage the contest."""
    return bool(requested) and can(user, MANAGE, contest)


def log_personal_export(contest: Contest) -> None:
    """Record a full export as an access to the contest in the audit log."""
    from auditlog.signals import accessed

    accessed.send(sender=Contest, instance=contest)


# --- Results of a round ------------------------------------------------------------


def result_rows(rnd: Round) -> Any:
    """Counted attempts of the round, best first (the closing rank when set)."""
    return (
        Attempt.objects.filter(round_id=rnd.pk, counted=True, status__in=FINISHED)
        .order_by(F("rank").asc(nulls_last=True), "-score", "duration_ms", "submitted_at", "pk")
        .values_list(
            "rank",
            "score",
            "duration_ms",
            "prediction",
            "submitted_at",
            "participant__full_name",
            "participant__area_id",
            "participant__organization__name",
            "participant__occupation",
            "participant__phone",
            "participant__cccd_encrypted",
        )
    )


def _places(qs: QuerySet[Any], area_field: str) -> dict[int, Any]:
    """Commune and hamlet of each area the rows of `qs` point at (by `area_field`)."""
    return area_places(qs.values_list(area_field, flat=True).distinct().order_by())


def _sheet(
    title: str,
    headers: Sequence[Any],
    rows: QuerySet[Any],
    cells: Callable[[int, tuple[Any, ...]], list[Any]],
    progress: Progress | None,
    total: int,
) -> tuple[Workbook, int]:
    """A write-only workbook with one sheet: the header, then `cells(n, row)` for
    the n-th row of `rows`, read in chunks (progress reported every chunk)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    write_header(ws, headers)
    n = 0
    for row in rows.iterator(chunk_size=CHUNK):
        n += 1
        append_row(ws, cells(n, row))
        if progress and n % CHUNK == 0:
            progress(n, total, f"Đã ghi {n} dòng.")
    return wb, n


def count_results(rnd: Round) -> int:
    return Attempt.objects.filter(round_id=rnd.pk, counted=True, status__in=FINISHED).count()


def results_workbook(rnd: Round, reveal_personal: bool, progress: Progress | None = None) -> bytes:
    contest = rnd.contest
    rows = result_rows(rnd)
    total = count_results(rnd) if progress else 0
    places = _places(
        Attempt.objects.filter(round_id=rnd.pk, counted=True, status__in=FINISHED),
        "participant__area_id",
    )
    occupations = dict(Occupation.choices)
    ranked = rnd.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED)

    def cells(n: int, row: tuple[Any, ...]) -> list[Any]:
        rank, score, duration_ms, prediction, submitted_at, name, area_id, org_name = row[:8]
        occupation, phone, cccd = row[8:]
        place = places.get(area_id)
        return [
            rank if rank is not None else n,
            name,
            place.commune if place else "",
            place.hamlet if place else "",
            org_name or "",
            occupations.get(occupation, occupation),
            score,
            mm_ss(duration_ms),
            prediction,
            format_datetime(submitted_at),
            _phone(phone, reveal_personal),
            _cccd(cccd, reveal_personal),
        ]

    wb, n = _sheet(f"Kết quả đợt {rnd.number}", RESULT_HEADERS, rows, cells, progress, total)
    add_notes(
        wb,
        [
            f"Cuộc thi: {contest.title}",
            f"Đợt thi: {rnd} (đợt số {rnd.number})",
            f"Số câu hỏi mỗi lượt: {rnd.question_count}",
            f"Số người có kết quả: {n}",
            "Mỗi người một dòng: lượt được tính theo thể lệ của đợt.",
            (
                "Hạng: theo kết quả tổng hợp khi đóng đợt."
                if ranked
                else "Hạng tạm tính: đợt chưa tổng hợp kết quả; xếp theo điểm, "
                "thời gian làm bài, thời điểm nộp."
            ),
            _personal_note(reveal_personal),
            f"Xuất lúc: {format_datetime(timezone.now())}",
        ],
    )
    return workbook_bytes(wb)


# --- Participants of a contest ----------------------------------------------------


def count_participants(contest: Contest) -> int:
    return Participant.objects.filter(contest_id=contest.pk).count()


def participants_workbook(
    contest: Contest, reveal_personal: bool, progress: Progress | None = None
) -> bytes:
    finished = Q(attempts__status__in=FINISHED)
    rows = (
        Participant.objects.filter(contest_id=contest.pk)
        .annotate(n_attempts=Count("attempts", filter=finished), best=Max("attempts__score"))
        .order_by("pk")
        .values_list(
            "full_name",
            "birth_date",
            "sex",
            "area_id",
            "organization__name",
            "occupation",
            "phone",
            "cccd_encrypted",
            "created_at",
            "n_attempts",
            "best",
            "consent_version",
            "erased_at",
        )
    )
    total = count_participants(contest) if progress else 0
    places = _places(Participant.objects.filter(contest_id=contest.pk), "area_id")
    occupations = dict(Occupation.choices)
    sexes = dict(Sex.choices)

    def cells(n: int, row: tuple[Any, ...]) -> list[Any]:
        name, birth, sex, area_id, org_name, occupation, phone, cccd = row[:8]
        created_at, n_attempts, best, consent_version, erased_at = row[8:]
        place = places.get(area_id)
        return [
            n,
            name,
            _birth(birth, reveal_personal),
            sexes.get(sex, ""),
            place.commune if place else "",
            place.hamlet if place else "",
            org_name or "",
            occupations.get(occupation, occupation),
            _phone(phone, reveal_personal),
            _cccd(cccd, reveal_personal),
            format_datetime(created_at),
            n_attempts,
            best,
            consent_version,
            format_datetime(erased_at),
        ]

    wb, n = _sheet("Người dự thi", PARTICIPANT_HEADERS, rows, cells, progress, total)
    add_notes(
        wb,
        [
            f"Cuộc thi: {contest.title}",
            f"Số người đăng ký: {n}",
            "Điểm cao nhất: trong mọi đợt thi của cuộc thi.",
            _personal_note(reveal_personal),
            f"Xuất lúc: {format_datetime(timezone.now())}",
        ],
    )
    return workbook_bytes(wb)


# --- File names --------------------------------------------------------------------


def _names(stem_vi: str, reveal: bool) -> tuple[str, str]:
    """(ASCII name, UTF-8 name) of an .xlsx file."""
    return filenames(stem_vi + (" (đầy đủ)" if reveal else ""), "xlsx")


def results_filenames(rnd: Round, reveal: bool) -> tuple[str, str]:
    return _names(f"Kết quả {rnd.contest.title} đợt {rnd.number}", reveal)


def participants_filenames(contest: Contest, reveal: bool) -> tuple[str, str]:
    return _names(f"Người dự thi {contest.title}", reveal)


# --- Background jobs ---------------------------------------------------------------


def export_name(job_id: int) -> str:
    """The name of a job's output file in the default storage."""
    return f"{EXPORT_DIR}/{int(job_id)}.xlsx"


def _write_output(
    job: Job, data: bytes, names: tuple[str, str], rows: int, what: str
) -> dict[str, Any]:
    name = export_name(job.pk)
    # A file of that name left by an earlier database goes: the storage would
    # otherwise save this one under another name.
    default_storage.delete(name)
    name = default_storage.save(name, ContentFile(data))
    from django.urls import reverse

    return {
        "file": name,
        "download_url": reverse("contests_stats:job_download", args=[job.pk]),
        "filename": names[1],
        "ascii_filename": names[0],
        "rows": rows,
        "message": f"Đã tạo tệp {what} ({rows:,} dòng).".replace(",", "."),
    }


@job_handler("export_results", about=round_link("round", "contests_stats:round_stats"))
def export_results_job(job: Job, progress: Progress) -> dict[str, Any]:
    rnd = (
        Round.objects.visible_to(job.created_by)
        .select_related("contest")
        .filter(pk=job.params.get("round"))
        .first()
    )
    if rnd is None:
        raise JobFailed("Không tìm thấy đợt thi hoặc bạn không còn quyền xem đợt thi này.")
    reveal = may_reveal(job.created_by, rnd.contest, job.params.get("reveal", False))
    if reveal:
        log_personal_export(rnd.contest)
    data = results_workbook(rnd, reveal, progress)
    return _write_output(job, data, results_filenames(rnd, reveal), count_results(rnd), "kết quả")


@job_handler("export_participants", about=contest_link("contest", "contests_stats:contest_stats"))
def export_participants_job(job: Job, progress: Progress) -> dict[str, Any]:
    contest = (
        Contest.objects.visible_to(job.created_by).filter(pk=job.params.get("contest")).first()
    )
    if contest is None:
        raise JobFailed("Không tìm thấy cuộc thi hoặc bạn không còn quyền xem cuộc thi này.")
    reveal = may_reveal(job.created_by, contest, job.params.get("reveal", False))
    if reveal:
        log_personal_export(contest)
    data = participants_workbook(contest, reveal, progress)
    return _write_output(
        job,
        data,
        participants_filenames(contest, reveal),
        count_participants(contest),
        "danh sách người dự thi",
    )


EXPORT_KINDS = ("export_results", "export_participants")


def job_file(job: Job) -> str | None:
    """The storage name of a finished export job's file, if it is still there."""
    if job.kind not in EXPORT_KINDS or job.status != "done":
        return None
    name = export_name(job.pk)
    if job.result.get("file") != name or not default_storage.exists(name):
        return None
    return name
