"""Excel files and file downloads, for every app's exports.

* `safe_cell`: a cell whose text a spreadsheet would read as a formula (=, +,
  -, @, tab, CR) is written as text with the quote prefix, so a name typed as
  "=HYPERLINK(...)" stays a name; control characters are dropped.
* `write_header`, `append_row`, `add_notes`, `workbook_bytes`: the parts of a
  write-only workbook (openpyxl's streaming mode) as every export lays it out:
  a bold header row with column widths and frozen panes, rows of safe cells, a
  "Ghi chú" sheet of notes.
* `filenames`, `content_disposition`, `attachment`: the name of a downloaded
  file in ASCII and in Vietnamese (RFC 6266 `filename*`), and the response that
  carries it (`private, no-store`: exports hold data that proxies must not keep).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from danvan.core.text import slug_vi

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


# --- Cells and sheets --------------------------------------------------------------


def safe_cell(ws: Any, value: Any) -> Any:
    """A cell for `value`; text that a spreadsheet would take for a formula is
    written as a string cell with the quote prefix (shown as typed, never run)."""
    if isinstance(value, str):
        value = "".join(ch for ch in value if ch in "\t\r\n" or ord(ch) >= 32)
        cell = WriteOnlyCell(ws, value=value)
        if value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
        return cell
    return value


def write_header(ws: Any, headers: Sequence[tuple[str, int]]) -> None:
    """The header row of a write-only sheet: (title, column width) per column,
    bold on a light fill, wrapped, the panes frozen below it."""
    for i, (_title, width) in enumerate(headers):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F6F4EF")
    wrap = Alignment(wrap_text=True, vertical="top")
    row = []
    for title, _w in headers:
        cell = safe_cell(ws, title)
        cell.font = bold
        cell.fill = fill
        cell.alignment = wrap
        row.append(cell)
    ws.append(row)


def append_row(ws: Any, values: Iterable[Any], *, bold: bool = False) -> None:
    """One row of safe cells (`bold`: its text cells in bold)."""
    row = []
    for v in values:
        cell = safe_cell(ws, v)
        if bold and isinstance(v, str):
            cell.font = Font(bold=True)
        row.append(cell)
    ws.append(row)


def add_notes(wb: Workbook, lines: Iterable[str]) -> None:
    """A "Ghi chú" sheet: one line of explanation a row (what, when, caveats)."""
    ws = wb.create_sheet("Ghi chú")
    ws.column_dimensions["A"].width = 100
    for line in lines:
        append_row(ws, [line])


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- Downloads ---------------------------------------------------------------------


def filenames(stem_vi: str, ext: str) -> tuple[str, str]:
    """(ASCII name, UTF-8 name) of a file to download, from a Vietnamese stem."""
    readable = " ".join(_UNSAFE.sub(" ", stem_vi).split())[:150] or "tep-xuat"
    return f"{slug_vi(readable, 120) or 'tep-xuat'}.{ext}", f"{readable}.{ext}"


def content_disposition(ascii_name: str, utf8_name: str) -> str:
    """attachment; filename="ket-qua.xlsx"; filename*=UTF-8''K%E1%BA%BFt%20qu%E1%BA%A3.xlsx"""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(utf8_name, safe='')}"


def attachment(data: bytes, content_type: str, names: tuple[str, str]) -> HttpResponse:
    """A file to download, named by `filenames`, never kept by a cache."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(*names)
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_attachment(data: bytes, stem_vi: str) -> HttpResponse:
    """A workbook to download (`attachment`), named from the Vietnamese `stem_vi`."""
    return attachment(data, XLSX, filenames(stem_vi, "xlsx"))
