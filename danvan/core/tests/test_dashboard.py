"""The dashboard of each demo login after the 2025 restructuring: figures of the
latest period each unit lived through, history labelled as history."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from danvan.core import services
from danvan.core.models import Area, Period

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_history_only_login_sees_the_districts_2024_figures(demo: Any, login_as: Any) -> None:
    district = Area.objects.get(code="934")
    year = Period.objects.get(name="Năm 2024")
    expected = services.member_totals(district, year)["total"]
    assert expected > 0
    body = login_as("xem.phunghiep").get(reverse("staff:dashboard")).content.decode()
    text = text_of(body)
    assert "Chỉ xem: Huyện Phụng Hiệp lịch sử" in text
    assert "Số liệu lịch sử — Năm 2024" in text
    assert f"{expected:,}".replace(",", ".") in text
    assert "Đơn vị này đã ngừng hoạt động từ 01/07/2025" in text
    assert "số liệu được tính cho Thành phố Cần Thơ" in text
    assert "Đơn vị đã ngừng hoạt động (lịch sử) 16" in text
    assert "Chưa có số liệu" not in text
    assert "Đơn vị đang hoạt động trong phạm vi 0" not in text
    # The 15 communes it had are listed as history.
    assert "Đơn vị trực thuộc khi còn hoạt động (15)" in text


def test_district_board_administrator_sees_management_first_then_history(
    demo: Any, login_as: Any
) -> None:
    body = login_as("bdv.phunghiep").get(reverse("staff:dashboard")).content.decode()
    text = text_of(body)
    # Seven communes in force, each with its latest figures (second half of 2025)...
    assert text.count("Số đoàn viên, hội viên (6 tháng cuối năm 2025)") == 7
    new = Area.objects.filter(valid_to__isnull=True, predecessors__code="31417").get()
    assert reverse("staff:area_detail", args=[new.pk]) in body
    # ...then the district, as history, after them.
    assert text.index("Lịch sử: đơn vị đã ngừng hoạt động") > text.rindex(
        "Số đoàn viên, hội viên (6 tháng cuối năm 2025)"
    )
    assert "Quản trị Ban Dân vận: Huyện Phụng Hiệp lịch sử" in text
    assert "Số liệu lịch sử (Năm 2024)" in text
    assert "Đơn vị đang hoạt động trong phạm vi 16" in text  # 7 communes and 9 hamlets
    commune = Area.objects.current().get(code="31420")
    assert reverse("staff:area_detail", args=[commune.pk]) in body


def test_commune_officer_sees_current_figures_not_history(demo: Any, login_as: Any) -> None:
    text = text_of(login_as("canbo.phunghiep").get(reverse("staff:dashboard")).content.decode())
    assert "Số đoàn viên, hội viên — 6 tháng cuối năm 2025" in text
    assert "Số liệu lịch sử" not in text
    assert "Lịch sử: đơn vị đã ngừng hoạt động" not in text
    assert "Hội LHPN xã Phụng Hiệp" in text


def test_dashboard_without_any_period_points_to_the_periods_page(db: Any, client: Any) -> None:
    from danvan.core.models import Role
    from danvan.core.tests.factories import make_commune, make_province, make_user

    province = make_province("92", "Thành phố Cần Thơ", unit_type="Thành phố")
    commune = make_commune(province, "Xã Phụng Hiệp", "31420")
    client.force_login(make_user("qt.phunghiep", Role.BOARD_ADMIN, area=commune))
    text = text_of(client.get(reverse("staff:dashboard")).content.decode())
    assert "Chưa có kỳ báo cáo nào." in text
