"""Opening uploaded Excel workbooks without letting one kill the process.

An .xlsx file is a zip archive: a few hundred kilobytes can inflate to
gigabytes (a "zip bomb"), and openpyxl loads the shared strings of a workbook
into memory whole, even in read-only mode. So every uploaded workbook is
checked from the archive's directory before anything is decompressed
(`check_archive`): the number of members, their total uncompressed size, the
compression ratio of each large member, no encrypted member, no archive inside
the archive, no path leaving the archive. Python's zipfile never returns more
bytes than a member's declared size, so the declared sizes bound what is read.

Then the workbook is opened in openpyxl's streaming (read-only) mode and only
the first sheet's rows are read, counting while iterating (a sheet's declared
dimensions can lie), up to a given number of rows and columns
(`read_sheet_rows`). `rows_within` is that counting for any reader of lines
(a CSV reader too: contests/bank_layout.py). The limits are settings
(UPLOAD_MAX_*). Every refusal is a ValidationError with a Vietnamese message;
the importers turn it into the reason their job failed.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import Workbook, load_workbook

from danvan.core.text import clean_text, format_date

UNREADABLE = "File không đọc được. Vui lòng dùng file Excel (.xlsx) theo mẫu."
TOO_LARGE = (
    "File Excel này khi giải nén quá lớn hoặc có cấu trúc bất thường nên không được mở. "
    "Hãy chép dữ liệu cần nhập sang file mẫu rồi gửi lại."
)
# Members smaller than this are not held to the ratio limit: short, repetitive
# XML parts (styles, an empty sheet) compress very well and are harmless.
RATIO_FLOOR = 1024 * 1024
# An archive inside the workbook (embedded objects) is never needed for an import.
# (Not .bin: Excel keeps each sheet's printer settings in such a part.)
NESTED_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".xlsb", ".xls", ".docx", ".pptx", ".gz")


def cell_text(value: Any) -> str:
    """A cell as stripped text with runs of spaces collapsed (dates as dd/mm/yyyy)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            value = format_date(value.date())
        else:
            value = f"{format_date(value.date())} {value:%H:%M}"
    elif isinstance(value, date):
        value = format_date(value)
    elif isinstance(value, time):
        value = f"{value:%H:%M}"
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(clean_text(str(value)).split())


def check_archive(data: bytes, *, archives_inside: bool = False) -> None:
    """Refuse an upload whose archive would inflate beyond the limits, before
    any member is decompressed. `archives_inside`: members that are archives
    themselves are allowed (a Word document's embedded chart workbook; never
    opened by the caller)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ValidationError(UNREADABLE, code="unreadable") from exc
    if len(members) > settings.UPLOAD_MAX_MEMBERS:
        raise ValidationError(TOO_LARGE, code="too_many_members")
    total = 0
    names: set[str] = set()
    for info in members:
        name = info.filename
        normal = posixpath.normpath(name)
        if (
            info.flag_bits & 0x1  # encrypted
            or name.startswith("/")
            or normal.startswith("..")
            or (not archives_inside and name.lower().endswith(NESTED_SUFFIXES))
            or name in names
        ):
            raise ValidationError(TOO_LARGE, code="odd_member")
        names.add(name)
        total += info.file_size
        if total > settings.UPLOAD_MAX_UNCOMPRESSED_BYTES:
            raise ValidationError(TOO_LARGE, code="too_large")
        if info.file_size > RATIO_FLOOR and info.file_size > settings.UPLOAD_MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise ValidationError(TOO_LARGE, code="ratio")


def open_workbook(data: bytes) -> Workbook:
    """The workbook of an upload, checked, in streaming (read-only) mode, with
    cell values rather than formulas. Close it after use."""
    check_archive(data)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ValidationError(UNREADABLE, code="unreadable") from exc


def rows_within(
    lines: Iterable[Sequence[Any]],
    max_rows: int,
    *,
    is_blank: Callable[[Sequence[Any]], bool],
    blank_row: tuple[Any, ...],
    clean: Callable[[Sequence[Any]], tuple[Any, ...]] = tuple,
) -> list[tuple[Any, ...]]:
    """The rows of a file read line by line (`lines`, the header included), each
    as `clean(values)`, up to the last one with a value: a blank line
    (`is_blank`) between two rows stays, as `blank_row`, so that the rows keep
    the file's line numbers; trailing blank lines are dropped. A value below
    line `max_rows` is refused with a message (blank lines there are not)."""
    rows: list[tuple[Any, ...]] = []
    blank = 0  # blank lines seen since the last line with a value
    for line, values in enumerate(lines, start=1):
        if is_blank(values):
            blank += 1
            continue
        if line > max_rows:
            raise ValidationError(
                f"File có dữ liệu ở dòng {line}, trong khi chỉ đọc tới dòng {max_rows}; "
                "hãy chia nhỏ file.",
                code="too_many_rows",
            )
        rows.extend([blank_row] * blank)
        blank = 0
        rows.append(clean(values))
    return rows


def read_sheet_rows(
    data: bytes, *, max_rows: int | None = None, max_columns: int | None = None
) -> list[tuple[Any, ...]]:
    """The values of the first sheet's rows (header included), each cut to
    `max_columns` cells; trailing empty rows are dropped. A value below line
    `max_rows` is refused with a message (blank formatted rows are not)."""
    max_rows = max_rows or settings.UPLOAD_MAX_ROWS
    max_columns = min(max_columns or settings.UPLOAD_MAX_COLUMNS, settings.UPLOAD_MAX_COLUMNS)
    wb = open_workbook(data)
    try:
        if not wb.worksheets:
            return []
        ws: Any = wb.worksheets[0]
        ws.reset_dimensions()  # the declared dimensions may lie: read what is there
        return rows_within(
            ws.iter_rows(values_only=True, max_col=max_columns),
            max_rows,
            is_blank=lambda values: all(v is None or v == "" for v in values),
            blank_row=(None,) * max_columns,
        )
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(UNREADABLE, code="unreadable") from exc
    finally:
        wb.close()
