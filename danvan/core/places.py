"""Unit labels for lists and exports: the commune and the hamlet of an area.

Participants, respondents and answers point at the area they chose (a commune
or one of its hamlets); tables and files show it as two columns, "Xã, phường"
and "Ấp, khu vực". `area_places` gives both for many areas in two queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

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


# --- The place a person chooses on a public form --------------------------------------

PLACE_SELECT_MAX = 3000
"""Places (communes and hamlets) one select may offer on a phone; beyond, a
public form asks for the province first."""


def place_choices(areas: Any) -> list[tuple[int, str]]:
    """Current communes and their hamlets: "Ấp Phụng Thạnh — Xã Phụng Hiệp"."""
    rows = list(
        areas.current()
        .filter(kind__in=(AreaKind.COMMUNE, AreaKind.HAMLET))
        .order_by("path")
        .values_list("pk", "path", "kind", "name")
    )
    communes = {path: name for _pk, path, kind, name in rows if kind == AreaKind.COMMUNE}
    out = []
    for pk, path, kind, name in rows:
        if kind == AreaKind.COMMUNE:
            out.append((pk, f"{name} (không ghi ấp)"))
        else:
            out.append((pk, f"{name} — {communes.get(path[: -Area.steplen], '')}".rstrip(" —")))
    return out


def public_places(request: HttpRequest) -> tuple[Any, Any, list[Any]]:
    """(the areas a public form's place select offers, the chosen province or
    None, the provinces to choose from first). One province's communes and
    hamlets fit a select on a phone; a whole country's do not: above
    PLACE_SELECT_MAX places, the person picks the province first (`?tinh=`),
    then the place in it (template: "public/_province_picker.html")."""
    areas = Area.objects.all()
    provinces = list(areas.current().filter(kind=AreaKind.PROVINCE).order_by("name"))
    if len(provinces) < 2:
        return areas, None, []
    places = areas.current().filter(kind__in=(AreaKind.COMMUNE, AreaKind.HAMLET)).count()
    if places <= PLACE_SELECT_MAX:
        return areas, None, []
    raw = request.GET.get("tinh", "")
    province = next((p for p in provinces if str(p.pk) == raw), None)
    if province is None:
        return areas.none(), None, provinces
    return areas.filter(path__startswith=province.path), province, provinces
