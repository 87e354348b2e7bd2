"""The plan's target, per commune: "every commune has a practice of skilful
mass mobilisation". A commune in force counts when a practice that counts
(`models.COUNTING`) runs in it or in one of its hamlets, or ran in a unit
that the 2025 restructuring merged into it (as every other figure rolls up
into the successor: `core.scope.history_map`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min

from danvan.core.models import Area, AreaKind
from danvan.core.scope import history_map
from danvan.practices.models import COUNTING, Practice

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


def current_path(path: str, history: dict[str, str]) -> str:
    """Where a unit's figures are counted now: the path under its final
    successor when it (or a unit above it) was merged away, else itself."""
    step = Area.steplen
    for depth in range(len(path), 0, -step):
        old = path[:depth]
        if old in history:
            return history[old] + path[depth:]
    return path


def commune_coverage(user: Any, *, year: int | None = None) -> list[CommuneCoverage]:
    """The communes in force the user sees, each with the number of its
    counting practices (of `year` when given) and a few of them by name,
    communes still lacking one first. The practices are counted in the
    database per unit they run in (a GROUP BY), so the cost follows the number
    of units, not of practices."""
    communes = list(
        Area.objects.visible_to(user).current().filter(kind=AreaKind.COMMUNE).order_by("path")
    )
    if not communes:
        return []
    history = history_map()
    practices = Practice.objects.filter(status__in=COUNTING)
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
    return sorted(rows.values(), key=lambda r: (r.covered, r.commune.path))
