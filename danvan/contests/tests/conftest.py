"""Fixtures shared by the staff tests of contests (test_staff.py, test_bank_io.py):
a draft contest's world, its board administrator, and a media folder of the test's own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from danvan.contests.models import ContestStatus
from danvan.contests.tests import factories
from danvan.core.models import Role
from danvan.core.tests.factories import make_staff


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploads (banners, imported files, exports) go to the test's own folder:
    use it in a module with `pytestmark = pytest.mark.usefixtures("media_root")`."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(db: Any) -> factories.World:
    return factories.make_world(status=ContestStatus.DRAFT)


@pytest.fixture
def admin(world: factories.World) -> Any:
    return make_staff("qt.cantho", Role.BOARD_ADMIN, area=world.province)
