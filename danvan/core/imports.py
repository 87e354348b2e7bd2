"""Import hamlets (ấp, khu vực) from an Excel sheet: all rows or none.

The sheet has one header row (see HAMLET_HEADER) and one hamlet a row. Every
row is checked first, with a clear error per row; only when no row has an
error are the hamlets written, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from danvan.core import import_sheets as sheets
from danvan.core.excel import workbook_bytes
from danvan.core.jobs import (
    JobFailed,
    Progress,
    checked_rows,
    import_again,
    input_bytes,
    job_handler,
    page_link,
)
from danvan.core.models import HAMLET_TYPES, Area, AreaKind, Job
from danvan.core.scope import MANAGE_TREE
from danvan.core.services import add_hamlet, check_new_hamlet, hamlet_full_name
from danvan.core.text import fold

HAMLET_HEADER = ["Mã xã", "Tên ấp, khu vực", "Loại đơn vị", "Dân số"]
MAX_ROWS = 5000


@dataclass
class HamletRow:
    line: int
    commune: Area
    name: str
    unit_type: str
    population: int | None


def hamlet_template() -> bytes:
    wb, ws = sheets.template_workbook("Ấp, khu vực", HAMLET_HEADER)
    ws.append(["31420", "Mỹ Thạnh", "Ấp", 1850])
    ws.append(["31420", "Khu vực 1", "Khu vực", None])
    sheets.column_widths(ws, (12, 32, 16, 12))
    sheets.guide_sheet(
        wb,
        (
            "Mỗi dòng một ấp, khu vực. Không đổi dòng tiêu đề.",
            "Mã xã: mã đơn vị hành chính cấp xã (5 chữ số), thuộc phạm vi quản lý của bạn.",
            f"Loại đơn vị: một trong {', '.join(HAMLET_TYPES)}.",
            "Dân số: số nguyên, có thể để trống.",
        ),
    )
    return workbook_bytes(wb)


COMMUNE_CODE_DIGITS = 5


def commune_code(text: str) -> str:
    """Official commune codes have five digits; Excel stores a code typed as a number
    without its leading zeros (00004 becomes 4): put them back."""
    if text.isdecimal() and text.isascii() and len(text) < COMMUNE_CODE_DIGITS:
        return text.zfill(COMMUNE_CODE_DIGITS)
    return text


def read_hamlet_rows(data: bytes, user: Any, progress: Progress | None = None) -> list[HamletRow]:
    """Parse and check every row; raise JobFailed listing each bad row."""
    body = sheets.sheet_body(
        data,
        HAMLET_HEADER,
        max_rows=MAX_ROWS,
        wrong_header="Dòng tiêu đề không đúng mẫu. Cần đúng các cột: "
        + ", ".join(HAMLET_HEADER)
        + ". Hãy tải file mẫu và điền lại.",
    )
    if len(body) > MAX_ROWS:
        raise JobFailed(f"File có quá {MAX_ROWS} dòng; hãy chia nhỏ file.")
    communes = {
        a.code: a
        for a in Area.objects.visible_to(user, MANAGE_TREE).filter(
            kind=AreaKind.COMMUNE, valid_to__isnull=True
        )
    }
    errors: list[str] = []
    parsed: list[HamletRow] = []
    seen: dict[tuple[str, str], int] = {}
    total = len(body)
    for i, raw in enumerate(body, start=2):
        cells = sheets.row_cells(raw, 4)
        if not any(cells):
            continue
        code, name, unit_type, population_text = cells
        code = commune_code(code)
        row_errors: list[str] = []
        commune = communes.get(code)
        if not code:
            row_errors.append("thiếu mã xã")
        elif commune is None:
            row_errors.append(f"không tìm thấy xã có mã {code} trong phạm vi quản lý của bạn")
        if not name:
            row_errors.append("thiếu tên ấp, khu vực")
        matched_type = next((t for t in HAMLET_TYPES if fold(t) == fold(unit_type)), None)
        if not unit_type:
            row_errors.append("thiếu loại đơn vị")
        elif matched_type is None:
            row_errors.append(
                f"loại đơn vị “{unit_type}” không hợp lệ (chọn: {', '.join(HAMLET_TYPES)})"
            )
        population: int | None = None
        if population_text:
            if population_text.isdecimal() and population_text.isascii():
                population = int(population_text)
            else:
                row_errors.append(f"dân số “{population_text}” phải là số nguyên không âm")
        if commune is not None and name and matched_type:
            full = hamlet_full_name(name, matched_type)
            key = (commune.code, fold(full))
            if key in seen:
                row_errors.append(f"trùng tên với dòng {seen[key]}")
            else:
                seen[key] = i
                try:
                    check_new_hamlet(commune, name, matched_type)
                except ValidationError as exc:
                    row_errors.extend(m[:1].lower() + m[1:] for m in exc.messages)
        if row_errors:
            errors.append(sheets.row_error(i, row_errors))
        elif commune is not None and matched_type:
            parsed.append(HamletRow(i, commune, name, matched_type, population))
        if progress and (i % 50 == 0 or i == total + 1):
            progress(i - 1, total, f"Đã kiểm tra {i - 1}/{total} dòng")
    return checked_rows(parsed, errors, "File không có dòng dữ liệu nào.")


@job_handler(
    "import_hamlets",
    about=page_link("Danh sách địa bàn", "staff:area_list"),
    again=import_again("staff:hamlet_import", MANAGE_TREE),
)
def import_hamlets_job(job: Job, progress: Progress) -> dict[str, Any]:
    rows = read_hamlet_rows(input_bytes(job), job.created_by, progress)
    progress(0, len(rows), "Đang ghi dữ liệu…")
    with transaction.atomic():
        for row in rows:
            add_hamlet(
                row.commune, name=row.name, unit_type=row.unit_type, population=row.population
            )
    progress(len(rows), len(rows), "Đã ghi dữ liệu")
    return {"created": len(rows), "message": f"Đã nhập {len(rows)} ấp, khu vực."}
