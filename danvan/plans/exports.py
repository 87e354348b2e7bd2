"""The plans app's tables in Excel (Vietnamese intact, formula-safe cells)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

from danvan.core.excel import (
    XLSX,
    add_notes,
    append_row,
    attachment,
    filenames,
    workbook_bytes,
    write_header,
)
from danvan.core.text import format_date


def excel(data: bytes, stem: str) -> HttpResponse:
    return attachment(data, XLSX, filenames(stem, "xlsx"))


def briefings_workbook(briefings: Any) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Buổi tuyên truyền")
    write_header(
        ws,
        [("STT", 6), ("Ngày", 12), ("Đơn vị tổ chức", 32), ("Nội dung", 50), ("Hình thức", 24),
         ("Đối tượng", 24), ("Địa điểm", 24), ("Số người dự", 12), ("Chi tiết người dự", 60)],
    )  # fmt: skip
    for n, b in enumerate(briefings, start=1):
        parts = [f"{a.organization.name}: {a.attendees}" for a in b.attendances.all()]
        append_row(
            ws,
            [n, format_date(b.held_on), b.organization.name, b.topic, b.get_format_display(),
             b.get_audience_display(), b.place, sum(a.attendees for a in b.attendances.all()),
             "; ".join(parts)],
        )  # fmt: skip
    add_notes(wb, ["Danh sách theo bộ lọc đang chọn, trong phạm vi của người xuất."])
    return workbook_bytes(wb)


def target_workbook(target: Any, indicator: Any, unit: Any, figure: Any) -> bytes:
    """One target's figure for a unit: the units below it, then the rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Theo đơn vị")
    write_header(ws, [("Đơn vị", 40), ("Đạt", 12), ("Tổng", 12), ("Tỷ lệ (%)", 12)])
    for area, done, total in figure.parts:
        name = f"{area.name} (cấp này)" if area.pk == unit.pk else area.name
        append_row(ws, [name, done, total, round(100 * done / total, 1) if total else None])
    append_row(ws, ["Cộng", figure.done, figure.total, figure.percent], bold=True)
    if figure.rows:
        rows = wb.create_sheet("Chi tiết")
        write_header(rows, [("Đối tượng", 50), ("Đạt", 8), ("Ghi chú", 60)])
        for row in figure.rows:
            append_row(rows, [row.label, "Có" if row.done else "Chưa", row.note])
    add_notes(
        wb,
        [target.text, f"Địa bàn: {unit.name}. Mục tiêu {target.value}%.",
         f"Cách tính: {indicator.definition} {figure.note}".strip()],
    )  # fmt: skip
    return workbook_bytes(wb)
