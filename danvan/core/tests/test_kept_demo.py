"""The root conftest keeps the demo loaded between the tests that ask for it
(_KeptDemo): what one test writes is gone for the next, and a test that does
not ask for the demo never sees it. In one worker the demo tests run in this
order, and the other after them (the conftest runs the tests the kept demo
serves first); under pytest-xdist a test may land on the other worker, where
it holds all the same."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.core.demo import DEMO_MARKER_CODE
from danvan.core.models import Area, User

pytestmark = pytest.mark.django_db

RENAMED = "Tên do một phép thử đặt"


def test_no_demo_unless_asked() -> None:
    # Listed first; runs after the demo tests below, once the kept demo is rolled back.
    assert not Area.objects.filter(code=DEMO_MARKER_CODE).exists()
    assert not User.objects.exists()


def test_a_test_may_change_the_demo(demo: Any) -> None:
    area = Area.objects.get(code=DEMO_MARKER_CODE)
    area.name = RENAMED
    area.save(update_fields=["name"])
    User.objects.filter(username=demo.logins[0].username).delete()


def test_the_next_test_gets_it_as_loaded(demo: Any) -> None:
    assert Area.objects.get(code=DEMO_MARKER_CODE).name != RENAMED
    assert User.objects.filter(username=demo.logins[0].username).exists()
