"""import_units: the current official units of a province, all or nothing."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from danvan.core import restructuring, services
from danvan.core.models import Area, AreaKind
from danvan.core.units import TWO_LEVEL_FROM, import_province, official_units

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_units", *args, stdout=out)
    return out.getvalue().strip()


def test_unknown_province_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(CommandError) as exc:
        run("--province", "99")
    assert str(exc.value) == (
        "Không tìm thấy tỉnh, thành phố có mã 99 trong danh mục đơn vị hành chính hiện hành."
    )
    assert Area.objects.count() == 0
    with pytest.raises(CommandError, match="Không tìm thấy tỉnh, thành phố có mã x"):
        run("--province", "x")


def test_import_can_tho_into_an_empty_database_twice() -> None:
    assert run("--province", "92") == (
        "Đã tạo Thành phố Cần Thơ. Đã thêm 103, cập nhật 0 đơn vị của Thành phố Cần Thơ."
    )
    city = Area.objects.get(code="92")
    assert (city.name, city.unit_type, city.kind) == ("Thành phố Cần Thơ", "Thành phố", "province")
    assert city.is_root()
    communes = Area.objects.get_children(city)
    assert communes.count() == 103
    ph = Area.objects.get(code="31420")
    assert (ph.name, ph.unit_type, ph.kind) == ("Xã Phụng Hiệp", "Xã", AreaKind.COMMUNE)
    assert ph.valid_from == TWO_LEVEL_FROM
    assert {a.unit_type for a in communes} == {"Xã", "Phường"}
    before = Area.objects.count()
    assert run("--province", "92") == "Đã thêm 0, cập nhật 103 đơn vị của Thành phố Cần Thơ."
    assert Area.objects.count() == before


def test_codes_are_zero_padded_and_tinh_names_get_their_type() -> None:
    summary = import_province(1)
    assert summary.province_code == "01"
    hanoi = Area.objects.get(code="01")
    assert hanoi.name == "Thành phố Hà Nội"
    assert Area.objects.filter(code="00070").exists()
    province, wards = official_units(4)
    assert (province.code, province.name, province.unit_type) == ("04", "Tỉnh Cao Bằng", "Tỉnh")
    assert all(len(w.code) == 5 for w in wards)
    _province, zones = official_units(22)  # Quảng Ninh has special zones
    assert "Đặc khu" in {w.unit_type for w in zones}


def test_existing_units_are_updated_in_place() -> None:
    city = services.add_area(
        None, name="Cần Thơ", code="92", unit_type="Thành phố", kind=AreaKind.PROVINCE
    )
    old = services.add_area(
        city, name="Xã Phụng Hiệp (cũ)", code="31420", unit_type="Phường", kind=AreaKind.COMMUNE
    )
    summary = import_province(92)
    assert (summary.added, summary.updated, summary.changed) == (102, 1, 1)
    assert not summary.province_created
    old.refresh_from_db()
    assert (old.name, old.unit_type) == ("Xã Phụng Hiệp", "Xã")
    city.refresh_from_db()
    assert city.name == "Thành phố Cần Thơ"
    assert Area.objects.filter(code="92").count() == 1


def test_conflicting_current_code_elsewhere_refuses_the_whole_import() -> None:
    province = services.add_area(
        None, name="Tỉnh Hậu Giang", code="93", unit_type="Tỉnh", kind=AreaKind.PROVINCE
    )
    services.add_area(
        province, name="Xã Hòa Mỹ", code="31420", unit_type="Xã", kind=AreaKind.COMMUNE
    )
    before = Area.objects.count()
    with pytest.raises(CommandError) as exc:
        run("--province", "92")
    message = str(exc.value)
    assert "31420 (Xã Hòa Mỹ, thuộc Tỉnh Hậu Giang)" in message
    assert "sắp xếp đơn vị hành chính" in message
    assert Area.objects.count() == before
    assert not Area.objects.filter(code="92").exists()
    with pytest.raises(ValidationError):
        import_province(92)


def test_ended_units_do_not_conflict() -> None:
    province = services.add_area(
        None, name="Tỉnh Hậu Giang", code="93", unit_type="Tỉnh", kind=AreaKind.PROVINCE
    )
    old = services.add_area(
        province, name="Xã Hòa Mỹ", code="31420", unit_type="Xã", kind=AreaKind.COMMUNE
    )
    other = services.add_area(
        province, name="Xã Phụng Hiệp", code="31417", unit_type="Xã", kind=AreaKind.COMMUNE
    )
    restructuring.merge_areas(None, [old], into=other, effective_on=date(2025, 7, 1))
    summary = import_province(92)
    assert summary.added == 103


def test_import_after_the_demo(demo: Any) -> None:
    city = Area.objects.get(code="92", valid_to__isnull=True)
    demo_communes = set(Area.objects.get_children(city).values_list("pk", flat=True))
    assert len(demo_communes) == 7
    assert run("--province", "92") == "Đã thêm 96, cập nhật 7 đơn vị của Thành phố Cần Thơ."
    city.refresh_from_db()
    assert Area.objects.get_children(city).count() == 103
    assert Area.objects.filter(code="92").count() == 1
    # The demo communes kept their records (same rows, hamlets still below them).
    ph = Area.objects.get(code="31420", valid_to__isnull=True)
    assert ph.pk in demo_communes
    assert Area.objects.get_children(ph).filter(name="Ấp Mỹ Phú").exists()
    before = Area.objects.count()
    assert run("--province", "92") == "Đã thêm 0, cập nhật 103 đơn vị của Thành phố Cần Thơ."
    assert Area.objects.count() == before
