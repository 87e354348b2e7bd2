"""Aggregate returns from Excel (one row a unit and indicator) for a period:
every row checked first, with an error per row; only when none has one are
the returns written, all in one transaction, as a background job with its
progress."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from danvan.core.indicators import FIGURES, INDICATORS
from danvan.core.jobs import JobFailed, Progress, job_handler
from danvan.core.models import Area, AreaKind, Job, Period
from danvan.core.scope import MANAGE, get_scope
from danvan.core.text import fold
from danvan.core.uploads import cell_text, read_sheet_rows
from danvan.plans.models import AggregateReturn

HEADER = ["Mã đơn vị", "Tên đơn vị", "Chỉ số", "Số đạt", "Tổng số", "Ghi chú"]
MAX_ROWS = 20_000


def return_template(user: Any) -> bytes:
    """The sheet to fill: every commune in the user's scope once per indicator."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Số liệu"
    ws.append(HEADER)
    communes = (
        Area.objects.visible_to(user, MANAGE)
        .current()
        .filter(kind=AreaKind.COMMUNE)
        .order_by("path")[:2000]
    )
    for commune in communes:
        for indicator in INDICATORS.values():
            ws.append([commune.code, commune.name, indicator.label, None, None, None])
    guide = wb.create_sheet("Hướng dẫn")
    for line in (
        "Mỗi dòng một đơn vị và một chỉ số. Không đổi dòng tiêu đề; dòng để trống số bị bỏ qua.",
        "Mã đơn vị: mã đơn vị hành chính, thuộc phạm vi quản lý của bạn.",
        "Chỉ số: đúng tên như trong mẫu: " + "; ".join(i.label for i in INDICATORS.values()) + ".",
        "Số đạt và tổng số: số nguyên không âm, số đạt không lớn hơn tổng số.",
        "Số liệu tổng hợp chỉ được tính cho đơn vị chưa có số liệu chi tiết trên hệ thống.",
        "Nếu có dòng lỗi, không dòng nào được nhập; hãy sửa theo danh sách lỗi rồi nhập lại.",
    ):
        guide.append([line])
    for col, width in zip("ABCDEF", (12, 30, 60, 10, 10, 30), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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
    from django.core.exceptions import ValidationError

    try:
        rows = read_sheet_rows(data, max_rows=MAX_ROWS + 1, max_columns=len(HEADER))
    except ValidationError as exc:
        raise JobFailed(exc.messages[0]) from exc
    if not rows:
        raise JobFailed("File không có dữ liệu.")
    header = [fold(cell_text(v)) for v in rows[0][: len(HEADER)]]
    if header[:5] != [fold(h) for h in HEADER[:5]]:
        raise JobFailed("Dòng tiêu đề không đúng mẫu. Cần các cột: " + " | ".join(HEADER) + ".")
    areas = {a.code: a for a in Area.objects.visible_to(user, MANAGE).current()}
    by_label = {fold(i.label): code for code, i in INDICATORS.items()}
    by_label.update({code: code for code in INDICATORS})
    lines: list[Line] = []
    errors: list[str] = []
    seen: dict[tuple[int, str], int] = {}
    total_rows = len(rows) - 1
    for number, raw in enumerate(rows[1:], start=2):
        cells = [cell_text(v) for v in (list(raw) + [None] * len(HEADER))[: len(HEADER)]]
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
            errors.append(f"Dòng {number}: " + "; ".join(problems) + ".")
            continue
        assert area is not None and indicator is not None and done is not None
        assert total is not None
        lines.append(Line(area, indicator, done, total, note[:300]))
        if progress and number % 200 == 0:
            progress(number - 1, total_rows, f"Đã kiểm tra {number - 1}/{total_rows} dòng")
    if errors:
        raise JobFailed(
            f"Có {len(errors)} dòng lỗi; chưa nhập dòng nào. Sửa các dòng dưới đây rồi nhập lại.",
            errors,
        )
    if not lines:
        raise JobFailed("File không có dòng số liệu nào.")
    return lines


def _list(job: Job, user: Any) -> tuple[str, str] | None:
    return "Báo cáo số liệu tổng hợp", reverse("plans_staff:return_list")


def _again(job: Job, user: Any) -> tuple[str, str] | None:
    if not get_scope(user).allows(MANAGE):
        return None
    return "Nhập lại từ file khác", reverse("plans_staff:return_import")


@job_handler("import_returns", about=_list, again=_again)
def import_returns_job(job: Job, progress: Progress) -> dict[str, Any]:
    period = Period.objects.filter(pk=job.params.get("period")).first()
    if period is None:
        raise JobFailed("Kỳ báo cáo không còn trên hệ thống.")
    with job.input_file.open("rb") as fh:
        data = fh.read()
    lines = read_returns(data, job.created_by, progress)
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
