"""Small helpers that build a unit tree, organisations, periods and staff users
through the services (so the tests exercise the same code paths as the app).

Names follow the real lists (Hậu Giang, Cần Thơ, the 2025 arrangement).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from danvan.core import services
from danvan.core.models import (
    Area,
    AreaKind,
    MemberCount,
    Organization,
    OrgKind,
    Period,
    PeriodKind,
    Role,
    RoleAssignment,
)

PASSWORD = "MatKhau-Dan-Van-2025"

_FULL_NAMES = [
    "Nguyễn Thị Thu Hà",
    "Trần Văn Phúc",
    "Lê Minh Tâm",
    "Phạm Thị Ngọc Bích",
    "Huỳnh Văn Lợi",
    "Võ Thị Kim Loan",
    "Đặng Quốc Huy",
    "Bùi Thị Mỹ Duyên",
]
_counter = {"user": 0}


def _make_area(parent: Area | None, kind: str, **fields: Any) -> Area:
    return services.add_area(parent, kind=kind, **fields)


def make_province(
    code: str = "93",
    name: str = "Tỉnh Hậu Giang",
    unit_type: str = "Tỉnh",
    valid_from: date | None = None,
) -> Area:
    return _make_area(
        None, AreaKind.PROVINCE, name=name, code=code, unit_type=unit_type, valid_from=valid_from
    )


def make_district(
    parent: Area,
    name: str = "Huyện Phụng Hiệp",
    code: str = "934",
    unit_type: str = "Huyện",
    valid_from: date | None = None,
) -> Area:
    return _make_area(
        parent, AreaKind.DISTRICT, name=name, code=code, unit_type=unit_type, valid_from=valid_from
    )


def make_commune(
    parent: Area,
    name: str = "Xã Phụng Hiệp",
    code: str = "31417",
    unit_type: str = "Xã",
    valid_from: date | None = None,
    population: int | None = None,
) -> Area:
    return _make_area(
        parent,
        AreaKind.COMMUNE,
        name=name,
        code=code,
        unit_type=unit_type,
        valid_from=valid_from,
        population=population,
    )


def make_hamlet(
    commune: Area, name: str, unit_type: str = "Ấp", population: int | None = None
) -> Area:
    commune.refresh_from_db()
    return services.add_hamlet(commune, name=name, unit_type=unit_type, population=population)


def make_org(
    area: Area,
    name: str | None = None,
    kind: str = OrgKind.WOMEN,
    parent: Organization | None = None,
) -> Organization:
    area.refresh_from_db()
    if name is None:
        name = f"{OrgKind(kind).label} {area.name}"
    return services.create_organization(name=name, kind=kind, area=area, parent=parent)


def make_period(
    name: str = "6 tháng đầu năm 2025",
    kind: str = PeriodKind.HALF_YEAR,
    start: date = date(2025, 1, 1),
    end: date = date(2025, 6, 30),
) -> Period:
    period, _ = Period.objects.get_or_create(
        name=name, defaults={"kind": kind, "start": start, "end": end}
    )
    return period


def set_members(org: Organization, period: Period, members: int) -> MemberCount:
    return services.set_member_count(org, period, members)


def make_user(
    username: str,
    role: str | None = None,
    area: Area | None = None,
    organization: Organization | None = None,
    full_name: str | None = None,
) -> Any:
    """A staff user, with one role granted by the system (actor None) if `role` is given."""
    if full_name is None:
        full_name = _FULL_NAMES[_counter["user"] % len(_FULL_NAMES)]
        _counter["user"] += 1
    user = services.create_staff_user(username=username, full_name=full_name, password=PASSWORD)
    if role is not None:
        services.grant_role(None, user, role, area=area, organization=organization)
    return user


def make_staff(username: str, role: str = Role.BOARD_ADMIN, **scope: Any) -> Any:
    """A staff user named "Cán bộ <username>" holding `role` on the given area
    or organisation (granted by the system)."""
    user = services.create_staff_user(
        username=username, full_name="Cán bộ " + username, password="mat-khau-thu-nghiem-1"
    )
    services.grant_role(None, user, role, **scope)
    return user


def roles_of(user: Any) -> list[RoleAssignment]:
    return list(RoleAssignment.objects.filter(user=user))
