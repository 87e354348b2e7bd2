"""Small helpers that build a unit tree, organisations, periods and staff users
through the services (so the tests exercise the same code paths as the app).

Names follow the real lists (Hậu Giang, Cần Thơ, the 2025 arrangement).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

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


def fresh(obj: Any) -> Any:
    """The object read again from the database (a new instance: nothing cached on it)."""
    return type(obj).objects.get(pk=obj.pk)


def current_commune(code: str) -> Area:
    """The commune in force now with this code."""
    return Area.objects.current().get(code=code, kind=AreaKind.COMMUNE)


def _make_area(
    parent: Area | None, kind: str, usual_type: str, name: str, code: str, /, **fields: Any
) -> Area:
    """An area of `kind` under `parent`. `fields` are the rest services.add_area takes
    (unit_type, when not the level's usual one; valid_from, population)."""
    fields.setdefault("unit_type", usual_type)
    return services.add_area(parent, kind=kind, name=name, code=code, **fields)


def make_province(code: str = "93", name: str = "Tỉnh Hậu Giang", **fields: Any) -> Area:
    return _make_area(None, AreaKind.PROVINCE, "Tỉnh", name, code, **fields)


def make_district(
    parent: Area, name: str = "Huyện Phụng Hiệp", code: str = "934", **fields: Any
) -> Area:
    return _make_area(parent, AreaKind.DISTRICT, "Huyện", name, code, **fields)


def make_commune(
    parent: Area, name: str = "Xã Phụng Hiệp", code: str = "31417", **fields: Any
) -> Area:
    return _make_area(parent, AreaKind.COMMUNE, "Xã", name, code, **fields)


def make_phung_hiep() -> tuple[Area, Area, Area, Area]:
    """Tỉnh Hậu Giang (93) > Huyện Phụng Hiệp (934) > Xã Tân Long (31453) and
    Xã Long Thạnh (31456): (province, district, Tân Long, Long Thạnh)."""
    province = make_province("93", "Tỉnh Hậu Giang")
    district = make_district(province, "Huyện Phụng Hiệp", "934")
    tan_long = make_commune(district, "Xã Tân Long", "31453")
    return province, district, tan_long, make_commune(district, "Xã Long Thạnh", "31456")


def make_two_communes(province: Area | None = None) -> tuple[Area, Area, Area]:
    """Two sibling communes, Xã An Bình (30001) and Xã Bình Hòa (30002), in
    `province` (by default a new Thành phố Cần Thơ, 92): (province, An Bình, Bình Hòa)."""
    if province is None:
        province = make_province("92", "Thành phố Cần Thơ")
    return (
        province,
        make_commune(province, "Xã An Bình", "30001"),
        make_commune(province, "Xã Bình Hòa", "30002"),
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


def make_commune_bodies(
    district_women: Organization, tan_long: Area, long_tri: Area, long_thanh: Area, my_hoa: Area
) -> dict[str, Organization]:
    """The bodies of make_phung_hiep's two communes, created in this order: a_women
    (under `district_women`), a_farmers and a1_branch (the branch of Ấp Long Trị) of
    Xã Tân Long; b_women (under `district_women`) and b_branch (the branch of Ấp Mỹ Hòa)
    of Xã Long Thạnh."""
    orgs: dict[str, Organization] = {}
    orgs["a_women"] = make_org(tan_long, "Hội LHPN xã Tân Long", OrgKind.WOMEN, district_women)
    orgs["a_farmers"] = make_org(tan_long, "Hội Nông dân xã Tân Long", OrgKind.FARMERS)
    orgs["a1_branch"] = make_org(
        Area.objects.get(pk=long_tri.pk),
        "Chi hội Phụ nữ ấp Long Trị",
        OrgKind.BRANCH,
        orgs["a_women"],
    )
    orgs["b_women"] = make_org(long_thanh, "Hội LHPN xã Long Thạnh", OrgKind.WOMEN, district_women)
    orgs["b_branch"] = make_org(
        Area.objects.get(pk=my_hoa.pk), "Chi hội Phụ nữ ấp Mỹ Hòa", OrgKind.BRANCH, orgs["b_women"]
    )
    return orgs


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


def make_current_period(days: int = 60) -> Period:
    """The period "Kỳ này" (this period), from `days` days before today to
    `days` days after: the period the figures of today's records fall in."""
    today = timezone.localdate()
    return make_period(
        "Kỳ này", start=today - timedelta(days=days), end=today + timedelta(days=days)
    )


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


def new_account_form(area: Area, **fields: Any) -> dict[str, Any]:
    """The role-grant form filled in for a new account, ctv.moi (Võ Thị Hồng), as a
    collaborator in `area`; `fields` add or replace values."""
    return {
        "new_username": "ctv.moi",
        "new_full_name": "Võ Thị Hồng",
        "new_password": "mat-khau-ban-dau-2026",
        "role": "collaborator",
        "area": area.pk,
        **fields,
    }


def picture_bytes(
    width: int = 800, height: int = 600, fmt: str = "JPEG", *, gps: bool = False, **save: Any
) -> bytes:
    """A generated picture (a gradient, so it compresses like a photo), with an
    EXIF block holding a camera and a GPS position when `gps`."""
    import io

    from PIL import Image

    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "DanvanCam"  # Make
        exif[0x8825] = {1: "N", 2: (9.0, 47.0, 12.0), 3: "E", 4: (105.0, 43.0, 5.0)}
        save["exif"] = exif
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)
