"""What the staff views of contests share (views_staff, views_bank): fetching
an object through the user's scope (out of scope and missing are both a 404),
refusing changes to an archived contest, writing through a service and going
back with its message, and the page around a contest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from danvan.contests import bank_io  # registers the "import_questions" job handler
from danvan.contests.models import (
    Category,
    Contest,
    ContestStatus,
    Question,
    Round,
)
from danvan.contests.staff_services import (
    MSG_ARCHIVED,
    publish_problems,
)
from danvan.core.listing import StaffRequest
from danvan.core.scope import MANAGE, VIEW, get_visible_or_404

NAV = "contests"


# --- Fetch-and-check helpers ----------------------------------------------------------------


def fetch_contest(request: StaffRequest, pk: int, verb: str = VIEW) -> Contest:
    qs = Contest.objects.select_related("organization__area", "target_area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def fetch_round(request: StaffRequest, pk: int, verb: str = VIEW) -> Round:
    qs = Round.objects.select_related("contest__organization__area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def fetch_in_contests(qs: QuerySet[Any], request: StaffRequest, verb: str, pk: int) -> Any:
    """An object of a contest the user may `verb`, else 404."""
    allowed = Contest.objects.visible_to(request.user, verb)
    obj = qs.filter(contest__in=allowed, pk=pk).first()
    if obj is None:
        raise Http404("Không tìm thấy.")
    return obj


def refuse_if_archived(request: HttpRequest, contest: Contest) -> HttpResponse | None:
    """Refuse changes to an archived contest (a redirect with a message), else None."""
    if contest.status == ContestStatus.ARCHIVED:
        messages.error(request, MSG_ARCHIVED)
        return redirect("contests_staff:contest_detail", pk=contest.pk)
    return None


def editable(
    fetch: Callable[[StaffRequest, int], Any],
) -> Callable[[Callable[[StaffRequest, Any], HttpResponse]], Callable[..., HttpResponse]]:
    """A GET/POST staff view of an object fetched by `fetch` (with MANAGE: out of
    scope is a 404), refused with a message when its contest is archived."""

    def decorate(view: Callable[[StaffRequest, Any], HttpResponse]) -> Callable[..., HttpResponse]:
        @require_http_methods(["GET", "POST"])
        @login_required
        @wraps(view)
        def wrapper(request: StaffRequest, pk: int) -> HttpResponse:
            obj = fetch(request, pk)
            if refused := refuse_if_archived(
                request, obj if isinstance(obj, Contest) else obj.contest
            ):
                return refused
            return view(request, obj)

        return wrapper

    return decorate


def managed_contest(request: StaffRequest, pk: int) -> Contest:
    return fetch_contest(request, pk, MANAGE)


def managed_round(request: StaffRequest, pk: int) -> Round:
    return fetch_round(request, pk, MANAGE)


def managed_question(request: StaffRequest, pk: int) -> Question:
    qs = Question.objects.select_related("contest", "category")
    return fetch_in_contests(qs, request, MANAGE, pk)  # type: ignore[no-any-return]


def managed_category(request: StaffRequest, pk: int) -> Category:
    qs = Category.objects.select_related("contest")
    return fetch_in_contests(qs, request, MANAGE, pk)  # type: ignore[no-any-return]


def refuse(request: HttpRequest, error: ValidationError, to: str, pk: int) -> HttpResponse:
    """A change refused by its service: its message, and back to `to`."""
    messages.error(request, error.messages[0])
    return redirect(to, pk=pk)


def write_then_back(
    request: HttpRequest,
    write: Callable[[], Any],
    done: Callable[[Any], str],
    to: str,
    pk: int,
    *,
    warn: Contest | None = None,
) -> HttpResponse:
    """Call the service `write`, then back to `to` (with `pk`): refused, with its
    message; done, with `done(result)` and, for `warn`, what its bank now lacks."""
    try:
        result = write()
    except ValidationError as error:
        return refuse(request, error, to, pk)
    messages.success(request, done(result))
    if warn is not None:
        warn_bank(request, warn)
    return redirect(to, pk=pk)


def contest_page(
    request: HttpRequest, template: str, contest: Contest, **context: Any
) -> HttpResponse:
    """A page of the contests workspace about `contest`."""
    return render(request, template, {"nav": NAV, "contest": contest, **context})


def shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=bank_io.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def warn_bank(request: HttpRequest, contest: Contest) -> None:
    """After a change to the bank or a round of a published contest: say what no
    longer works, so it can be fixed before participants meet it."""
    if contest.status != ContestStatus.PUBLISHED:
        return
    for problem in publish_problems(contest):
        messages.warning(request, problem)
