"""Every reports test writes its files (the exported documents) to a folder of
its own; `world` is the commune board's own report of the first half of 2026."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from danvan.core.models import Period, PeriodKind
from danvan.core.testing import OWNER, commune_body
from danvan.core.tests.factories import make_period
from danvan.reports import services


@pytest.fixture(autouse=True)
def media_root(media_root: Path) -> Path:
    """The root conftest's `media_root`, for every test of the app."""
    return media_root


def first_half_2026() -> Period:
    return make_period("6 tháng đầu năm 2026", PeriodKind.HALF_YEAR, date(2026, 1, 1),
                       date(2026, 6, 30))  # fmt: skip


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """The report of the body of `core.testing.commune_body`, made by its officer."""
    units = commune_body()
    period = first_half_2026()
    report = services.create_report(units.users[OWNER], organization=units.body, period=period)
    return {"body": units.body, "users": units.users, "period": period, "report": report}
