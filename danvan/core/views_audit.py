"""The audit log page, scoped to the user's `audit` prefixes."""

from __future__ import annotations

from datetime import date
from typing import Any

from auditlog.models import LogEntry
from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render

from danvan.core import accounts, audit
from danvan.core.audit_display import change_rows
from danvan.core.listing import StaffRequest, paginate
from danvan.core.models import Area
from danvan.core.scope import AUDIT, get_scope
from danvan.core.views_common import staff_page

# --- Audit ------------------------------------------------------------------------------------


def _visible_log(user: Any) -> QuerySet[LogEntry]:
    scope = get_scope(user)
    qs = LogEntry.objects.select_related("actor", "content_type")
    if scope.is_system_admin:
        return qs
    prefixes = scope.area_prefixes(AUDIT)
    if not prefixes:
        return qs.none()
    q = Q()
    for p in prefixes:
        q |= Q(additional_data__area_path__startswith=p)
    return qs.filter(q)


@staff_page
def audit_list(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(AUDIT):
        raise Http404
    qs = _visible_log(request.user)
    actor = request.GET.get("actor", "").strip()
    if actor:
        qs = accounts.search_accounts(qs, actor, prefix="actor__")
    day = request.GET.get("day", "")
    if day:
        try:
            qs = qs.filter(timestamp__date=date.fromisoformat(day))
        except ValueError:
            messages.error(request, "Ngày không hợp lệ.")
    page, querystring = paginate(request, qs.order_by("-timestamp", "-pk"))
    actions = {0: "Tạo mới", 1: "Sửa", 2: "Xóa", 3: "Truy cập"}
    # Values only for the entries whose object the user may see now; the others
    # keep who, when, what kind of change and which unit.
    shown = audit.entries_with_values(request.user, page)
    paths = {(e.additional_data or {}).get("area_path", "") for e in page}
    units = dict(Area.objects.filter(path__in=paths - {""}).values_list("path", "name"))
    return render(
        request,
        "staff/audit_list.html",
        {
            "nav": "audit",
            "page_obj": page,
            "entries": [
                (
                    entry,
                    change_rows(entry) if entry.pk in shown else None,
                    units.get((entry.additional_data or {}).get("area_path", ""), ""),
                )
                for entry in page
            ],
            "querystring": querystring,
            "actor": actor,
            "day": day,
            "actions": actions,
        },
    )
