"""Petition statistics: received, answered, answered on time, late, waiting,
returned; in all and by agency, by field and by the units one level below the
reader's unit. One GROUP BY query, folded in Python, so the three tables and the
total always add up to the same petitions (a test recounts them from the rows).

A petition of a unit merged away counts for its successor (`core.scope`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone

from danvan.core.models import Area, Organization
from danvan.core.scope import current_path, history_map
from danvan.outreach.models import OPEN_STATUSES, Field, PetitionStatus

THIS_LEVEL = "Cấp này"
NO_AGENCY = "Chưa chuyển cơ quan"


@dataclass
class Tally:
    received: int = 0
    answered: int = 0
    on_time: int = 0
    late: int = 0
    waiting: int = 0
    returned: int = 0
    late_answered: int = 0  # of `late`: answered after the deadline (the rest still wait)

    def add(self, other: Tally) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def on_time_share(self) -> float | None:
        """Answered on time, of the answered ones with a deadline (None without any)."""
        judged = self.on_time + self.late_answered
        return None if not judged else self.on_time / judged


FIGURES = ("received", "answered", "on_time", "late", "waiting", "returned", "late_answered")


@dataclass
class Stats:
    total: Tally = field(default_factory=Tally)
    by_agency: list[tuple[str, Tally]] = field(default_factory=list)
    by_field: list[tuple[str, Tally]] = field(default_factory=list)
    by_unit: list[tuple[str, Tally]] = field(default_factory=list)
    unit_ids: dict[str, int] = field(default_factory=dict)  # unit name -> pk, to drill down


def petition_stats(qs: Any, *, root: Area | None = None, today: date | None = None) -> Stats:
    """The statistics of the petitions `qs` (already scoped and filtered); the
    units are those one level below `root` (the petitions of `root` itself in a
    row "Cấp này"); without `root`, the top units."""
    today = timezone.localdate() if today is None else today
    waiting = Q(status__in=OPEN_STATUSES)
    answered = Q(answered_at__isnull=False)
    rows = (
        qs.order_by()
        .values("agency_id", "field", "area__path")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=answered),
            on_time=Count("pk", filter=answered & Q(answered_at__date__lte=F("deadline"))),
            late_answered=Count("pk", filter=answered & Q(answered_at__date__gt=F("deadline"))),
            late_waiting=Count("pk", filter=waiting & Q(deadline__lt=today)),
            waiting=Count("pk", filter=waiting),
            returned=Count("pk", filter=Q(status=PetitionStatus.RETURNED)),
        )
    )
    history = history_map()
    base = root.path if root is not None else ""
    depth = len(base) + Area.steplen
    stats = Stats()
    agencies: dict[int | None, Tally] = {}
    fields: dict[str, Tally] = {}
    units: dict[str, Tally] = {}
    for row in rows:
        tally = Tally(
            received=row["received"],
            answered=row["answered"],
            on_time=row["on_time"],
            late=row["late_answered"] + row["late_waiting"],
            waiting=row["waiting"],
            returned=row["returned"],
            late_answered=row["late_answered"],
        )
        stats.total.add(tally)
        agencies.setdefault(row["agency_id"], Tally()).add(tally)
        fields.setdefault(row["field"], Tally()).add(tally)
        path = current_path(row["area__path"], history)
        unit = path[:depth] if path.startswith(base) and len(path) >= depth else base
        units.setdefault(unit, Tally()).add(tally)
    names = dict(
        Organization.objects.filter(pk__in=[k for k in agencies if k]).values_list("pk", "name")
    )
    stats.by_agency = sorted(
        ((names.get(k, NO_AGENCY) if k else NO_AGENCY, t) for k, t in agencies.items()),
        key=lambda item: (-item[1].received, item[0]),
    )
    labels = dict(Field.choices)
    stats.by_field = sorted(
        ((labels.get(k, k), t) for k, t in fields.items()),
        key=lambda item: (-item[1].received, item[0]),
    )
    found = list(Area.objects.filter(path__in=list(units)).values_list("path", "name", "pk"))
    unit_names = {path: name for path, name, _pk in found}
    stats.unit_ids = {name: pk for path, name, pk in found if path != base}
    stats.by_unit = sorted(
        ((THIS_LEVEL if p == base else unit_names.get(p, p), t) for p, t in units.items()),
        key=lambda item: (-item[1].received, item[0]),
    )
    return stats
