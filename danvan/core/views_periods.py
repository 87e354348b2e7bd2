"""Staff pages of reporting periods (shared by every unit)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from danvan.core import forms as f
from danvan.core import services
from danvan.core.listing import StaffRequest
from danvan.core.models import Area, MemberCount, Period
from danvan.core.scope import get_scope
from danvan.core.text import format_date
from danvan.core.views_common import form_page, staff_form_view, staff_page


def may_open_periods(user: Any) -> bool:
    """Reporting periods are shared by every unit: system administrators and the
    board administrators of a province or city in force open them."""
    scope = get_scope(user)
    if scope.is_system_admin:
        return True
    paths = [g.area_path for g in scope.grants if g.role == "board_admin" and g.area_path]
    return Area.objects.filter(path__in=paths, depth=1, valid_to__isnull=True).exists()


@staff_page
def period_list(request: StaffRequest) -> HttpResponse:
    periods = list(Period.objects.latest_first())
    entered = dict(
        MemberCount.objects.visible_to(request.user)
        .values_list("period")
        .annotate(n=Count("pk"))
        .values_list("period", "n")
    )
    today = timezone.localdate()
    rows = [
        {"period": p, "entered": entered.get(p.pk, 0), "now": p.start <= today <= p.end}
        for p in periods
    ]
    return render(
        request,
        "staff/period_list.html",
        {"nav": "periods", "rows": rows, "can_open": may_open_periods(request.user)},
    )


@staff_form_view
def period_add(request: StaffRequest) -> HttpResponse:
    if not may_open_periods(request.user):
        raise Http404
    return form_page(
        request,
        f.PeriodForm(request.POST or None, initial=services.suggest_next_period()),
        lambda data: services.open_period(**data),
        done=lambda period: (
            f"Đã mở kỳ báo cáo {period.name} ({format_date(period.start)} – "
            f"{format_date(period.end)})."
        ),
        then="staff:period_list",
        template="staff/period_form.html",
        context={"nav": "periods"},
    )
