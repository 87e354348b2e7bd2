"""Staff views of the contests app (scoped through Contest.objects.visible_to)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from danvan.contests.models import Contest


@require_safe
@login_required
def contest_list(request: HttpRequest) -> HttpResponse:
    contests = Contest.objects.visible_to(request.user).select_related("organization")
    return render(
        request, "contests/staff/contest_list.html", {"nav": "contests", "contests": contests}
    )
