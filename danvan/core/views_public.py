"""Public pages: no account, no JavaScript needed."""

from __future__ import annotations

from typing import NamedTuple

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


class Card(NamedTuple):
    """An item of a home page list: what public/home.html shows."""

    title: str
    url: str
    summary: str = ""


def open_contests() -> list[Card]:
    from danvan.contests.models import Contest

    contests = Contest.objects.open_now().only("title", "slug", "summary").order_by("ends_at")
    return [Card(c.title, c.get_absolute_url(), c.summary) for c in contests]


def open_surveys() -> list[Card]:
    from danvan.surveys.models import Survey

    surveys = Survey.objects.open_now().only("title", "slug", "intro").order_by("closes_at")
    return [Card(s.title, s.get_absolute_url(), s.intro[:200]) for s in surveys]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # Practices and exemplars arrive with their own app; the page has a place for them.
    return render(
        request,
        "public/home.html",
        {"contests": open_contests(), "surveys": open_surveys(), "practices": []},
    )
