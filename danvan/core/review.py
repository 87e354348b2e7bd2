"""The figures of the periodic review report (báo cáo sơ kết, tổng kết), by app.

Core imports no app: each app registers the sections its records make, in its
`AppConfig.ready`, and the reports app (danvan.reports) writes them, in `order`,
under "I. KẾT QUẢ ĐẠT ĐƯỢC" of the report of a unit for a period::

    from danvan.core.review import register_review_section

    register_review_section(
        "contests", "Tổ chức các cuộc thi trực tuyến", 10, contests_review
    )

`compute(area, start, end)` counts what happened in the unit `area` (its units
below, and the units merged into it: `in_unit`) between the dates `start` and
`end` (both included: `day_bounds` for datetime columns) and returns a
`Result`: paragraphs of figure sentences in Vietnamese ("Tổ chức 2 cuộc thi, có
1.234 người dự thi với 3.456 lượt thi."), and, optionally, annex tables
(`Table`: a title, headers, rows) that go into the Excel annex. A section with
nothing to say returns a sentence saying so ("Trong kỳ, chưa tổ chức cuộc thi
nào."), never an empty result: the reader must see it was counted.

A compute runs in the report's background job; it may take a second but not a
query per row: count with aggregates. Numbers are written with `number`
(1.234), dates with `core.text.format_date`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, Q, QuerySet

from danvan.core.organised import DRAFT
from danvan.core.text import vn_sort_key

if TYPE_CHECKING:
    from danvan.core.models import Area

_A = TypeVar("_A", bound=Model)


@dataclass
class Table:
    """An annex table: one sheet of the Excel annex."""

    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)
    """Column widths (characters); 18 each when left out."""


@dataclass
class Result:
    """What a section says: paragraphs of figures and the annex tables behind them."""

    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)
    """The section's main counts by name (for tests and the report page's summary)."""


Compute = Callable[["Area", date, date], Result]


@dataclass(frozen=True)
class ReviewSection:
    key: str
    title: str  # "Tổ chức các cuộc thi trực tuyến"
    order: int
    compute: Compute


REVIEW_SECTIONS: dict[str, ReviewSection] = {}


def register_review_section(key: str, title: str, order: int, compute: Compute) -> None:
    """Add (or replace, by key) a section of the review report."""
    REVIEW_SECTIONS[key] = ReviewSection(key, title, order, compute)


def review_sections() -> list[ReviewSection]:
    """The registered sections, in their order."""
    return sorted(REVIEW_SECTIONS.values(), key=lambda s: (s.order, s.key))


def compute_sections(
    area: Area,
    start: date,
    end: date,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[tuple[ReviewSection, Result]]:
    """Every section's result for the unit and the dates, in order."""
    sections = review_sections()
    out = []
    for i, section in enumerate(sections):
        if progress is not None:
            progress(i, len(sections), f"Đang tổng hợp: {section.title}")
        out.append((section, section.compute(area, start, end)))
    return out


# --- Helpers for the computes -----------------------------------------------------


def in_unit(area: Area, path_field: str = "area__path") -> Q:
    """Rows whose `path_field` lies in `area`, below it, or in a unit merged into
    it (`core.scope.lineage_paths`): where the unit's figures come from."""
    from danvan.core.scope import lineage_paths

    q = Q()
    for prefix in lineage_paths(area.path):
        q |= Q(**{f"{path_field}__startswith": prefix})
    return q


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period as aware datetimes in Việt Nam time: [start 00:00, end + 1 day 00:00)."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=tz)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    return first, after


def overlapping(opens: str, closes: str, start: date, end: date) -> Q:
    """Activities whose window [opens, closes) meets the period."""
    first, after = day_bounds(start, end)
    return Q(**{f"{opens}__lt": after, f"{closes}__gt": first})


def activities_in(activities: QuerySet[_A], area: Area, start: date, end: date) -> list[_A]:
    """The organised activities (`core.organised`) of `activities` run by the
    unit's bodies (`in_unit`) whose window meets the period, drafts left out,
    with their body, by opening then title."""
    opens, closes = activities.model.window  # type: ignore[attr-defined]
    qs = (
        activities.filter(in_unit(area, "organization__area__path"))
        .filter(overlapping(opens, closes, start, end))
        .exclude(status=DRAFT)
        .select_related("organization")
    )
    return sorted(qs, key=lambda a: (getattr(a, opens), vn_sort_key(a.title)))  # type: ignore[attr-defined]


def number(n: int | float | None) -> str:
    """1234567 -> "1.234.567"; 12.5 -> "12,5" (the Vietnamese separators)."""
    if n is None:
        return ""
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{int(n):,}".replace(",", ".")


def listing(items: Sequence[str], limit: int = 5) -> str:
    """ "a, b và c"; past `limit` items: "a, b, c, d, e và 3 nội dung khác"."""
    shown = list(items[:limit])
    rest = len(items) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" và {number(rest)} nội dung khác"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " và " + shown[-1]
