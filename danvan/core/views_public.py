"""Public pages: no account, no JavaScript needed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from danvan.core.registry import HOME_SECTIONS


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The sections the apps registered (danvan.core.registry), each with its cards.
    Practices and exemplars arrive with their own app; the page has a place for them."""
    sections = [(section, section.cards()) for section in HOME_SECTIONS]
    return render(request, "public/home.html", {"sections": sections})
