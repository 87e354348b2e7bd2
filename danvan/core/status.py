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

    @staff_form_view
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

Label = str | Callable[[Any], str]


@dataclass(frozen=True)
class StatusAction:
    """One change of status: from which states, the service, the success message."""

    name: str
    sources: tuple[str, ...]
    change: Callable[[Any], Any]
    done: Label
    """The message once done."""
    problems: Callable[[Any], list[str]] | None = None
    """What still prevents the action (e.g. an empty question bank); none: nothing."""
    notes: Callable[[Any], list[str]] | None = None
    """What the officer should know before confirming (shown, never blocking)."""
    problems_message: str = ""
    """The message of a POST that problems prevent; empty: the first problem."""
    refusals: tuple[type[Exception], ...] = (ValidationError,)
    """What the service raises to refuse; each has `messages` (Vietnamese)."""
    blocked_note: Label = ""
    """Why the object cannot take the action from its status (on the page, and
    the message of a POST); empty: its status."""
    heading: Label = ""
    """The page's title and heading (a function of the object where it depends on it)."""
    button: Label = ""
    """The confirming button's label; empty: the heading."""
    crumb: str = ""
    """The page's label in the breadcrumbs."""
    danger: bool | Callable[[Any], bool] = False
    """A red button (the action takes something away)."""

    def blocked(self, obj: Any) -> bool:
        return obj.status not in self.sources

    def problems_of(self, obj: Any) -> list[str]:
        return list(self.problems(obj)) if self.problems else []

    def notes_of(self, obj: Any) -> list[str]:
        return list(self.notes(obj)) if self.notes else []

    def why_blocked(self, obj: Any) -> str:
        note = _say(self.blocked_note, obj)
        return note or f"Đang ở trạng thái “{obj.get_status_display()}”."

    def labels(self, obj: Any) -> dict[str, Any]:
        """What the page says of this action for `obj`."""
        heading = _say(self.heading, obj)
        danger = self.danger(obj) if callable(self.danger) else self.danger
        return {
            "heading": heading,
            "button": _say(self.button, obj) or heading,
            "crumb": self.crumb or heading,
            "danger": danger,
            "blocked_note": self.why_blocked(obj) if self.blocked(obj) else "",
        }


def _say(label: Label, obj: Any) -> str:
    return label(obj) if callable(label) else label


def _messages_of(error: Exception) -> list[str]:
    return list(getattr(error, "messages", None) or [str(error)])


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
            messages.error(request, action.why_blocked(obj))
            return redirect(detail_url)
        if not problems:
            try:
                action.change(obj)  # checked again under the row's lock
            except action.refusals as error:
                refusal = _messages_of(error)
                problems = action.problems_of(obj) or refusal
                messages.error(request, refusal[0])
            else:
                messages.success(request, _say(action.done, obj))
                return redirect(detail_url)
        else:
            messages.error(request, action.problems_message or problems[0])
    return render(
        request,
        template,
        {
            "object": obj,
            "action": action.name,
            "blocked": blocked,
            "problems": problems,
            "notes": [] if blocked else action.notes_of(obj),
            "detail_url": detail_url,
            **action.labels(obj),
            **(context or {}),
        },
    )
