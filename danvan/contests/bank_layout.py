"""The layout of an organiser's own question file: which column holds what.

Organisers keep their banks in their own tables (STT | Câu hỏi | A | B | C | D |
Đáp án, often under a title row, seldom with a topic column), not only in the
project's template. `recognise` finds the header row among the first rows and
names each column by the usual words for it (`SYNONYMS`, compared without
diacritics or case); a column it cannot name the officer maps on the preview
page (`ROLE_CHOICES`). `canonical` then turns a data row into the template's
11 cells, which the import checks as before.

`read_table` reads .xlsx (the first sheet) and .csv (UTF-8, with or without
BOM, or Windows-1258 as old Vietnamese Excel saves it); an .xls file is refused
with the way to save it as .xlsx.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from danvan.contests.models import LETTERS
from danvan.core.text import fold
from danvan.core.uploads import read_sheet_rows, rows_within

CATEGORY, TEXT, KIND, ANSWER, EXPLANATION, IGNORE = (
    "category",
    "text",
    "kind",
    "answer",
    "explanation",
    "ignore",
)
CHOICES = tuple(f"choice_{letter}" for letter in LETTERS)  # choice_A … choice_F

ROLE_LABELS: dict[str, str] = {
    CATEGORY: "Chủ đề",
    TEXT: "Câu hỏi",
    KIND: "Loại (một / nhiều đáp án)",
    **{role: f"Phương án {letter}" for role, letter in zip(CHOICES, LETTERS, strict=True)},
    ANSWER: "Đáp án đúng",
    EXPLANATION: "Giải thích",
    IGNORE: "(bỏ qua cột này)",
}
ROLE_CHOICES = [(role, label) for role, label in ROLE_LABELS.items()]

# The words organisers head their columns with, folded (no diacritics, lower case).
SYNONYMS: dict[str, tuple[str, ...]] = {
    IGNORE: ("stt", "tt", "so tt", "so thu tu", "thu tu", "ma cau", "ma cau hoi"),
    CATEGORY: ("chu de", "linh vuc", "nhom cau hoi", "nhom", "chuyen de"),
    TEXT: ("cau hoi", "noi dung cau hoi", "noi dung", "cau hoi trac nghiem", "de bai"),
    KIND: ("loai", "loai cau hoi", "kieu cau hoi"),
    ANSWER: (
        "dap an",
        "dap an dung",
        "dap an chinh xac",
        "tra loi dung",
        "phuong an dung",
        "ket qua",
    ),
    EXPLANATION: ("giai thich", "giai thich dap an", "ghi chu", "can cu", "nguon"),
}
_CHOICE_HEADER = re.compile(r"^(?:phuong an|lua chon|dap an|pa|y)?\s*([a-f])[.):]?$")

HEADER_SEARCH = 10
"""Rows looked at for the header (title rows above it are skipped)."""

XLS_REFUSED = (
    "File .xls (Excel 97–2003) chưa đọc được. Hãy mở file bằng Excel, chọn Tệp → Lưu "
    "thành → “Sổ làm việc Excel (*.xlsx)”, rồi chọn lại file .xlsx vừa lưu."
)
UNSUPPORTED = "Chỉ nhận file Excel (.xlsx) hoặc CSV (.csv)."


def used_width(rows: list[tuple[Any, ...]], look: int = HEADER_SEARCH + 50) -> int:
    """How many columns the first rows use (a sheet pads its rows with empty cells)."""
    width = 0
    for row in rows[:look]:
        filled = [i for i, v in enumerate(row) if v not in (None, "")]
        if filled:
            width = max(width, filled[-1] + 1)
    return width


def role_of(header: Any) -> str | None:
    """The role a header cell names, or None."""
    text = fold(str(header or "")).strip(" :*")
    if not text:
        return None
    match = _CHOICE_HEADER.match(text)
    if match:
        return f"choice_{match.group(1).upper()}"
    for role, words in SYNONYMS.items():
        if text in words:
            return role
    return None


@dataclass
class Layout:
    """Row `header` (0-based in the table) names the columns; `columns`: the
    role of each column (by index), IGNORE for the others."""

    header: int
    columns: list[str] = field(default_factory=list)

    def index(self, role: str) -> int | None:
        return self.columns.index(role) if role in self.columns else None

    def missing(self) -> list[str]:
        """What the import cannot do without, in Vietnamese (empty: complete)."""
        needs = [ROLE_LABELS[TEXT], ROLE_LABELS[ANSWER]] if TEXT not in self.columns else []
        if TEXT in self.columns and ANSWER not in self.columns:
            needs = [ROLE_LABELS[ANSWER]]
        choices = [c for c in CHOICES if c in self.columns]
        if len(choices) < 2:
            needs.append("ít nhất hai cột phương án (A, B)")
        return needs

    def duplicates(self) -> list[str]:
        roles = [r for r in self.columns if r != IGNORE]
        return sorted({ROLE_LABELS[r] for r in roles if roles.count(r) > 1})

    def as_params(self) -> dict[str, Any]:
        return {"header": self.header, "columns": list(self.columns)}

    @classmethod
    def from_params(cls, data: dict[str, Any]) -> Layout:
        return cls(header=int(data["header"]), columns=[str(c) for c in data["columns"]])


def recognise(rows: list[tuple[Any, ...]]) -> Layout:
    """The most likely header among the first rows: the one naming the most
    columns (a question column first of all); the first row when none does."""
    best: Layout | None = None
    best_score = 0
    for i, row in enumerate(rows[:HEADER_SEARCH]):
        roles = [role_of(cell) for cell in row]
        named = [r for r in roles if r and r != IGNORE]
        score = len(named) + (3 if TEXT in named else 0)
        if score > best_score and len(named) >= 2:
            columns = _unique([r or IGNORE for r in roles[: used_width(rows)]])
            best, best_score = Layout(i, columns), score
    if best is None:
        return Layout(0, [IGNORE] * used_width(rows))
    return best


def _unique(roles: list[str]) -> list[str]:
    """A role named twice (two "Đáp án" columns) keeps its first column."""
    seen: set[str] = set()
    out = []
    for role in roles:
        out.append(IGNORE if role != IGNORE and role in seen else role)
        seen.add(role)
    return out


def canonical(row: tuple[Any, ...], layout: Layout, default_category: str = "") -> list[Any]:
    """A data row in the template's order: topic, question, kind, A–F, answer,
    explanation (the topic left empty is the default one)."""
    cells = list(row) + [None] * (len(layout.columns) - len(row))

    def cell(role: str) -> Any:
        i = layout.index(role)
        return cells[i] if i is not None and i < len(cells) else None

    category = cell(CATEGORY)
    if category in (None, "") and default_category:
        category = default_category
    return [
        category,
        cell(TEXT),
        cell(KIND),
        *(cell(c) for c in CHOICES),
        cell(ANSWER),
        cell(EXPLANATION),
    ]


def read_table(data: bytes, name: str, *, max_rows: int, max_columns: int) -> list[tuple[Any, ...]]:
    """The rows of an uploaded .xlsx or .csv file; ValidationError (Vietnamese) otherwise."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return read_sheet_rows(data, max_rows=max_rows, max_columns=max_columns)
    if lower.endswith(".csv"):
        return _csv_rows(data, max_rows=max_rows, max_columns=max_columns)
    if lower.endswith(".xls"):
        raise ValidationError(XLS_REFUSED, code="xls")
    raise ValidationError(UNSUPPORTED, code="format")


def _csv_rows(data: bytes, *, max_rows: int, max_columns: int) -> list[tuple[Any, ...]]:
    if data.startswith(b"PK") or b"\x00" in data[:4096]:
        raise ValidationError("File không phải CSV dạng văn bản.", code="format")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Old Vietnamese Excel saves CSV in Windows-1258, whose tones are combining marks.
        text = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return rows_within(
        csv.reader(io.StringIO(text), dialect),
        max_rows,
        is_blank=lambda values: not any(v.strip() for v in values),
        blank_row=(),
        clean=lambda values: tuple(v.strip() or None for v in values[:max_columns]),
    )
