"""Signing in and the dashboard of the staff workspace."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import render

from danvan.core import forms as f
from danvan.core import services, signin
from danvan.core.listing import StaffRequest
from danvan.core.models import (
    Area,
    AreaKind,
    Job,
    Organization,
    OrgKind,
    Period,
    Role,
    RoleAssignment,
)
from danvan.core.scope import get_scope
from danvan.core.text import vn_sort_key
from danvan.core.views_areas import chosen_period
from danvan.core.views_common import staff_page

# --- Signing in ---------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in page; a successful sign-in makes the browser a known
    device of the account (the per-account throttle lets it through)."""

    authentication_form = f.LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        signin.remember_device(self.request, response, form.get_user().get_username())
        return response


# --- Dashboard ----------------------------------------------------------------------


@staff_page
def dashboard(request: StaffRequest) -> HttpResponse:
    """The user's scope: one block per role, with the figures of the latest period
    the unit lived through. A unit ended by a restructuring shows its history,
    labelled as such, with a link to the unit that took over."""
    user = request.user
    scope = get_scope(user)
    assignments = list(
        RoleAssignment.objects.filter(user=user).select_related(
            "area__successor", "organization__area__successor"
        )
    )
    periods = list(Period.objects.latest_first())
    blocks: list[dict[str, Any]] = []
    for ra in assignments:
        if ra.area is not None:
            unit = ra.area
            history = not unit.is_current
            children_qs = Area.objects.get_children(unit)
            if not history:
                children_qs = children_qs.filter(valid_to__isnull=True)
            children = sorted(children_qs, key=lambda a: vn_sort_key(a.name))
            orgs_qs = Organization.objects.filter(area=unit)
            if not history:
                orgs_qs = orgs_qs.filter(valid_to__isnull=True)
            orgs = list(orgs_qs.order_by("kind", "name"))
        elif ra.organization is not None:
            unit = ra.organization.area
            history = not unit.is_current or ra.organization.valid_to is not None
            children = []
            orgs = list(
                Organization.objects.get_descendants(ra.organization).select_related("area")[:50]
            )
        else:
            continue
        period = chosen_period(request, periods, unit)
        blocks.append(
            {
                "assignment": ra,
                "unit": unit,
                "history": history,
                "children": children,
                "orgs": orgs,
                "period": period,
                "totals": services.member_totals(unit, period) if period else None,
                "kinds": dict(OrgKind.choices),
            }
        )
    # Units in force first, history last; grouped by role.
    role_order = {role: n for n, role in enumerate(Role.values)}
    blocks.sort(
        key=lambda b: (
            b["history"],
            role_order.get(b["assignment"].role, 99),
            vn_sort_key(b["unit"].name),
        )
    )
    visible_areas = Area.objects.visible_to(user)
    counts = {
        "areas": visible_areas.filter(valid_to__isnull=True).count(),
        "hamlets": visible_areas.filter(kind=AreaKind.HAMLET, valid_to__isnull=True).count(),
        "orgs": Organization.objects.visible_to(user).filter(valid_to__isnull=True).count(),
    }
    history_counts = None
    if not counts["areas"] and not scope.is_system_admin:
        ended = visible_areas.filter(valid_to__isnull=False).count()
        if ended:
            history_counts = {
                "areas": ended,
                "orgs": Organization.objects.visible_to(user)
                .filter(valid_to__isnull=False)
                .count(),
            }
    return render(
        request,
        "staff/dashboard.html",
        {
            "nav": "dashboard",
            "blocks": blocks,
            "compact": len(blocks) > 3,
            "counts": counts,
            "history_counts": history_counts,
            "is_system_admin": scope.is_system_admin,
            "recent_jobs": Job.objects.visible_to(user).filter(created_by=user)[:5],
        },
    )
