"""What the staff views of surveys share (views_staff: the survey itself;
views_builder: its sections and questions; views_respondents): fetching a
survey through the user's scope (out of scope and missing are both a 404),
going back to the survey's page, a refusal of the builder shown there, the
page of a form that saves through a service, and pages never to be cached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from danvan.core.listing import StaffRequest
from danvan.core.scope import VIEW, get_visible_or_404
from danvan.surveys.builder import BuilderError
from danvan.surveys.models import Survey

NAV = "surveys"


def fetch_survey(request: StaffRequest, pk: int, verb: str = VIEW) -> Survey:
    """The survey `pk` if the user may `verb` it, else 404."""
    qs = Survey.objects.select_related("organization__area", "target_area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def to_survey(survey: Survey, anchor: str = "") -> HttpResponse:
    """Back to the survey's page (at `anchor`, a section or a question)."""
    url = reverse("surveys_staff:survey_detail", args=[survey.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def refused(
    request: HttpRequest, error: BuilderError, survey: Survey, anchor: str = ""
) -> HttpResponse:
    """Back to the survey, with the reasons a service refused a change."""
    for m in error.messages:
        messages.error(request, m)
    return to_survey(survey, anchor)


def form_page(
    request: StaffRequest,
    survey: Survey,
    form: Any,
    template: str,
    context: dict[str, Any],
    save: Callable[[], HttpResponse],
) -> HttpResponse:
    """A form of the survey's: on a valid POST `save()` (the answer; its
    BuilderError goes back to the survey), else the page with the form."""
    if request.method == "POST" and form.is_valid():
        try:
            return save()
        except BuilderError as error:
            return refused(request, error, survey)
    return render(request, template, {"nav": NAV, "survey": survey, "form": form, **context})


def no_store(response: HttpResponse) -> HttpResponse:
    """A page no cache may keep (codes, phone numbers)."""
    response["Cache-Control"] = "no-store, private"
    response["Pragma"] = "no-cache"
    return response
