"""Fixtures shared by the survey tests: `units` (the unit tree of
`factories.make_units`) and `admin` (a board administrator of the area of the
module's own `survey`, whom the root conftest's `staff` signs in)."""

from __future__ import annotations

from typing import Any

import pytest

from danvan.surveys.models import Survey
from danvan.surveys.tests import factories


@pytest.fixture
def units(db: Any) -> factories.Units:
    """The small unit tree of `factories.make_units`."""
    return factories.make_units()


@pytest.fixture
def admin(survey: Survey) -> Any:
    """A board administrator of the area of the survey's body (`survey` is the
    module's own fixture); the root conftest's `staff` is a client signed in as them."""
    return factories.board_admin(survey.organization.area, "qt.cantho", "Cán bộ quản trị")
