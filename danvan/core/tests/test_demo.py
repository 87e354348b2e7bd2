"""The demo district: built once, through the services, with its 2025 restructuring."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import authenticate, password_validation
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q, Sum
from django.test import RequestFactory

from danvan.core import services
from danvan.core.demo import format_logins, load_demo, load_facts
from danvan.core.demo_users import DEMO_PASSWORD, DEMO_USERS
from danvan.core.models import (
    Area,
    AreaKind,
    MemberCount,
    Organization,
    OrgKind,
    Period,
    Restructuring,
    RoleAssignment,
    User,
)
from danvan.core.scope import get_scope
from danvan.core.tests.helpers import row_counts

pytestmark = pytest.mark.django_db

EFFECTIVE = date(2025, 7, 1)
OLD_CODES = [c["code"] for c in load_facts()["communes"]]
NEW_CODES = [c["code"] for c in load_facts()["restructuring_2025"]["communes"]]


def counts() -> dict[str, int]:
    return row_counts(Area, Organization, MemberCount, User, RoleAssignment, Period, Restructuring)


def can_tho() -> Area:
    return Area.objects.get(code="92", valid_to__isnull=True)


def test_demo_loads(demo: Any) -> None:
    assert demo.created is True
    assert Area.objects.filter(code="93", name="Tỉnh Hậu Giang", kind=AreaKind.PROVINCE).exists()
    district = Area.objects.get(code="934")
    assert district.name == "Huyện Phụng Hiệp"
    assert district.population == sum(c["population"] for c in load_facts()["communes"])
    old = Area.objects.filter(code__in=OLD_CODES, valid_to__isnull=False)
    assert old.count() == 15
    assert set(Period.objects.values_list("name", flat=True)) >= {
        "6 tháng đầu năm 2024",
        "Năm 2024",
        "6 tháng cuối năm 2025",
    }
    assert Area.objects.filter(kind=AreaKind.HAMLET).count() == 9
    assert Organization.objects.filter(name="Ban Dân vận Huyện ủy Phụng Hiệp").exists()
    assert Organization.objects.filter(name="Đảng ủy thị trấn Cây Dương").exists()
    assert Organization.objects.filter(name="Chi hội Phụ nữ ấp Mỹ Phú").exists()
    # Every change went through the services: the audit log has the entries.
    assert LogEntry.objects.count() > Organization.objects.count()


def test_second_load_duplicates_nothing(demo: Any) -> None:
    before = counts()
    again = load_demo()
    assert again.created is False
    assert counts() == before
    assert [x.username for x in again.logins] == [u.username for u in DEMO_USERS]


def test_load_demo_command_is_idempotent(demo: Any, settings: Any) -> None:
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())  # the apps' demos join the district's
    before = counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert counts() == before
    text = out.getvalue()
    assert "Tài khoản mẫu (mật khẩu chung: danvan-demo-2024)" in text
    assert "http://127.0.0.1:8000/quan-ly/" in text
    assert "canbo.phunghiep" in text


def test_load_demo_command_refuses_without_debug(db: Any, settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=StringIO())
    assert User.objects.count() == 0
    call_command("load_demo", "--force", stdout=StringIO())
    assert Area.objects.filter(code="934").exists()


def test_old_communes_end_on_1_july_2025_with_successors_in_can_tho(demo: Any) -> None:
    city = can_tho()
    new = {a.code: a for a in Area.objects.filter(code__in=NEW_CODES, valid_to__isnull=True)}
    assert len(new) == 7
    for a in new.values():
        assert a.kind == AreaKind.COMMUNE
        assert a.valid_from == EFFECTIVE
        assert Area.objects.get_parent(a) == city
    merged_into: dict[str, set[str]] = {}
    for old in Area.objects.filter(code__in=OLD_CODES, kind=AreaKind.COMMUNE).exclude(
        valid_from=EFFECTIVE
    ):
        assert old.valid_to == EFFECTIVE
        assert old.successor is not None
        assert old.successor.pk in {a.pk for a in new.values()}
        merged_into.setdefault(old.successor.code, set()).add(old.name)
    assert sum(len(v) for v in merged_into.values()) == 15
    assert merged_into["31420"] == {"Xã Hòa Mỹ", "Xã Phụng Hiệp"}
    assert merged_into["31432"] == {"Xã Tân Phước Hưng", "Thị trấn Búng Tàu", "Xã Tân Long"}
    for code in ("93", "934"):
        unit = Area.objects.get(code=code)
        assert unit.valid_to == EFFECTIVE
        assert unit.successor == city
    # Current hamlets moved to the new communes; their bodies are still current.
    hamlet = Area.objects.get(name="Ấp Mỹ Phú")
    assert hamlet.valid_to is None
    assert Area.objects.get_parent(hamlet) == new["31420"]
    # Bodies of the old units ended; the new communes have their own, under the city's.
    assert not Organization.objects.filter(area__code="934", valid_to__isnull=True).exists()
    women = Organization.objects.get(area=new["31420"], kind=OrgKind.WOMEN)
    assert women.name == "Hội LHPN xã Phụng Hiệp"
    assert Organization.objects.get_parent(women).name == "Hội LHPN thành phố Cần Thơ"


def test_member_totals_of_a_new_commune_include_its_predecessors(demo: Any) -> None:
    year = Period.objects.get(name="Năm 2024")
    new = Area.objects.get(code="31420", valid_to__isnull=True)
    preds = list(Area.objects.filter(successor=new))
    assert {p.name for p in preds} == {"Xã Phụng Hiệp", "Xã Hòa Mỹ"}
    hamlets = list(Area.objects.get_children(new))
    expected = sum(
        MemberCount.objects.filter(
            Q(organization__area__in=preds) | Q(organization__area__in=hamlets), period=year
        ).values_list("members", flat=True)
    )
    totals = services.member_totals(new, year)
    assert totals["total"] == expected
    own_old = sum(
        MemberCount.objects.filter(organization__area=preds[0], period=year).values_list(
            "members", flat=True
        )
    )
    assert 0 < own_old < totals["total"]
    # The first half of 2025 is recorded on the new commune's own bodies.
    h1 = Period.objects.get(name="6 tháng cuối năm 2025")
    assert services.member_totals(new, h1)["by_kind"][OrgKind.WOMEN] > 0


def test_figures_are_deterministic(demo: Any) -> None:
    org = Organization.objects.get(name="Hội LHPN xã Hòa Mỹ")
    first = list(org.member_counts.order_by("period__start", "period__end").values_list("members"))
    assert len(first) == 2
    assert all(300 <= m <= 2500 for (m,) in first)
    branch = Organization.objects.get(name="Chi hội Nông dân ấp Mỹ Phú")
    assert all(40 <= m <= 250 for m in branch.member_counts.values_list("members", flat=True))


def test_demo_logins_authenticate(demo: Any) -> None:
    assert len(demo.logins) == len(DEMO_USERS)
    request = RequestFactory().post("/quan-ly/dang-nhap/")
    for spec in DEMO_USERS:
        user = authenticate(request, username=spec.username, password=DEMO_PASSWORD)
        assert user is not None, spec.username
        assert user.full_name == spec.full_name
        password_validation.validate_password(DEMO_PASSWORD, user)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert get_scope(admin).is_system_admin


def test_demo_roles_and_scopes(demo: Any) -> None:
    role = RoleAssignment.objects.get(user__username="canbo.phunghiep")
    assert role.role == "board_admin"
    assert role.area is not None and role.area.code == "31420" and role.area.valid_to is None
    sibling = RoleAssignment.objects.get(user__username="canbo.hoaan")
    assert sibling.area is not None and sibling.area.name == "Xã Hòa An"
    officer = RoleAssignment.objects.get(user__username="phunu.phunghiep")
    assert officer.organization is not None
    assert officer.organization.name == "Hội LHPN xã Phụng Hiệp"
    assert officer.organization.valid_to is None
    # The hamlet branches of the merged communes now sit under the new commune's union.
    branches = Organization.objects.get_children(officer.organization)
    assert branches.filter(name="Chi hội Phụ nữ ấp Mỹ Phú").exists()
    # The city's board administrator sees the new communes and, through history, the old ones.
    above = User.objects.get(username="bdv.cantho")
    visible = Area.objects.visible_to(above)
    assert visible.filter(code="31417", valid_to=EFFECTIVE).exists()
    assert visible.filter(code="31420", valid_to__isnull=True).exists()
    # The sibling commune officer does not see the owner's commune.
    hoa_an = User.objects.get(username="canbo.hoaan")
    assert not Area.objects.visible_to(hoa_an).filter(code="31417").exists()


def test_reload_restores_demo_password_and_roles(demo: Any) -> None:
    user = User.objects.get(username="ctv.phunghiep")
    user.set_password("mat-khau-khac-2025")
    user.is_active = False
    user.save()
    RoleAssignment.objects.filter(user=user).delete()
    load_demo()
    user.refresh_from_db()
    assert user.is_active
    assert user.check_password(DEMO_PASSWORD)
    assert RoleAssignment.objects.filter(user=user, role="collaborator").count() == 1


def test_format_logins(demo: Any) -> None:
    text = format_logins(demo)
    lines = text.splitlines()
    assert lines[0] == "Tài khoản mẫu (mật khẩu chung: danvan-demo-2024)"
    assert "http://127.0.0.1:8000/quan-ly/" in text
    assert "Tên đăng nhập" in text and "Phạm vi" in text
    assert "Quản trị Ban Dân vận" in text
    for spec in DEMO_USERS:
        assert spec.username in text


def test_demo_refuses_a_database_whose_current_units_hold_its_codes(db: Any) -> None:
    from danvan.core.demo import DemoError
    from danvan.core.units import import_province

    import_province(92)
    before = counts()
    with pytest.raises(DemoError, match="31393"):
        load_demo()
    assert counts() == before


def test_old_district_keeps_its_2024_figures_after_the_hamlets_moved(demo: Any) -> None:
    """Hamlets moved to the new communes in 2025; the district's 2024 totals still count them."""
    from danvan.core.models import MemberCount, Period
    from danvan.core.services import member_totals

    district = Area.objects.get(code="934")
    year = Period.objects.get(name="Năm 2024")
    hamlet_branches = MemberCount.objects.filter(
        period=year, organization__area__kind="hamlet"
    ).aggregate(total=Sum("members"))["total"]
    assert hamlet_branches > 0
    everything = MemberCount.objects.filter(period=year).aggregate(total=Sum("members"))["total"]
    assert member_totals(district, year)["total"] == everything


def test_district_board_administrator_reads_history_and_manages_the_successor_communes(
    demo: Any,
) -> None:
    from danvan.core.scope import MANAGE_TREE, can

    user = User.objects.get(username="bdv.phunghiep")
    roles = RoleAssignment.objects.filter(user=user, role="board_admin").select_related("area")
    district = Area.objects.get(code="934")
    assert {r.area.code for r in roles} == {"934", *NEW_CODES}
    new = Area.objects.filter(code__in=NEW_CODES, valid_to__isnull=True)
    assert new.count() == 7
    for commune in new:
        assert can(user, MANAGE_TREE, commune), commune.name
    # The district's history stays readable; the city and other cities' units are not.
    assert Area.objects.visible_to(user).filter(pk=district.pk).exists()
    assert not can(user, MANAGE_TREE, can_tho())
    assert not Area.objects.visible_to(user).filter(pk=can_tho().pk).exists()
    # The inspector and the viewer of the district keep the history only.
    for username in ("kiemtra.phunghiep", "xem.phunghiep"):
        assert list(
            RoleAssignment.objects.filter(user__username=username).values_list("area__code")
        ) == [("934",)]
    # A second load grants nothing twice.
    before = RoleAssignment.objects.count()
    load_demo()
    assert RoleAssignment.objects.count() == before


def test_printed_logins_say_what_each_district_login_shows(demo: Any) -> None:
    text = format_logins(demo)
    row = next(line for line in text.splitlines() if line.startswith("bdv.phunghiep"))
    assert "Huyện Phụng Hiệp (ngừng hoạt động từ 01/07/2025) và 7 xã kế thừa" in row
    assert "Dùng để thử:" in text
    assert "- bdv.phunghiep: quản trị Ban Dân vận huyện: xem số liệu lịch sử" in text
    assert "- xem.phunghiep: chỉ xem số liệu lịch sử của huyện Phụng Hiệp" in text
