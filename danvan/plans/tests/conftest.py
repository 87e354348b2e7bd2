"""Every plans test writes its files (materials, imported returns) to a folder
of its own; what the plans tests share: the shared cache as deployed, the city
board's plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from danvan.core.models import Organization, Period
from danvan.plans import services
from danvan.plans.models import Plan


@pytest.fixture(autouse=True)
def media_root(media_root: Path) -> Path:
    """The root conftest's `media_root`, for every test of the app."""
    return media_root


@pytest.fixture
def shared_cache(settings: Any) -> None:
    """As deployed: what is kept per scope (the plans a scope reads, the
    dashboard's pages) is kept only with a shared cache (one process here, so
    the local cache is shared). `pytest.mark.usefixtures("shared_cache")`."""
    settings.SHARED_CACHE = True


def board_plan(board: Organization, period: Period) -> Plan:
    """The plan 12-KH/BDVTU of `board` (the city's Ban Dân vận), carrying out
    Đề án 08-ĐA/TU over `period`, issued on its first day."""
    return services.create_plan(
        by=None, organization=board, number="12-KH/BDVTU", issued_on=period.start,
        title="Thực hiện Đề án 08-ĐA/TU", starts_on=period.start, ends_on=period.end,
    )  # fmt: skip
