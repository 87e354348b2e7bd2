"""A year's registrations of practices from Excel: all rows or none.

The sheet "Đăng ký" of `registration_template()` has one header row
(`HEADER`) and one practice a row; its examples stand on a sheet of their own.
Every row is checked first (the unit by its code, in the importer's scope; the
lead body by its name in that unit; field, level and kind by their labels,
ignoring diacritics), with a clear error per row; only when no row has an
error are the practices registered, in one transaction, as a background job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from danvan.core import import_sheets as sheets
from danvan.core.excel import workbook_bytes
from danvan.core.jobs import (
    Progress,
    checked_rows,
    import_again,
    input_bytes,
    job_handler,
    page_link,
)
from danvan.core.models import Area, Job, Organization
from danvan.core.scope import MANAGE
from danvan.core.text import fold
from danvan.practices import services
from danvan.practices.models import Field, Kind, Level

HEADER = [
    "Tên mô hình, điển hình",
    "Loại",
    "Lĩnh vực",
    "Cấp",
    "Năm",
    "Mã địa bàn",
    "Đơn vị chủ trì",
    "Người phụ trách",
    "Ngày bắt đầu",
    "Mục tiêu",
    "Cách làm",
]
MAX_ROWS = 2000
EXAMPLE = [
    "Dân vận khéo trong hiến đất làm đường",
    "Mô hình",
    "Kinh tế",
    "Cấp xã",
    2026,
    "31420",
    "Ban Dân vận Đảng ủy xã Phụng Hiệp",
    "Nguyễn Văn A",
    "01/02/2026",
    "Vận động Nhân dân hiến đất mở rộng đường liên ấp.",
    "Cấp ủy lãnh đạo, Mặt trận và đoàn thể vận động từng hộ.",
]


def registration_template() -> bytes:
    wb, ws = sheets.template_workbook("Đăng ký", HEADER)
    examples = wb.create_sheet("Ví dụ")
    examples.append(["Dòng dưới đây chỉ là ví dụ, không được nhập. Điền ở trang “Đăng ký”."])
    examples.append(HEADER)
    examples.append(EXAMPLE)
    sheets.guide_sheet(
        wb,
        (
            "Mỗi dòng một mô hình, điển hình. Không đổi dòng tiêu đề.",
            "Loại: Mô hình hoặc Điển hình. Lĩnh vực: " + "; ".join(Field.labels) + ".",
            "Cấp: " + "; ".join(Level.labels) + ".",
            "Mã địa bàn: mã đơn vị hành chính (xã 5 chữ số), thuộc phạm vi quản lý của bạn.",
            "Đơn vị chủ trì: tên tổ chức ở địa bàn đó, đúng như trong danh sách tổ chức.",
            "Ngày bắt đầu: dd/mm/yyyy, có thể để trống.",
            "Nếu có dòng lỗi, không dòng nào được nhập; hãy sửa theo danh sách lỗi rồi nhập lại.",
        ),
    )
    for sheet in (ws, examples):
        sheets.column_widths(sheet, (40, 12, 26, 18, 8, 12, 36, 22, 14, 40, 40))
    return workbook_bytes(wb)


def _choice(text: str, choices: Any) -> str | None:
    wanted = fold(text)
    for value, label in choices:
        if fold(label) == wanted or value == wanted:
            return str(value)
    return None


@dataclass
class Registration:
    line: int
    values: dict[str, Any]


def read_registrations(
    data: bytes, user: Any, progress: Progress | None = None
) -> list[Registration]:
    """Parse and check every row; raise JobFailed listing each bad row."""
    body_rows = sheets.sheet_body(
        data,
        HEADER,
        max_rows=MAX_ROWS,
        wrong_header="Dòng tiêu đề không đúng mẫu. Cần đúng các cột: " + " | ".join(HEADER) + ".",
    )
    areas = {a.code: a for a in Area.objects.visible_to(user, MANAGE).current()}
    orgs: dict[tuple[int, str], Organization] = {
        (o.area_id, fold(o.name)): o
        for o in Organization.objects.visible_to(user, MANAGE).filter(valid_to__isnull=True)
    }
    parsed: list[Registration] = []
    errors: list[str] = []
    for line, raw in enumerate(body_rows, start=2):
        cells = sheets.row_cells(raw, len(HEADER))
        if not any(cells):
            continue
        title, kind, field, level, year, code, org, lead, started, aims, method = cells
        problems: list[str] = []
        if not title:
            problems.append("thiếu tên")
        kind_value = _choice(kind or "Mô hình", Kind.choices)
        if kind_value is None:
            problems.append(f"loại “{kind}” không hợp lệ")
        field_value = _choice(field, Field.choices)
        if field_value is None:
            problems.append(f"lĩnh vực “{field}” không hợp lệ")
        level_value = _choice(level, Level.choices)
        if level_value is None:
            problems.append(f"cấp “{level}” không hợp lệ")
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            problems.append(f"năm “{year}” không hợp lệ")
        area = areas.get(code)
        if area is None:
            problems.append(f"mã địa bàn “{code}” không có hoặc ngoài phạm vi quản lý của bạn")
        body = orgs.get((area.pk, fold(org))) if area is not None else None
        if area is not None and body is None:
            problems.append(f"không có tổ chức “{org}” ở {area.name}")
        started_on = None
        if started:
            try:
                started_on = datetime.strptime(started, "%d/%m/%Y").date()
            except ValueError:
                problems.append(f"ngày bắt đầu “{started}” không đúng dạng dd/mm/yyyy")
        if problems:
            errors.append(sheets.row_error(line, problems))
            continue
        parsed.append(
            Registration(
                line,
                {
                    "title": title[:300], "kind": kind_value, "field": field_value,
                    "level": level_value, "year": int(year), "area": area, "organization": body,
                    "lead_official": lead[:200], "started_on": started_on, "aims": aims,
                    "method": method,
                },
            )
        )  # fmt: skip
        if progress and line % 50 == 0:
            progress(line - 1, len(body_rows), f"Đã kiểm tra {line - 1} dòng")
    return checked_rows(parsed, errors, "File không có dòng đăng ký nào.")


@job_handler(
    "import_practices",
    about=page_link("Danh sách mô hình, điển hình", "practices_staff:practice_list"),
    again=import_again("practices_staff:practice_import", MANAGE),
)
def import_practices_job(job: Job, progress: Progress) -> dict[str, Any]:
    rows = read_registrations(input_bytes(job), job.created_by, progress)
    with transaction.atomic():
        for i, row in enumerate(rows, start=1):
            services.register_practice(by=job.created_by, **row.values)
            if i % 50 == 0:
                progress(i, len(rows), f"Đã ghi {i}/{len(rows)} mô hình")
    return {"created": len(rows), "message": f"Đã nhập {len(rows)} mô hình, điển hình."}
