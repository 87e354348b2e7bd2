"""The parts every Excel import shares (core/imports.py and the apps'
imports.py): the template to fill in and the first checks of an upload.

* `template_workbook`, `column_widths`, `guide_sheet`: a template whose first
  sheet holds the header row, with its column widths and a "Hướng dẫn" sheet
  of instructions, one line a row (`excel.workbook_bytes` makes the file).
* `sheet_body`: the rows under the header of an uploaded workbook, once the
  workbook opened safely (core/uploads.py), had rows at all and the header
  the template's; otherwise the job fails (`JobFailed`) saying which.
* `row_cells`, `row_error`: a row's cells as text, and the error of a row
  ("Dòng 3: thiếu tên; ...."), as `jobs.checked_rows` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from danvan.core.jobs import JobFailed
from danvan.core.text import fold
from danvan.core.uploads import cell_text, read_sheet_rows

GUIDE_TITLE = "Hướng dẫn"


def template_workbook(title: str, header: Sequence[str]) -> tuple[Workbook, Any]:
    """A new workbook and its first sheet, titled `title`, holding the `header` row."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(list(header))
    return wb, ws


def column_widths(ws: Any, widths: Sequence[float]) -> None:
    """Set the widths of the first columns of `ws`, from column A on."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def guide_sheet(wb: Workbook, lines: Iterable[str]) -> Any:
    """A "Hướng dẫn" sheet at the end of `wb`: one line of instructions a row."""
    guide = wb.create_sheet(GUIDE_TITLE)
    for line in lines:
        guide.append([line])
    return guide


def sheet_body(
    data: bytes,
    header: Sequence[str],
    *,
    max_rows: int,
    wrong_header: str,
    checked: int | None = None,
) -> list[tuple[Any, ...]]:
    """The rows under the header row of the uploaded workbook `data` (at most
    `max_rows` of them, each cut to the header's width). The job fails with
    the reason when the workbook is refused (core/uploads.py), when it has no
    row ("File không có dữ liệu."), or with `wrong_header` when the first
    `checked` cells of its header (all by default) are not `header`'s,
    ignoring case and diacritics."""
    try:
        rows = read_sheet_rows(data, max_rows=max_rows + 1, max_columns=len(header))
    except ValidationError as exc:
        raise JobFailed(exc.messages[0]) from exc
    if not rows:
        raise JobFailed("File không có dữ liệu.")
    width = len(header) if checked is None else checked
    found = [fold(cell_text(v)) for v in rows[0][: len(header)]]
    if found[:width] != [fold(h) for h in header[:width]]:
        raise JobFailed(wrong_header)
    return rows[1:]


def row_cells(raw: Sequence[Any], width: int) -> list[str]:
    """The first `width` cells of a row as text (`cell_text`), "" for a missing one."""
    return [cell_text(v) for v in (list(raw) + [None] * width)[:width]]


def row_error(line: int, problems: Sequence[str]) -> str:
    """The error of the sheet's row `line`: "Dòng 3: thiếu tên; năm “20” không hợp lệ."."""
    return f"Dòng {line}: " + "; ".join(problems) + "."
