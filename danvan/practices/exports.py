"""The practices list in Excel: what the list shows, one row a practice, with
its results, as the board keeps it for the review conference."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from danvan.core.excel import add_notes, append_row, workbook_bytes, write_header
from danvan.core.text import format_date

HEADER = [
    ("STT", 6),
    ("Tên mô hình, điển hình", 50),
    ("Loại", 10),
    ("Lĩnh vực", 22),
    ("Cấp", 16),
    ("Năm", 8),
    ("Địa bàn", 24),
    ("Đơn vị chủ trì", 30),
    ("Người phụ trách", 22),
    ("Trạng thái", 18),
    ("Quyết định công nhận", 40),
    ("Kết quả", 60),
]


def export_workbook(practices: Any) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Mô hình, điển hình")
    write_header(ws, HEADER)
    rows = practices.prefetch_related("indicators")
    for number, p in enumerate(rows, start=1):
        decision = (
            f"Số {p.decision_number} ngày {format_date(p.decision_date)} của {p.issuing_body}"
            if p.decision_number
            else ""
        )
        results = "; ".join(
            f"{i.label}: {i.value.normalize():f} {i.unit}" for i in p.indicators.all()
        )
        append_row(
            ws,
            [
                number,
                p.title,
                p.get_kind_display(),
                p.get_field_display(),
                p.get_level_display(),
                p.year,
                p.area.name,
                p.organization.name,
                p.lead_official,
                p.get_status_display(),
                decision,
                results,
            ],
        )
    add_notes(wb, ["Danh sách theo bộ lọc đang chọn, trong phạm vi của người xuất."])
    return workbook_bytes(wb)


CAMPAIGN_HEADER = [
    ("Hạng", 8),
    ("Mục bình chọn", 50),
    ("Loại", 12),
    ("Địa bàn", 24),
    ("Số phiếu", 12),
]


def campaign_workbook(campaign: Any, rows: list[list[Any]], frozen: bool) -> bytes:
    """A campaign's entries with their votes: frozen (ranked) or live at this moment."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Kết quả bình chọn")
    write_header(ws, CAMPAIGN_HEADER)
    for row in rows:
        append_row(ws, row)
    when = "đã khóa (kiểm lại từ các phiếu)" if frozen else "đang bình chọn: số phiếu tại lúc xuất"
    add_notes(wb, [f"Đợt bình chọn: {campaign.title}", f"Kết quả {when}."])
    return workbook_bytes(wb)
