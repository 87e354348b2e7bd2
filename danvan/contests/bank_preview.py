"""The preview of a question file before it is imported: the file waits in the
storage (`default_storage`, under imports/pending/) between the upload and the
officer's confirmation, known by a random token kept in their session only;
the page shows how each column is understood and the first rows as they will
be imported, and lets the officer name the columns it could not."""

from __future__ import annotations

import posixpath
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest

from danvan.contests.bank_io import BANK_HEADER, EXAMPLE_TEXTS, layout_problem, table_rows
from danvan.contests.bank_layout import (
    CHOICES,
    HEADER_SEARCH,
    ROLE_LABELS,
    TEXT,
    Layout,
    canonical,
    recognise,
    used_width,
)
from danvan.contests.models import Contest
from danvan.core.text import fold

SESSION_KEY = "contests:bank-imports"
SHOWN_ROWS = 5


@dataclass
class Pending:
    """An uploaded file waiting for the officer's confirmation."""

    token: str
    name: str
    path: str
    contest_id: int

    def read(self) -> bytes:
        with default_storage.open(self.path, "rb") as fh:
            data: bytes = fh.read()
        return data

    def discard(self, request: HttpRequest) -> None:
        default_storage.delete(self.path)
        request.session.get(SESSION_KEY, {}).pop(self.token, None)
        request.session.modified = True


def keep(request: HttpRequest, contest: Contest, name: str, data: bytes) -> Pending:
    """Store the upload until it is confirmed (or abandoned)."""
    token = secrets.token_urlsafe(16)
    ext = posixpath.splitext(name)[1].lower()
    path = default_storage.save(f"imports/pending/{token}{ext}", ContentFile(data))
    waiting = request.session.get(SESSION_KEY, {})
    waiting[token] = {"name": name, "path": path, "contest": contest.pk}
    request.session[SESSION_KEY] = waiting
    return Pending(token, name, path, contest.pk)


def pending(request: HttpRequest, contest: Contest, token: str) -> Pending | None:
    """The upload of that token, if this session made it for this contest."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("contest") != contest.pk:
        return None
    if not default_storage.exists(entry["path"]):
        return None
    return Pending(token, entry["name"], entry["path"], contest.pk)


@dataclass
class Preview:
    rows: list[tuple[Any, ...]]
    layout: Layout
    default_category: str

    @property
    def problem(self) -> str:
        return layout_problem(self.layout, self.default_category)

    @property
    def width(self) -> int:
        return max(len(self.layout.columns), used_width(self.rows))

    def columns(self) -> list[dict[str, Any]]:
        """Each column of the file: its header text and the role chosen for it."""
        header = self.rows[self.layout.header] if self.rows else ()
        roles = self.layout.columns + ["ignore"] * (self.width - len(self.layout.columns))
        return [
            {
                "index": i,
                "header": str(header[i]) if i < len(header) and header[i] is not None else "",
                "role": roles[i],
            }
            for i in range(self.width)
        ]

    def header_choices(self) -> list[tuple[int, str]]:
        """The first lines, to say which one is the header."""
        out = []
        for i, row in enumerate(self.rows[:HEADER_SEARCH]):
            text = " | ".join(str(v) for v in row if v not in (None, ""))
            out.append((i, f"Dòng {i + 1}: {text[:80]}"))
        return out

    def body(self) -> list[tuple[Any, ...]]:
        return [
            r for r in self.rows[self.layout.header + 1 :] if any(v not in (None, "") for v in r)
        ]

    def first_rows(self) -> list[list[str]]:
        """The first rows as they will be imported (the template's columns)."""
        return [
            ["" if v is None else str(v) for v in canonical(r, self.layout, self.default_category)]
            for r in self.body()[:SHOWN_ROWS]
        ]

    def shown_table(self) -> tuple[list[str], list[list[str]]]:
        """The header and the first rows, without the template's columns that
        stay empty in them (E, F, Loại…); the question and the answer always."""
        rows = self.first_rows()
        keep = [
            i
            for i, name in enumerate(BANK_HEADER)
            if name in ("Câu hỏi", "Đáp án đúng") or any(row[i] for row in rows)
        ]
        return [BANK_HEADER[i] for i in keep], [[row[i] for i in keep] for row in rows]

    def count(self) -> int:
        return len(self.body())

    def example_lines(self) -> list[int]:
        i = self.layout.index(TEXT)
        if i is None:
            return []
        start = self.layout.header + 2
        return [
            line
            for line, row in enumerate(self.rows[self.layout.header + 1 :], start=start)
            if i < len(row) and fold(str(row[i] or "")) in EXAMPLE_TEXTS
        ]

    def unnamed_choices(self) -> bool:
        return sum(1 for c in CHOICES if c in self.layout.columns) < 2


def preview_of(data: bytes, name: str, posted: Any = None) -> Preview:
    """The preview of a file: the layout recognised, or as the officer chose it
    (`posted`: the preview form's data)."""
    rows = table_rows(data, name)
    layout = recognise(rows)
    default = ""
    if posted is not None:
        default = str(posted.get("default_category", "")).strip()[:200]
        try:
            header = int(posted.get("dong_tieu_de", layout.header))
        except (TypeError, ValueError):
            header = layout.header
        header = min(max(header, 0), max(len(rows) - 1, 0))
        width = max(len(layout.columns), used_width(rows))
        columns = [
            role if (role := str(posted.get(f"cot_{i}", "ignore"))) in ROLE_LABELS else "ignore"
            for i in range(width)
        ]
        layout = Layout(header, columns)
    return Preview(rows, layout, default)
