"""Fixtures shared by the staff tests of contests (test_staff.py, test_bank_io.py):
a draft contest's world and its board administrator (the media folder of the
test's own is the root conftest's `media_root`)."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.contests.models import ContestStatus
from danvan.contests.tests import factories
from danvan.core.models import Role
from danvan.core.tests.factories import make_staff


@pytest.fixture
def world(db: Any) -> factories.World:
    return factories.make_world(status=ContestStatus.DRAFT)


@pytest.fixture
def admin(world: factories.World) -> Any:
    return make_staff("qt.cantho", Role.BOARD_ADMIN, area=world.province)
