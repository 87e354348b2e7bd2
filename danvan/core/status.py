"""The status action of the staff workspace: publish, close, archive (or back to
draft) an object behind one confirmation page.

GET shows the page: whether the object may take the action from its status
(`blocked`) and what still prevents it (`problems`). POST runs the service,
which locks the row and checks again (a change of state is decided under the
lock, never by this page), then redirects to the object with a message; a
refusal (`ValidationError`) is shown on the same page. A view is::

    PUBLISH = StatusAction(
        "publish", sources=(Status.DRAFT,), change=publish_thing,
        done="Đã công bố.", problems=publish_problems,
    )

    @require_http_methods(["GET", "POST"])
    @login_required
    def thing_publish(request, pk):
        thing = get_visible_or_404(Thing.objects.all(), request.user, MANAGE, pk=pk)
        return status_action(
            request, thing, PUBLISH, template="things/staff/thing_status.html",
            detail_url=reverse("things_staff:thing_detail", args=[thing.pk]),
        )

The app's template extends "staff/status_confirm.html" and fills its blocks
(the heading, the breadcrumbs, what the action does, the button's label).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


@dataclass(frozen=True)
class StatusAction:
    """One change of status: from which states, the service, the success message."""

    name: str
    sources: tuple[str, ...]
    change: Callable[[Any], Any]
    done: str
    problems: Callable[[Any], list[str]] | None = None
    """What still prevents the action (e.g. an empty question bank); none: nothing."""

    def blocked(self, obj: Any) -> bool:
        return obj.status not in self.sources

    def problems_of(self, obj: Any) -> list[str]:
        return list(self.problems(obj)) if self.problems else []


def status_action(
    request: HttpRequest,
    obj: Any,
    action: StatusAction,
    *,
    template: str,
    detail_url: str,
    context: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The confirmation page (GET) and the change (POST) of `obj`'s status."""
    blocked = action.blocked(obj)
    problems = [] if blocked else action.problems_of(obj)
    if request.method == "POST":
        if blocked:
            messages.error(request, f"Đang ở trạng thái “{obj.get_status_display()}”.")
            return redirect(detail_url)
        if not problems:
            try:
                action.change(obj)  # checked again under the row's lock
            except ValidationError as error:
                problems = action.problems_of(obj) or list(error.messages)
                messages.error(request, error.messages[0])
            else:
                messages.success(request, action.done)
                return redirect(detail_url)
        else:
            messages.error(request, problems[0])
    return render(
        request,
        template,
        {
            "object": obj,
            "action": action.name,
            "blocked": blocked,
            "problems": problems,
            "detail_url": detail_url,
            **(context or {}),
        },
    )
