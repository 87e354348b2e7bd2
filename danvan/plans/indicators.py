"""The indicators the plans app's own records make (`core.indicators`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from danvan.core.indicators import Figure, Indicator, Item, Row, tally
from danvan.core.models import Area, Organization
from danvan.plans.models import FRONT_AND_UNIONS, CoordinationPlan, CoordinationStatus


def coordination_plans(area: Area, plan: Any = None) -> Figure:
    """Each Front body and socio-political organisation in force under `area`
    (its levels: province, commune; not the hamlet branches), done when it has
    issued its coordination plan (for `plan`, when given)."""
    bodies = (
        Organization.objects.current()
        .filter(kind__in=FRONT_AND_UNIONS, area__path__startswith=area.path)
        .select_related("area")
        .order_by("path")
    )
    issued = CoordinationPlan.objects.filter(status=CoordinationStatus.ISSUED)
    if plan is not None:
        issued = issued.filter(plan=plan)
    numbers = dict(issued.values_list("organization_id", "number"))
    items = []
    for body in bodies:
        done = body.pk in numbers
        note = f"Kế hoạch số {numbers[body.pk]}" if done else "Chưa có kế hoạch phối hợp"
        url = reverse("staff:org_detail", args=[body.pk])
        items.append(Item(body.area.path, done, Row(body.name, done, note, url)))
    return tally(area, items)


COORDINATION = Indicator(
    code="coordination_plans",
    label="Mặt trận, đoàn thể có kế hoạch phối hợp",
    definition="Số cơ quan Mặt trận Tổ quốc và đoàn thể chính trị - xã hội (Hội LHPN, Hội Nông "
    "dân, Đoàn Thanh niên, Hội Cựu chiến binh) đang hoạt động đã ban hành kế hoạch phối hợp "
    "thực hiện kế hoạch này, trên tổng số các cơ quan đó của địa bàn (không tính chi hội ở ấp).",
    compute=coordination_plans,
)
