"""The demo's logins (`DEMO_USERS`): made sure of by `ensure_users` each time
the demo is loaded (created if missing, password reset to `DEMO_PASSWORD`,
roles granted if missing, sign-in lockouts lifted by `reset_lockouts`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.db.models import F

from danvan.core import services
from danvan.core.models import Area, Organization, Role, RoleAssignment
from danvan.core.text import format_date

DEMO_PASSWORD = "danvan-demo-2024"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    # ("area", code) -> the current unit with that code, else the latest ended one;
    # ("org", name) -> the organisation with that name; None for system_admin.
    target: tuple[str, str] | None
    # The same role, also held on the units in force formed from the units below
    # the unit with this code (the successors of an ended district's communes).
    also_successors_of: str = ""
    note: str = ""  # printed under the table of logins


DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "Nguyễn Thanh Hải", Role.SYSTEM_ADMIN, None),
    # The district board administrator of the 2024 plan. The district ended on
    # 1/7/2025; the board's work went to the communes formed from its communes, so
    # the login reads the district's history and manages those communes.
    DemoUser(
        "bdv.phunghiep",
        "Trần Thị Mỹ Linh",
        Role.BOARD_ADMIN,
        ("area", "934"),
        also_successors_of="934",
        note="quản trị Ban Dân vận huyện: xem số liệu lịch sử của huyện (đến 30/06/2025) và "
        "quản lý các xã kế thừa (thêm ấp, tổ chức, sắp xếp, phân quyền).",
    ),
    DemoUser("canbo.phunghiep", "Lê Văn Tâm", Role.BOARD_ADMIN, ("area", "31420")),
    DemoUser("canbo.hoaan", "Phạm Thị Thu Hà", Role.BOARD_ADMIN, ("area", "31393")),
    DemoUser(
        "phunu.phunghiep", "Võ Thị Ngọc Hân", Role.ORG_OFFICER, ("org", "Hội LHPN xã Phụng Hiệp")
    ),
    DemoUser("ctv.phunghiep", "Huỳnh Văn Phúc", Role.COLLABORATOR, ("area", "31420")),
    DemoUser(
        "kiemtra.phunghiep",
        "Đặng Minh Trí",
        Role.INSPECTOR,
        ("area", "934"),
        note="chỉ xem số liệu lịch sử của huyện Phụng Hiệp (đã ngừng hoạt động).",
    ),
    DemoUser(
        "xem.phunghiep",
        "Ngô Thị Kim Yến",
        Role.VIEWER,
        ("area", "934"),
        note="chỉ xem số liệu lịch sử của huyện Phụng Hiệp (đã ngừng hoạt động).",
    ),
    DemoUser(
        "bdv.cantho",
        "Dương Quốc Bảo",
        Role.BOARD_ADMIN,
        ("area", "92"),
        note="quản trị Ban Dân vận thành phố: quản lý toàn bộ địa bàn, mở kỳ báo cáo.",
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str  # label, e.g. "Quản trị Ban Dân vận"
    scope: str  # label, e.g. "Xã Phụng Hiệp"


def _find_area(code: str) -> Area | None:
    """The current unit with this code, else the most recently ended one."""
    return (
        Area.objects.filter(code=code).order_by(F("valid_to").desc(nulls_first=True), "-pk").first()
    )


def _scope_label(target: Area | Organization | None) -> str:
    if target is None:
        return "Toàn hệ thống"
    if target.valid_to is not None:
        return f"{target.name} (ngừng hoạt động từ {format_date(target.valid_to)})"
    return target.name


def ensure_users() -> list[DemoLogin]:
    User = get_user_model()
    logins: list[DemoLogin] = []
    encoded: str | None = None
    for spec in DEMO_USERS:
        user = User.objects.filter(username__iexact=spec.username).first()
        if user is None:
            password_validation.validate_password(
                DEMO_PASSWORD, User(username=spec.username, full_name=spec.full_name)
            )
            user = services.create_staff_user(
                username=spec.username, full_name=spec.full_name, password=DEMO_PASSWORD
            )
        else:
            password_validation.validate_password(DEMO_PASSWORD, user)
            if encoded is None:  # hash once: the accounts share the password anyway
                encoded = make_password(DEMO_PASSWORD)
            user.password = encoded
        user.is_active = True
        if not getattr(user, "full_name", ""):
            user.full_name = spec.full_name  # type: ignore[attr-defined]
        if spec.role == Role.SYSTEM_ADMIN:
            user.is_superuser = True  # type: ignore[attr-defined]
            user.is_staff = True  # type: ignore[attr-defined]
        user.save()

        area: Area | None = None
        org: Organization | None = None
        if spec.target is not None:
            what, key = spec.target
            finder: Callable[[str], Area | Organization | None] = (
                _find_area if what == "area" else _find_org
            )
            found = finder(key)
            if found is None:  # removed by hand: nothing to grant on
                logins.append(DemoLogin(spec.username, spec.full_name, Role(spec.role).label, "—"))
                continue
            if isinstance(found, Area):
                area = found
            else:
                org = found
        successors = _successors_of(spec.also_successors_of) if spec.also_successors_of else []
        for target_area in [area, *successors] if area is not None else [None]:
            if not RoleAssignment.objects.filter(
                user=user, role=spec.role, area=target_area, organization=org
            ).exists():
                services.grant_role(None, user, spec.role, area=target_area, organization=org)
        scope = _scope_label(area or org)
        if successors:
            scope += f" và {len(successors)} xã kế thừa"
        logins.append(
            DemoLogin(
                username=spec.username,
                full_name=getattr(user, "full_name", "") or spec.full_name,
                role=Role(spec.role).label,
                scope=scope,
            )
        )
    return logins


def _successors_of(code: str) -> list[Area]:
    """Units in force formed (by merger or split) from units below the unit with
    this code: after 1/7/2025, the new communes that replaced a district's communes."""
    unit = _find_area(code)
    if unit is None:
        return []
    return list(
        Area.objects.filter(
            valid_to__isnull=True,
            predecessors__path__startswith=unit.path,
            predecessors__depth__gt=unit.depth,
        )
        .distinct()
        .order_by("path")
    )


def _find_org(name: str) -> Organization | None:
    """The body in force with this name, else the most recently ended one."""
    return (
        Organization.objects.filter(name=name)
        .order_by(F("valid_to").desc(nulls_first=True), "-pk")
        .first()
    )


def reset_lockouts() -> None:
    """Lift sign-in lockouts of the demo accounts (a mistyped password in a trial)."""
    from axes.utils import reset

    for spec in DEMO_USERS:
        reset(username=spec.username)
