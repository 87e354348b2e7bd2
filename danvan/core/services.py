"""Writes that touch the unit tree, organisations, member counts and roles
(restructuring of the tree: core/restructuring.py).

Each function is one transaction. Audit entries are written by django-auditlog
for every registered model (actor and address come from the request, or from
the job that runs the work). Domain rules raise ValidationError with a
Vietnamese message that forms show beside the fields.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from danvan.core.models import (
    HAMLET_TYPES,
    Area,
    AreaKind,
    AreaMove,
    MemberCount,
    Organization,
    OrgKind,
    Period,
    PeriodKind,
    Role,
    RoleAssignment,
)
from danvan.core.scope import GRANT, GRANTABLE_ROLES, can, get_scope, lineage_paths
from danvan.core.text import fold, format_date

if TYPE_CHECKING:
    from danvan.core.models import User as AbstractBaseUser

LEVEL_ORDER = [AreaKind.PROVINCE, AreaKind.DISTRICT, AreaKind.COMMUNE, AreaKind.HAMLET]


def _err(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


# --- Unit tree -------------------------------------------------------------------


@transaction.atomic
def add_area(
    parent: Area | None,
    *,
    name: str,
    code: str,
    unit_type: str,
    kind: str,
    valid_from: date | None = None,
    population: int | None = None,
) -> Area:
    """Add a unit under `parent` (a root when None)."""
    name = " ".join(name.split())
    if not name:
        raise _err("Tên đơn vị không được để trống.", "required")
    if Area.objects.filter(code=code, valid_to__isnull=True).exists():
        raise _err(f"Mã đơn vị {code} đã được dùng cho một đơn vị đang hoạt động.", "duplicate")
    fields = dict(
        name=name,
        code=code,
        unit_type=unit_type,
        kind=kind,
        valid_from=valid_from,
        population=population,
    )
    if parent is None:
        return Area.objects.add_root(create_kwargs=fields)
    parent.refresh_from_db()
    return Area.objects.add_child(parent, create_kwargs=fields)


def next_hamlet_code(commune: Area) -> str:
    """Hamlets have no official code: the commune's code, a dash, a serial number."""
    existing = Area.objects.filter(code__startswith=f"{commune.code}-").values_list(
        "code", flat=True
    )
    numbers = [int(c.rsplit("-", 1)[1]) for c in existing if c.rsplit("-", 1)[1].isdigit()]
    return f"{commune.code}-{max(numbers, default=0) + 1:02d}"


def _check_hamlet_type(unit_type: str) -> None:
    if unit_type not in HAMLET_TYPES:
        raise _err(
            f"Loại đơn vị “{unit_type}” không hợp lệ; chọn một trong: {', '.join(HAMLET_TYPES)}.",
            "unit_type",
        )


def check_new_hamlet(commune: Area, name: str, unit_type: str) -> None:
    if commune.kind != AreaKind.COMMUNE:
        raise _err("Ấp, khu vực chỉ được thêm vào đơn vị cấp xã.", "not_commune")
    if not commune.is_current:
        raise _err(f"{commune.name} đã ngừng hoạt động; không thể thêm ấp, khu vực.", "ended")
    _check_hamlet_type(unit_type)
    full = f"{unit_type} {name}" if not fold(name).startswith(fold(unit_type)) else name
    siblings = Area.objects.filter(path__startswith=commune.path, depth=commune.depth + 1)
    if siblings.current().filter(name_folded=fold(full)).exists():
        raise _err(f"{commune.name} đã có “{full}”.", "duplicate")


def hamlet_full_name(name: str, unit_type: str) -> str:
    name = " ".join(name.split())
    return name if fold(name).startswith(fold(unit_type)) else f"{unit_type} {name}"


@transaction.atomic
def add_hamlet(commune: Area, *, name: str, unit_type: str, population: int | None = None) -> Area:
    check_new_hamlet(commune, name, unit_type)
    return add_area(
        commune,
        name=hamlet_full_name(name, unit_type),
        code=next_hamlet_code(commune),
        unit_type=unit_type,
        kind=AreaKind.HAMLET,
        population=population,
    )


def adopt_orphan_bodies(area: Area) -> int:
    """Bodies in force in the units directly below `area` whose parent body has
    ended (e.g. hamlet branches after their commune merged) move under the body
    of the same kind at `area`, when there is one. Returns how many moved."""
    bodies = {o.kind: o for o in Organization.objects.filter(area=area, valid_to__isnull=True)}
    if not bodies:
        return 0
    below = list(
        Organization.objects.filter(
            area__path__startswith=area.path, area__depth=area.depth + 1, valid_to__isnull=True
        ).values_list("pk", "path")
    )
    step = Organization.steplen
    # The ended parents among theirs, in one query (a parent's path is its
    # child's without the last step): most bodies below have none.
    ended = dict(
        Organization.objects.filter(
            path__in={path[:-step] for _pk, path in below if len(path) > step},
            valid_to__isnull=False,
            kind__in=bodies,
        ).values_list("path", "kind")
    )
    moved = 0
    for pk, path in below:
        kind = ended.get(path[:-step])
        if kind is None:
            continue
        new_parent = Organization.objects.get(pk=bodies[kind].pk)  # moves renumber paths
        Organization.objects.move(Organization.objects.get(pk=pk), new_parent, "last-child")
        moved += 1
    return moved


@transaction.atomic
def update_hamlet(
    hamlet: Area, *, name: str, unit_type: str, population: int | None = None
) -> Area:
    """Correct a hamlet's name, type or population by hand (a data fix, not a
    renaming by decision: no restructuring is recorded; the audit log keeps the
    old values)."""
    hamlet = Area.objects.get(pk=hamlet.pk)
    if hamlet.kind != AreaKind.HAMLET:
        raise _err("Chỉ sửa trực tiếp được thông tin ấp, khu vực.", "not_hamlet")
    if not hamlet.is_current:
        raise _err(f"{hamlet.name} đã ngừng hoạt động; không sửa được.", "ended")
    _check_hamlet_type(unit_type)
    name = " ".join(name.split())
    if not name:
        raise _err("Tên ấp, khu vực không được để trống.", "required")
    if population is not None and population < 0:
        raise _err("Dân số không thể âm.", "negative")
    full = hamlet_full_name(name, unit_type)
    commune = Area.objects.get_parent(hamlet)
    if commune is not None:
        siblings = Area.objects.filter(path__startswith=commune.path, depth=hamlet.depth)
        if siblings.current().filter(name_folded=fold(full)).exclude(pk=hamlet.pk).exists():
            raise _err(f"{commune.name} đã có “{full}”.", "duplicate")
    hamlet.name = full
    hamlet.unit_type = unit_type
    hamlet.population = population
    hamlet.save()
    return hamlet


# --- Organisations and member counts --------------------------------------------


@transaction.atomic
def create_organization(
    *, name: str, kind: str, area: Area, parent: Organization | None = None
) -> Organization:
    name = " ".join(name.split())
    if not name:
        raise _err("Tên tổ chức không được để trống.", "required")
    if not area.is_current:
        raise _err(f"{area.name} đã ngừng hoạt động.", "ended")
    if parent is not None:
        parent.refresh_from_db()
        if not area.path.startswith(parent.area.path):
            raise _err("Tổ chức cấp trên phải ở cùng địa bàn hoặc địa bàn cấp trên.", "parent_area")
        org = Organization.objects.add_child(
            parent, create_kwargs={"name": name, "kind": kind, "area": area}
        )
    else:
        org = Organization.objects.add_root(
            create_kwargs={"name": name, "kind": kind, "area": area}
        )
    if area.kind != AreaKind.HAMLET:
        adopt_orphan_bodies(area)
    return org


@transaction.atomic
def set_member_count(org: Organization, period: Period, members: int) -> MemberCount:
    if members < 0:
        raise _err("Số hội viên không thể âm.", "negative")
    obj, _created = MemberCount.objects.update_or_create(
        organization=org, period=period, defaults={"members": members}
    )
    return obj


def member_totals(area: Area, period: Period) -> dict[str, Any]:
    """Members of every body in the area's subtree and in the units merged into it."""
    paths = lineage_paths(area.path)
    # Units that moved away after the period still count for their old parent.
    for move in AreaMove.objects.filter(moved_on__gt=period.end).select_related("area"):
        if any(move.old_path.startswith(p) for p in paths):
            paths.append(move.area.path)
    q = Q()
    for p in paths:
        q |= Q(organization__area__path__startswith=p)
    rows = (
        MemberCount.objects.filter(q, period=period)
        .values("organization__kind")
        .annotate(total=Sum("members"))
    )
    by_kind = {r["organization__kind"]: r["total"] for r in rows}
    return {"by_kind": by_kind, "total": sum(by_kind.values())}


def _check_org_parent(org: Organization | None, area: Area, parent: Organization) -> None:
    parent.refresh_from_db()
    if parent.valid_to is not None:
        raise _err(f"Tổ chức cấp trên {parent.name} đã ngừng hoạt động.", "parent_ended")
    if org is not None and parent.path.startswith(org.path):
        raise _err(
            "Tổ chức cấp trên không thể là chính tổ chức này hoặc một tổ chức trực thuộc nó.",
            "parent_cycle",
        )
    if not area.path.startswith(parent.area.path):
        raise _err("Tổ chức cấp trên phải ở cùng địa bàn hoặc địa bàn cấp trên.", "parent_area")


@transaction.atomic
def update_organization(
    org: Organization, *, name: str, kind: str, parent: Organization | None
) -> Organization:
    """Correct a body's name or kind, or move it under another parent body (or to
    the top when `parent` is None). Its bodies below move with it."""
    org = Organization.objects.select_related("area").get(pk=org.pk)
    if org.valid_to is not None:
        raise _err(f"{org.name} đã ngừng hoạt động; không sửa được.", "ended")
    name = " ".join(name.split())
    if not name:
        raise _err("Tên tổ chức không được để trống.", "required")
    if kind not in OrgKind.values:
        raise _err("Loại tổ chức không hợp lệ.", "kind")
    current_parent = Organization.objects.get_parent(org)
    if parent is not None:
        _check_org_parent(org, org.area, parent)
    if (parent.pk if parent else None) != (current_parent.pk if current_parent else None):
        if parent is not None:
            Organization.objects.move(org, parent, "last-child")
        else:
            root = Organization.objects.get_root_nodes().order_by("path").last()
            assert root is not None
            Organization.objects.move(org, root, "last-sibling")
        org = Organization.objects.select_related("area").get(pk=org.pk)
        # treebeard moves with queryset updates, which the audit log does not see.
        LogEntry.objects.log_create(
            org,
            action=LogEntry.Action.UPDATE,
            changes={
                "tổ chức cấp trên": [
                    current_parent.name if current_parent else "(không có)",
                    parent.name if parent else "(không có)",
                ]
            },
        )
    org.name = name
    org.kind = kind
    org.save()
    return org


def org_closing_preview(org: Organization) -> list[Organization]:
    """The body and the bodies in force below it, which end together."""
    below = Organization.objects.get_descendants(org).filter(valid_to__isnull=True)
    return [org, *below.select_related("area")]


@transaction.atomic
def close_organization(org: Organization, *, ended_on: date) -> list[Organization]:
    """Record that a body stopped working on `ended_on` (dissolved, merged into
    another): it and the bodies in force below it end; their figures and roles
    stay readable as history. Returns the bodies ended."""
    org = Organization.objects.select_related("area").get(pk=org.pk)
    if org.valid_to is not None:
        raise _err(
            f"{org.name} đã ngừng hoạt động từ {format_date(org.valid_to)}.", "already_ended"
        )
    today = timezone.localdate()
    if ended_on > today:
        raise _err(
            f"Ngày ngừng hoạt động {format_date(ended_on)} là ngày trong tương lai; chỉ ghi "
            f"nhận khi tổ chức đã thôi hoạt động (đến hôm nay, {format_date(today)}).",
            "future",
        )
    if org.area.valid_from and ended_on < org.area.valid_from:
        raise _err(
            f"Ngày ngừng hoạt động {format_date(ended_on)} trước ngày thành lập "
            f"{org.area.name} ({format_date(org.area.valid_from)}).",
            "before_start",
        )
    ended = org_closing_preview(org)
    for body in ended:
        body.valid_to = ended_on
        body.save(update_fields=["valid_to"])
    return ended


# --- Reporting periods ------------------------------------------------------------


@transaction.atomic
def open_period(*, name: str, kind: str, start: date, end: date) -> Period:
    """Open a reporting period: figures (member counts...) are then entered for it.
    Periods of one kind never overlap, so a date belongs to one period of a kind."""
    name = " ".join(name.split())
    if not name:
        raise _err("Tên kỳ báo cáo không được để trống.", "required")
    if kind not in PeriodKind.values:
        raise _err("Loại kỳ không hợp lệ.", "kind")
    if start > end:
        raise _err(
            f"Ngày bắt đầu {format_date(start)} sau ngày kết thúc {format_date(end)}.", "order"
        )
    folded = fold(name)
    for existing in Period.objects.all():
        if fold(existing.name) == folded:
            raise _err(f"Đã có kỳ báo cáo tên “{existing.name}”.", "duplicate")
    overlap = Period.objects.filter(kind=kind, start__lte=end, end__gte=start).first()
    if overlap is not None:
        raise _err(
            f"Trùng thời gian với kỳ “{overlap.name}” ({format_date(overlap.start)} – "
            f"{format_date(overlap.end)}) cùng loại {PeriodKind(kind).label.lower()}.",
            "overlap",
        )
    return Period.objects.create(name=name, kind=kind, start=start, end=end)


def suggest_next_period() -> dict[str, Any]:
    """Name and dates of the half-year after the latest one (or the current half-year)."""
    latest = Period.objects.filter(kind=PeriodKind.HALF_YEAR).order_by("-end").first()
    if latest is not None:
        start = latest.end + timedelta(days=1)
    else:
        today = timezone.localdate()
        start = date(today.year, 1 if today.month <= 6 else 7, 1)
    first_half = start.month <= 6
    end = date(start.year, 6, 30) if first_half else date(start.year, 12, 31)
    if start.day != 1 or start.month not in (1, 7):  # an irregular latest period
        return {"kind": PeriodKind.HALF_YEAR, "start": start, "end": end}
    half = "đầu" if first_half else "cuối"
    return {
        "name": f"6 tháng {half} năm {start.year}",
        "kind": PeriodKind.HALF_YEAR,
        "start": start,
        "end": end,
    }


# --- Roles ------------------------------------------------------------------------


@transaction.atomic
def grant_role(
    actor: AbstractBaseUser | None,
    user: AbstractBaseUser,
    role: str,
    *,
    area: Area | None = None,
    organization: Organization | None = None,
) -> RoleAssignment:
    """Grant a role; an administrator grants only within their own scope."""
    if role == Role.SYSTEM_ADMIN:
        if actor is not None and not get_scope(actor).is_system_admin:
            raise _err("Chỉ quản trị hệ thống mới cấp được vai trò này.", "forbidden_role")
        area = organization = None
    else:
        if (area is None) == (organization is None):
            raise _err("Chọn một địa bàn hoặc một tổ chức cho vai trò.", "scope")
        if role not in GRANTABLE_ROLES:
            raise _err("Vai trò không hợp lệ.", "role")
        target = area if area is not None else organization
        assert target is not None
        if actor is not None and not can(actor, GRANT, target):
            raise _err("Địa bàn hoặc tổ chức này nằm ngoài phạm vi quản lý của bạn.", "scope")
    if RoleAssignment.objects.filter(
        user=user, role=role, area=area, organization=organization
    ).exists():
        raise _err("Người dùng đã có vai trò này.", "duplicate")
    return RoleAssignment.objects.create(
        user=user, role=role, area=area, organization=organization, granted_by=actor
    )


@transaction.atomic
def revoke_role(actor: AbstractBaseUser | None, assignment: RoleAssignment) -> None:
    if (
        actor is not None
        and assignment.user_id == actor.pk
        and assignment.role
        in (
            Role.BOARD_ADMIN,
            Role.SYSTEM_ADMIN,
        )
    ):
        raise _err("Bạn không thể tự thu hồi quyền quản trị của chính mình.", "self")
    assignment.delete()


@transaction.atomic
def create_staff_user(
    *,
    username: str,
    full_name: str,
    password: str,
    email: str = "",
    phone: str = "",
    audit_area_path: str = "",
) -> AbstractBaseUser:
    """Create an account. `audit_area_path` files its audit entry under the unit
    it is created for, so that the administrators of that unit can read it."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise _err("Tên đăng nhập đã tồn tại.", "duplicate")
    full_name = " ".join(full_name.split())
    if not full_name:
        raise _err("Họ và tên không được để trống.", "required")
    user = User(username=username, email=email, full_name=full_name, phone=phone)
    user.audit_area_path = audit_area_path
    user.set_password(password)
    user.save()
    return user
