"""Imports from Excel, each a background job with its progress, every row
checked first with an error per row, nothing written unless none has one:
aggregate returns (one row a unit and indicator) for a period, and the
attendees of a briefing listed by name (one row a person)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from danvan.core import import_sheets as sheets
from danvan.core.excel import workbook_bytes
from danvan.core.indicators import FIGURES, INDICATORS
from danvan.core.jobs import (
    JobFailed,
    Progress,
    checked_rows,
    import_again,
    input_bytes,
    job_handler,
    page_link,
)
from danvan.core.models import Area, AreaKind, Job, Organization, Period
from danvan.core.scope import MANAGE
from danvan.core.text import fold
from danvan.plans.briefings import Named, same_name
from danvan.plans.models import ATTENDING, AggregateReturn, Briefing, Gender

HEADER = ["Mã đơn vị", "Tên đơn vị", "Chỉ số", "Số đạt", "Tổng số", "Ghi chú"]
MAX_ROWS = 20_000


def return_template(user: Any) -> bytes:
    """The sheet to fill: every commune in the user's scope once per indicator."""
    wb, ws = sheets.template_workbook("Số liệu", HEADER)
    communes = (
        Area.objects.visible_to(user, MANAGE)
        .current()
        .filter(kind=AreaKind.COMMUNE)
        .order_by("path")[:2000]
    )
    for commune in communes:
        for indicator in INDICATORS.values():
            ws.append([commune.code, commune.name, indicator.label, None, None, None])
    sheets.guide_sheet(
        wb,
        (
            "Mỗi dòng một đơn vị và một chỉ số. Không đổi dòng tiêu đề; dòng để trống số bị bỏ "
            "qua.",
            "Mã đơn vị: mã đơn vị hành chính, thuộc phạm vi quản lý của bạn.",
            "Chỉ số: đúng tên như trong mẫu: "
            + "; ".join(i.label for i in INDICATORS.values())
            + ".",
            "Số đạt và tổng số: số nguyên không âm, số đạt không lớn hơn tổng số.",
            "Số liệu tổng hợp chỉ được tính cho đơn vị chưa có số liệu chi tiết trên hệ thống.",
            "Nếu có dòng lỗi, không dòng nào được nhập; hãy sửa theo danh sách lỗi rồi nhập lại.",
        ),
    )
    sheets.column_widths(ws, (12, 30, 60, 10, 10, 30))
    return workbook_bytes(wb)


@dataclass
class Line:
    area: Area
    indicator: str
    done: int
    total: int
    note: str


def _number(text: str) -> int | None:
    text = text.replace(".", "").replace(" ", "")
    return int(text) if text.isascii() and text.isdigit() else None


def read_returns(data: bytes, user: Any, progress: Progress | None = None) -> list[Line]:
    """Parse and check every row; raise JobFailed listing each bad row."""
    body_rows = sheets.sheet_body(
        data,
        HEADER,
        max_rows=MAX_ROWS,
        checked=5,  # the note may be left out
        wrong_header="Dòng tiêu đề không đúng mẫu. Cần các cột: " + " | ".join(HEADER) + ".",
    )
    areas = {a.code: a for a in Area.objects.visible_to(user, MANAGE).current()}
    by_label = {fold(i.label): code for code, i in INDICATORS.items()}
    by_label.update({code: code for code in INDICATORS})
    lines: list[Line] = []
    errors: list[str] = []
    seen: dict[tuple[int, str], int] = {}
    total_rows = len(body_rows)
    for number, raw in enumerate(body_rows, start=2):
        cells = sheets.row_cells(raw, len(HEADER))
        code, _name, label, done_text, total_text, note = cells
        if not any(cells) or (not done_text and not total_text):
            continue  # an empty row, or a unit left blank
        problems: list[str] = []
        area = areas.get(code)
        if area is None:
            problems.append(f"mã đơn vị “{code}” không có hoặc ngoài phạm vi quản lý của bạn")
        indicator = by_label.get(fold(label))
        if indicator is None:
            problems.append(f"chỉ số “{label}” không có trong danh sách")
        done, total = _number(done_text), _number(total_text)
        if done is None or total is None:
            problems.append("số đạt và tổng số phải là số nguyên không âm")
        elif done > total:
            problems.append(f"số đạt ({done}) lớn hơn tổng số ({total})")
        if area is not None and indicator is not None:
            first = seen.setdefault((area.pk, indicator), number)
            if first != number:
                problems.append(f"trùng với dòng {first}")
        if problems:
            errors.append(sheets.row_error(number, problems))
            continue
        assert area is not None and indicator is not None and done is not None
        assert total is not None
        lines.append(Line(area, indicator, done, total, note[:300]))
        if progress and number % 200 == 0:
            progress(number - 1, total_rows, f"Đã kiểm tra {number - 1}/{total_rows} dòng")
    return checked_rows(lines, errors, "File không có dòng số liệu nào.")


@job_handler(
    "import_returns",
    about=page_link("Báo cáo số liệu tổng hợp", "plans_staff:return_list"),
    again=import_again("plans_staff:return_import", MANAGE),
)
def import_returns_job(job: Job, progress: Progress) -> dict[str, Any]:
    period = Period.objects.filter(pk=job.params.get("period")).first()
    if period is None:
        raise JobFailed("Kỳ báo cáo không còn trên hệ thống.")
    lines = read_returns(input_bytes(job), job.created_by, progress)
    existing = {
        (r.area_id, r.indicator): r
        for r in AggregateReturn.objects.filter(
            period=period, area__in=[line.area for line in lines]
        )
    }
    new, changed = [], []
    for line in lines:
        row = existing.get((line.area.pk, line.indicator))
        if row is None:
            new.append(
                AggregateReturn(
                    area=line.area, period=period, indicator=line.indicator, done=line.done,
                    total=line.total, note=line.note, created_by=job.created_by,
                )
            )  # fmt: skip
        else:
            row.done, row.total, row.note = line.done, line.total, line.note
            row.updated_at = timezone.now()
            changed.append(row)
    with transaction.atomic():
        AggregateReturn.objects.bulk_create(new, batch_size=500)
        AggregateReturn.objects.bulk_update(
            changed, ["done", "total", "note", "updated_at"], batch_size=500
        )
        FIGURES.changed()  # bulk writes send no signal
    progress(len(lines), len(lines), f"Đã ghi {len(lines)} dòng")
    message = f"Đã nhập {len(lines)} dòng số liệu kỳ {period.name} ({len(new)} mới)."
    return {"created": len(new), "updated": len(changed), "message": message}


# --- Attendees of a briefing, by name ----------------------------------------------------------

ATTENDEE_HEADER = ["Họ và tên", "Chi hội, đoàn thể", "Giới tính", "Dân tộc", "Số điện thoại"]
MAX_ATTENDEES = 2000


def attending_bodies(user: Any, briefing: Briefing) -> Any:
    """The bodies whose members may be listed at `briefing`: those in force in
    the user's scope under the organiser's unit, in tree order."""
    return (
        Organization.objects.visible_to(user)
        .current()
        .filter(kind__in=ATTENDING, area__path__startswith=briefing.organization.area.path)
        .select_related("area")
        .order_by("path")
    )


def body_label(body: Organization) -> str:
    """How a body is written in the sheet when its name alone is not unique."""
    return f"{body.name} ({body.area.name})"


def attendee_template(user: Any, briefing: Briefing) -> bytes:
    """The sheet to fill for a briefing, with the bodies that may be named."""
    wb, ws = sheets.template_workbook("Người dự", ATTENDEE_HEADER)
    ws.append(["Nguyễn Thị Lan", "Chi hội Phụ nữ ấp Mỹ Thạnh", "Nữ", "Kinh", None])
    sheets.column_widths(ws, (28, 40, 10, 12, 16))
    bodies = wb.create_sheet("Chi hội, đoàn thể")
    bodies.append(["Tên ghi trong cột “Chi hội, đoàn thể”"])
    names = list(attending_bodies(user, briefing)[:2000])
    counts: dict[str, int] = {}
    for body in names:
        counts[fold(body.name)] = counts.get(fold(body.name), 0) + 1
    for body in names:
        bodies.append([body.name if counts[fold(body.name)] == 1 else body_label(body)])
    bodies.column_dimensions["A"].width = 60
    sheets.guide_sheet(
        wb,
        (
            f"Danh sách người dự buổi “{briefing.topic}” ngày {briefing.held_on:%d/%m/%Y}.",
            "Mỗi dòng một người. Không đổi dòng tiêu đề; xóa dòng ví dụ trước khi nhập.",
            "Chi hội, đoàn thể: đúng tên như trong trang “Chi hội, đoàn thể” của file này.",
            "Giới tính (Nam hoặc Nữ), dân tộc và số điện thoại: không bắt buộc.",
            "Số điện thoại được mã hóa khi lưu; danh sách trên hệ thống chỉ hiện một phần số.",
            "Người có tên được tính vào số người dự của chi hội, đoàn thể của họ (nếu chi hội đã "
            "ghi số người dự thì danh sách tên không được nhiều hơn số đó).",
            "Nếu có dòng lỗi, không dòng nào được nhập; hãy sửa theo danh sách lỗi rồi nhập lại.",
        ),
    )
    return workbook_bytes(wb)


def read_attendees(data: bytes, user: Any, briefing: Briefing) -> list[Named]:
    """Parse and check every row; raise JobFailed listing each bad row."""
    from django.core.exceptions import ValidationError

    from danvan.core.validators import normalize_phone

    body_rows = sheets.sheet_body(
        data,
        ATTENDEE_HEADER,
        max_rows=MAX_ATTENDEES,
        checked=2,  # gender, ethnicity and phone may be left out
        wrong_header="Dòng tiêu đề không đúng mẫu. Cần các cột: "
        + " | ".join(ATTENDEE_HEADER)
        + ".",
    )
    bodies = list(attending_bodies(user, briefing))
    by_name: dict[str, list[Organization]] = {}
    for body in bodies:
        by_name.setdefault(fold(body.name), []).append(body)
        by_name.setdefault(fold(body_label(body)), []).append(body)
    genders = {fold(label): value for value, label in Gender.choices}
    existing = {
        (same_name(a.full_name), a.organization_id, a.phone) for a in briefing.named_attendees.all()
    }
    people: list[Named] = []
    errors: list[str] = []
    seen: dict[tuple[str, int, str], int] = {}
    for number, raw in enumerate(body_rows, start=2):
        cells = sheets.row_cells(raw, 5)
        if not any(cells):
            continue
        full_name, body_text, gender_text, ethnicity, phone_text = cells
        problems: list[str] = []
        if not full_name:
            problems.append("thiếu họ và tên")
        elif len(full_name) > 150:
            problems.append("họ và tên dài quá 150 ký tự")
        found = by_name.get(fold(body_text), [])
        if not body_text:
            problems.append("thiếu chi hội, đoàn thể")
        elif not found:
            problems.append(
                f"không có chi hội, đoàn thể “{body_text}” trên địa bàn của buổi tuyên truyền "
                "trong phạm vi của bạn"
            )
        elif len(found) > 1:
            problems.append(
                f"có {len(found)} chi hội, đoàn thể tên “{body_text}”: hãy ghi kèm địa bàn, "
                f"ví dụ “{body_label(found[0])}”"
            )
        gender = genders.get(fold(gender_text), "") if gender_text else ""
        if gender_text and not gender:
            problems.append(f"giới tính “{gender_text}” không hợp lệ (Nam hoặc Nữ)")
        if len(ethnicity) > 50:
            problems.append("dân tộc dài quá 50 ký tự")
        phone = ""
        if phone_text:
            try:
                phone = normalize_phone(phone_text)
            except ValidationError:
                problems.append(f"số điện thoại “{phone_text}” không đúng")
        if not problems:
            person = Named(full_name, found[0], gender, ethnicity, phone)
            first = seen.setdefault(person.key(), number)
            if first != number:
                problems.append(f"trùng với dòng {first}")
            elif person.key() in existing:
                problems.append("đã có trong danh sách người dự của buổi này")
            else:
                people.append(person)
        if problems:
            errors.append(sheets.row_error(number, problems))
    return checked_rows(people, errors, "File không có người dự nào.")


def _briefing_link(job: Job, user: Any) -> tuple[str, str] | None:
    pk = job.params.get("briefing")
    if not Briefing.objects.visible_to(user).filter(pk=pk).exists():
        return None
    return "Buổi tuyên truyền", reverse("plans_staff:briefing_detail", args=[pk])


def _import_again(job: Job, user: Any) -> tuple[str, str] | None:
    pk = job.params.get("briefing")
    if not Briefing.objects.visible_to(user, MANAGE).filter(pk=pk).exists():
        return None
    return "Nhập lại từ file khác", reverse("plans_staff:attendee_import", args=[pk])


@job_handler("import_attendees", about=_briefing_link, again=_import_again)
def import_attendees_job(job: Job, progress: Progress) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    from danvan.plans.briefings import add_attendees

    user = job.created_by
    briefing = (
        Briefing.objects.visible_to(user, MANAGE)
        .select_related("organization__area")
        .filter(pk=job.params.get("briefing"))
        .first()
    )
    if briefing is None:
        raise JobFailed("Buổi tuyên truyền không còn, hoặc không thuộc phạm vi quản lý của bạn.")
    people = read_attendees(input_bytes(job), user, briefing)
    progress(len(people), len(people), f"Đã kiểm tra {len(people)} dòng")
    try:
        added = add_attendees(briefing, people)
    except ValidationError as error:
        raise JobFailed("Chưa nhập dòng nào: " + " ".join(error.messages)) from None
    message = f"Đã nhập {len(added)} người dự của buổi “{briefing.topic}”."
    return {"created": len(added), "message": message}
