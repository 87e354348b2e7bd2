"""The shared status action (core/status.py): the confirmation page on GET,
the change on POST, a refusal shown on the page, a blocked state refused."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from danvan.core.models import Role
from danvan.core.status import StatusAction, status_action
from danvan.core.tests.factories import make_province, make_staff

TEMPLATE = "staff/status_confirm.html"
DETAIL = "/quan-ly/thu/1/"
BUTTON = "Công bố ngay</button>".encode()  # the action's button (the page has others)


class Thing(SimpleNamespace):
    def get_status_display(self) -> str:
        return {"draft": "Bản nháp", "published": "Đã công bố"}[self.status]


def _publish(thing: Thing) -> None:
    if thing.title == "hỏng":
        raise ValidationError("Không công bố được.")
    thing.status = "published"


PUBLISH = StatusAction(
    "publish", ("draft",), _publish, "Đã công bố.", heading="Công bố", button="Công bố ngay"
)
CHECKED = StatusAction(
    "publish",
    ("draft",),
    _publish,
    "Đã công bố.",
    problems=lambda t: ["Chưa có câu hỏi."],
    heading="Công bố",
    button="Công bố ngay",
)


@pytest.fixture
def rf_user(db: Any) -> Any:
    province = make_province()
    return make_staff("st.admin", Role.BOARD_ADMIN, area=province)


def _request(user: Any, method: str = "get") -> Any:
    request = getattr(RequestFactory(), method)(DETAIL)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _act(request: Any, thing: Thing, action: StatusAction = PUBLISH) -> Any:
    """The shared view answering `request` with `action` (PUBLISH unless given) on
    `thing`, for the page TEMPLATE and DETAIL."""
    return status_action(request, thing, action, template=TEMPLATE, detail_url=DETAIL)


def _messages(request: Any) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_get_shows_the_confirmation(rf_user: Any) -> None:
    thing = Thing(status="draft", title="Cuộc thi")
    response = _act(_request(rf_user), thing)
    assert response.status_code == 200
    assert BUTTON in response.content
    assert thing.status == "draft"  # a GET never writes


def test_post_changes_and_redirects(rf_user: Any) -> None:
    thing = Thing(status="draft", title="Cuộc thi")
    request = _request(rf_user, "post")
    response = _act(request, thing)
    assert response.status_code == 302 and response["Location"] == DETAIL
    assert thing.status == "published"
    assert _messages(request) == ["Đã công bố."]


def test_a_refusal_is_shown_on_the_page(rf_user: Any) -> None:
    thing = Thing(status="draft", title="hỏng")
    request = _request(rf_user, "post")
    response = _act(request, thing)
    assert response.status_code == 200
    assert "Không công bố được." in response.content.decode()
    assert thing.status == "draft"


def test_problems_prevent_the_change(rf_user: Any) -> None:
    thing = Thing(status="draft", title="Cuộc thi")
    request = _request(rf_user, "post")
    response = _act(request, thing, CHECKED)
    assert response.status_code == 200
    assert thing.status == "draft"
    assert "Chưa có câu hỏi." in response.content.decode()
    assert BUTTON not in response.content


def test_a_blocked_state_is_refused(rf_user: Any) -> None:
    thing = Thing(status="published", title="Cuộc thi")
    page = _act(_request(rf_user), thing)
    assert "Đã công bố" in page.content.decode()
    assert BUTTON not in page.content
    request = _request(rf_user, "post")
    response = _act(request, thing)
    assert response.status_code == 302
    assert _messages(request) == ["Đang ở trạng thái “Đã công bố”."]


def test_notes_and_labels_follow_the_object(rf_user: Any) -> None:
    action = StatusAction(
        "publish",
        ("draft", "closed"),
        _publish,
        "Đã công bố.",
        notes=lambda t: ["Số điện thoại không được xác minh."],
        heading=lambda t: "Mở lại" if t.status == "closed" else "Công bố",
        danger=lambda t: t.status == "closed",
    )
    page = _act(_request(rf_user), Thing(status="closed", title="X"), action).content.decode()
    assert "<h1>Mở lại</h1>" in page and "btn-danger" in page
    assert "Số điện thoại không được xác minh." in page
    page = _act(_request(rf_user), Thing(status="draft", title="X"), action).content.decode()
    assert "<h1>Công bố</h1>" in page and "btn-danger" not in page
