"""The plan's indicators (chỉ số): a fixed list of definitions, each computed
from the records themselves, for any unit. Apps register the indicators their
records make (`register_indicator` in `AppConfig.ready`): the plans app its
coordination plans, the practices app its communes with a practice; the target
dashboard (danvan.plans) only reads `INDICATORS`, so no app imports another.

`compute(area, plan)` returns a `Figure` for the unit `area` and the units merged
into it: how many of the counted things are done out of how many, the same per
unit below it (`parts`, whose sums equal the figure), and, for a unit without
units below, the rows that make the number (`rows`).

`trend(area, plan, period)` gives the figure of a past reporting period, for
the dashboard's "over the periods": an indicator counted per period (members
briefed) counts that period's records; one that is a state (plans issued,
people active, officials trained, communes covered) is read as it stood at the
period's end (`at_period_end`: its `compute` takes `on`, a date).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from danvan.core.cache import LocalCache, Version

if TYPE_CHECKING:
    from danvan.core.models import Area


@dataclass
class Row:
    """One counted thing (a body, a commune): done or not, and why."""

    label: str
    done: bool
    note: str = ""
    url: str = ""


@dataclass
class Figure:
    done: int = 0
    total: int = 0
    parts: list[tuple[Area, int, int]] = field(default_factory=list)
    """(unit below, done, total), for each unit below `area` with something counted."""
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    """What the figure is of, when it is not plain (the period of the members briefed)."""
    returned: list[str] = field(default_factory=list)
    """Units whose figures come from an aggregate return (no rows recorded there)."""
    flags: list[str] = field(default_factory=list)
    """Returns that contradict the rows recorded (the rows are counted)."""

    @property
    def percent(self) -> float | None:
        return round(100 * self.done / self.total, 1) if self.total else None


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str  # "Cơ quan Mặt trận, đoàn thể có kế hoạch phối hợp"
    definition: str  # how it is counted, in words, shown beside the figure
    compute: Callable[[Area, Any], Figure]
    """(unit, plan or None) -> figure; the plan narrows what counts where it
    matters (the coordination plans *for* that plan)."""
    trend: Callable[[Area, Any, Any], Figure] | None = None
    """(unit, plan, reporting period) -> the figure of that period: the
    dashboard's trend. For the current period it equals `compute`'s figure
    (the dashboard shows it as the figure)."""


class ComputedOn(Protocol):
    def __call__(self, area: Area, plan: Any = None, *, on: date | None = None) -> Figure: ...


def at_period_end(compute: ComputedOn) -> Callable[[Area, Any, Any], Figure]:
    """The trend of an indicator that is a state: `compute` read on each past
    period's last day; the current period's is the figure of today."""

    def trend(area: Area, plan: Any, period: Any) -> Figure:
        from django.utils import timezone

        if period.end >= timezone.localdate():
            return compute(area, plan)
        return compute(area, plan, on=period.end)

    return trend


INDICATORS: dict[str, Indicator] = {}

FIGURES = Version("core:indicators:version")
"""Raised by every write a figure reads (each app connects its models:
`FIGURES.on_change_of(...)`; a bulk write calls `FIGURES.changed()`), so a
figure kept under it (`kept_figure`) is never stale."""
_KEPT: LocalCache = LocalCache(ttl=600, size=1024)


def kept_figure(indicator: Indicator, area: Area, plan: Any, period: Any = None) -> Figure:
    """The indicator's figure for the unit (of `period`, with a trend), computed
    once per version and day (what counts may depend on today: the current
    period, who is active)."""
    from django.utils import timezone

    key = (
        FIGURES.get(), timezone.localdate(), indicator.code, area.pk,
        getattr(plan, "pk", None), getattr(period, "pk", None),
    )  # fmt: skip
    figure = _KEPT.get(key)
    if figure is None:
        if period is not None and indicator.trend is not None:
            figure = indicator.trend(area, plan, period)
        else:
            figure = indicator.compute(area, plan)
        _KEPT.set(key, figure)
    return figure


def register_indicator(indicator: Indicator) -> None:
    """Add (or replace, by code) an indicator."""
    INDICATORS[indicator.code] = indicator


def indicator_choices() -> list[tuple[str, str]]:
    return [(i.code, i.label) for i in INDICATORS.values()]


@dataclass
class Item:
    """A thing counted by an indicator, at the unit (`path`) where it is: one
    thing (done or not), or, with `total`, a number of them (a body's members)
    of which `done` are done (briefed)."""

    path: str
    done: int | bool
    row: Row
    total: int = 1


@dataclass
class Returned:
    """A unit's totals for an indicator, reported as such (an aggregate return)
    instead of rows: counted where no row is recorded under the unit."""

    path: str
    name: str
    done: int
    total: int


RETURNS: list[Callable[[str, Area, date | None], list[Returned]]] = []
"""Providers of aggregate returns, (indicator code, unit, day or None for
today) -> the returns under it of the reporting period holding that day."""


def register_returns(provider: Callable[[str, Area, date | None], list[Returned]]) -> None:
    if provider not in RETURNS:
        RETURNS.append(provider)


def _with_returns(
    area: Area, items: list[Item], code: str, figure: Figure, on: date | None
) -> list[Item]:
    """The items plus, for each return under `area` whose unit has no rows, the
    return as one item; a return that differs from its unit's rows is flagged."""
    from danvan.core.models import Area
    from danvan.core.scope import current_path, history_map

    returns = {r.path: r for provider in RETURNS for r in provider(code, area, on)}
    if not returns:
        return items
    history = history_map()
    step = Area.steplen
    under: dict[str, list[int]] = {}
    for item in items:
        now = current_path(item.path, history)
        for depth in range(step, len(now) + 1, step):
            if now[:depth] in returns:
                sums = under.setdefault(now[:depth], [0, 0])
                sums[0] += int(item.done)
                sums[1] += item.total
    extra = []
    for path, r in sorted(returns.items()):
        rows = under.get(path)
        if rows is None or rows[1] == 0:
            note = f"Theo báo cáo tổng hợp: {r.done}/{r.total}"
            extra.append(Item(path, r.done, Row(r.name, r.done >= r.total, note), r.total))
            figure.returned.append(r.name)
        elif (rows[0], rows[1]) != (r.done, r.total):
            figure.flags.append(
                f"{r.name}: báo cáo tổng hợp {r.done}/{r.total} khác số liệu chi tiết "
                f"{rows[0]}/{rows[1]}; đang tính theo số liệu chi tiết."
            )
    return [*items, *extra]


def tally(area: Area, items: list[Item], code: str = "", on: date | None = None) -> Figure:
    """The figure of `area` from its counted things: a thing of a unit merged
    away counts where that unit's figures now go (`scope.current_path`); each
    counts once in the unit below `area` it falls in, or in `area` itself
    (a part for `area` itself then, and a row), so the parts add up to the
    figure. With the indicator's `code`, the aggregate returns of units without
    rows count instead (`RETURNS`): those of the period holding `on` (a day
    of a past period, for the trend; None: today's)."""
    from danvan.core.models import Area
    from danvan.core.scope import current_path, history_map
    from danvan.core.text import fold

    figure = Figure()
    if code and RETURNS:
        items = _with_returns(area, items, code, figure, on)
    history = history_map()
    step = Area.steplen
    below: dict[str, list[int]] = {}
    own = [0, 0]
    for item in items:
        now = current_path(item.path, history)
        if not now.startswith(area.path):
            continue
        done = int(item.done)
        figure.total += item.total
        figure.done += done
        if len(now) == len(area.path):
            own[0] += done
            own[1] += item.total
            figure.rows.append(item.row)
            continue
        counts = below.setdefault(now[: len(area.path) + step], [0, 0])
        counts[0] += done
        counts[1] += item.total
    units = {a.path: a for a in Area.objects.filter(path__in=below)}
    if own[1]:
        figure.parts.append((area, own[0], own[1]))
    for path in sorted(below, key=lambda p: units[p].name if p in units else p):
        if path in units:
            figure.parts.append((units[path], *below[path]))
    figure.rows.sort(key=lambda r: (r.done, fold(r.label)))
    return figure
