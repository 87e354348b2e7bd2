"""The plan's target, per commune: "every commune has a practice of skilful
mass mobilisation". A commune in force counts when a practice that counts
(`models.COUNTING`) runs in it or in one of its hamlets, or ran in a unit
that the 2025 restructuring merged into it (as every other figure rolls up
into the successor: `core.scope.history_map`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from danvan.core.indicators import Figure, Indicator, Item, Row, at_period_end, tally
from danvan.core.models import Area, AreaKind
from danvan.core.review import day_bounds
from danvan.core.scope import current_path, history_map
from danvan.practices.models import COUNTING, Practice, Step

EXAMPLES = 3
"""Practices named per commune; the count gives the rest (the list filtered by the commune)."""


@dataclass
class CommuneCoverage:
    commune: Area
    count: int = 0
    practices: list[Practice] = field(default_factory=list)
    """Up to EXAMPLES of the counting practices (one per unit they run in)."""

    @property
    def covered(self) -> bool:
        return self.count > 0


def commune_coverage(user: Any, *, year: int | None = None) -> list[CommuneCoverage]:
    """The communes in force the user sees, each with the number of its
    counting practices (of `year` when given) and a few of them by name,
    communes still lacking one first."""
    communes = list(
        Area.objects.visible_to(user).current().filter(kind=AreaKind.COMMUNE).order_by("path")
    )
    return sorted(coverage_of(communes, year=year), key=lambda r: (r.covered, r.commune.path))


def counting_on(on: date) -> QuerySet[Practice]:
    """The practices that counted on the day `on`, as the record stands: begun
    by then (their start date or, without one, the day they were entered), in
    the status their steps had at the end of that day (the status of the
    first later step's start when every step is later; today's without steps)."""
    _start, end = day_bounds(on, on)
    steps = Step.objects.filter(practice=OuterRef("pk"))
    then = Coalesce(
        Subquery(steps.filter(at__lt=end).order_by("-at", "-pk").values("to_status")[:1]),
        Subquery(steps.order_by("at", "pk").values("from_status")[:1]),
        F("status"),
    )
    return (
        Practice.objects.filter(
            Q(started_on__lte=on) | Q(started_on__isnull=True, created_at__lt=end)
        )
        .alias(status_then=then)
        .filter(status_then__in=COUNTING)
    )


def coverage_of(
    communes: list[Area], *, year: int | None = None, on: date | None = None
) -> list[CommuneCoverage]:
    """Each of `communes` (in force) with its counting practices (those that
    counted on the day `on`, when given: `counting_on`). The practices are
    counted in the database per unit they run in (a GROUP BY), so the cost
    follows the number of units, not of practices."""
    if not communes:
        return []
    history = history_map()
    practices: QuerySet[Practice] = (
        Practice.objects.filter(status__in=COUNTING) if on is None else counting_on(on)
    )
    if year is not None:
        practices = practices.filter(year=year)
    per_unit = practices.values_list("area__path").annotate(n=Count("pk"), first=Min("pk"))
    rows = {c.path: CommuneCoverage(c) for c in communes}
    step = Area.steplen
    named: dict[int, CommuneCoverage] = {}  # a practice's pk -> the row naming it
    picked: dict[str, int] = {}
    for path, n, first in per_unit.order_by():
        now = current_path(path, history)
        for depth in range(len(now), 0, -step):
            row = rows.get(now[:depth])
            if row is not None:
                row.count += n
                if picked.get(row.commune.path, 0) < EXAMPLES:
                    picked[row.commune.path] = picked.get(row.commune.path, 0) + 1
                    named[first] = row
                break
    for practice in Practice.objects.filter(pk__in=named).only("pk", "title").order_by("pk"):
        named[practice.pk].practices.append(practice)
    return list(rows.values())


def communes_with_practice(area: Area, plan: Any = None, *, on: date | None = None) -> Figure:
    """The indicator "communes with a practice that counts": each commune in
    force under `area` (or `area` itself), done when it has one (had one on
    the day `on`, when given)."""
    communes = list(
        Area.objects.current().filter(kind=AreaKind.COMMUNE, path__startswith=area.path)
    )
    items = [
        Item(
            r.commune.path,
            r.covered,
            Row(
                r.commune.name,
                r.covered,
                "; ".join(p.title for p in r.practices) or "Chưa có mô hình",
            ),
        )
        for r in coverage_of(communes, on=on)
    ]
    return tally(area, items, "communes_with_practice", on)


INDICATOR = Indicator(
    code="communes_with_practice",
    label="Xã, phường có mô hình, điển hình “Dân vận khéo”",
    definition="Số xã, phường, thị trấn đang hoạt động có ít nhất một mô hình, điển hình đang "
    "thực hiện, đề nghị công nhận, đã công nhận hoặc nhân rộng (kể cả ở ấp, khu vực, và của "
    "đơn vị cũ đã sáp nhập vào), trên tổng số xã, phường, thị trấn của địa bàn.",
    compute=communes_with_practice,
    trend=at_period_end(communes_with_practice),
)
