"""Unit labels for lists and exports: the commune and the hamlet of an area.

Participants, respondents and answers point at the area they chose (a commune
or one of its hamlets); tables and files show it as two columns, "Xã, phường"
and "Ấp, khu vực". `area_places` gives both for many areas in two queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from danvan.core.models import Area, AreaKind


@dataclass(frozen=True)
class Place:
    commune_id: int
    commune: str
    hamlet_id: int | None
    hamlet: str


def area_places(area_ids: Iterable[int]) -> dict[int, Place]:
    """Commune and hamlet of each area (a hamlet's commune is its parent; any
    other area stands for itself). Two queries whatever the number of areas."""
    ids = {i for i in area_ids if i is not None}
    if not ids:
        return {}
    rows = list(Area.objects.filter(pk__in=ids).values_list("pk", "path", "kind", "name"))
    parent_paths = {
        path[: -Area.steplen] for _pk, path, kind, _n in rows if kind == AreaKind.HAMLET
    }
    parents = {
        path: (pk, name)
        for pk, path, name in Area.objects.filter(path__in=parent_paths).values_list(
            "pk", "path", "name"
        )
    }
    out: dict[int, Place] = {}
    for pk, path, kind, name in rows:
        if kind == AreaKind.HAMLET and path[: -Area.steplen] in parents:
            commune_id, commune = parents[path[: -Area.steplen]]
            out[pk] = Place(commune_id, commune, pk, name)
        else:
            out[pk] = Place(pk, name, None, "")
    return out
