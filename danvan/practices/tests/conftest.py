"""Every practices test writes its uploads (photos, documents, imports) to a
folder of its own; `world` is the place, practices and deed of the voting tests."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from danvan.core.models import Role
from danvan.core.tests.factories import make_commune, make_province, make_staff
from danvan.practices import deeds
from danvan.practices.models import GoodDeed
from danvan.practices.tests.factories import make_practice, move


@pytest.fixture(autouse=True)
def media_root(media_root: Path) -> Path:
    """The root conftest's `media_root`, for every test of the app."""
    return media_root


def published_deed(area: Any, name: str, text: str) -> GoodDeed:
    deed = deeds.nominate(
        nominee_name=name, collective=False, area=area, deed=text, nominator_name="Người dân"
    )
    deed = deeds.move_deed(deed, "verify", nominee_consents=True)
    return deeds.move_deed(deed, "publish")


@pytest.fixture
def world(db: Any) -> SimpleNamespace:
    province = make_province("92", "Thành phố Cần Thơ")
    commune = make_commune(province, "Xã Phong Điền", "31153")
    practices = [
        move(make_practice(commune, title=title), "start", "propose", "recognise")
        for title in ("Hiến đất làm đường", "Đường hoa kiểu mẫu", "Camera an ninh")
    ]
    deed = published_deed(
        commune, "Bà Năm Bánh Mì", "Phát bánh mì miễn phí cho học sinh nghèo mỗi sáng."
    )
    officer = make_staff("bdv.thanhpho", Role.BOARD_ADMIN, area=province)
    return SimpleNamespace(commune=commune, practices=practices, deed=deed, officer=officer)
