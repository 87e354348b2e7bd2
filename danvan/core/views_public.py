"""Public pages: no account, no JavaScript needed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Contests, surveys and practices arrive with their own apps; the home page
    # already has a place for each.
    return render(
        request,
        "public/home.html",
        {"contests": [], "surveys": [], "practices": []},
    )
