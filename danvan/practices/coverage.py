"""The plan's target, per commune: "every commune has a practice of skilful
mass mobilisation". A commune in force counts when a practice that counts
(`models.COUNTING`) runs in it or in one of its hamlets, or ran in a unit
that the 2025 restructuring merged into it (as every other figure rolls up
into the successor: `core.scope.history_map`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from danvan.core.models import Area, AreaKind
from danvan.core.scope import history_map
from danvan.practices.models import COUNTING, Practice


@dataclass
class CommuneCoverage:
    commune: Area
    practices: list[Practice] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return bool(self.practices)


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
    """The communes in force the user sees, each with its counting practices
    (of `year` when given), communes still lacking one first."""
    communes = list(
        Area.objects.visible_to(user).current().filter(kind=AreaKind.COMMUNE).order_by("path")
    )
    if not communes:
        return []
    history = history_map()
    practices = Practice.objects.filter(status__in=COUNTING).select_related("area")
    if year is not None:
        practices = practices.filter(year=year)
    by_commune: dict[str, list[Practice]] = defaultdict(list)
    paths = [c.path for c in communes]
    step = Area.steplen
    commune_paths = set(paths)
    for practice in practices:
        now = current_path(practice.area.path, history)
        for depth in range(len(now), 0, -step):
            if now[:depth] in commune_paths:
                by_commune[now[:depth]].append(practice)
                break
    rows = [CommuneCoverage(c, by_commune.get(c.path, [])) for c in communes]
    return sorted(rows, key=lambda r: (r.covered, r.commune.path))
