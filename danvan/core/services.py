"""Writes that touch the unit tree, organisations, member counts and roles.

Each function is one transaction. Audit entries are written by django-auditlog
for every registered model (actor and address come from the request, or from
the job that runs the work). Domain rules raise ValidationError with a
Vietnamese message that forms show beside the fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
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
    Restructuring,
    RestructuringKind,
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


def check_new_hamlet(commune: Area, name: str, unit_type: str) -> None:
    if commune.kind != AreaKind.COMMUNE:
        raise _err("Ấp, khu vực chỉ được thêm vào đơn vị cấp xã.", "not_commune")
    if not commune.is_current:
        raise _err(f"{commune.name} đã ngừng hoạt động; không thể thêm ấp, khu vực.", "ended")
    if unit_type not in HAMLET_TYPES:
        raise _err(
            f"Loại đơn vị “{unit_type}” không hợp lệ; chọn một trong: {', '.join(HAMLET_TYPES)}.",
            "unit_type",
        )
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


def check_not_future(effective_on: date) -> None:
    """A restructuring is recorded once it has taken effect: the tree shows what is
    in force today, so a future date would end units before their time."""
    today = timezone.localdate()
    if effective_on > today:
        raise _err(
            f"Ngày có hiệu lực {format_date(effective_on)} là ngày trong tương lai. Chỉ ghi "
            f"nhận việc sắp xếp đã có hiệu lực (đến hôm nay, {format_date(today)}); khi quyết "
            "định có hiệu lực, hãy ghi nhận lại.",
            "future",
        )


def _check_restructurable(area: Area, effective_on: date) -> None:
    check_not_future(effective_on)
    if area.valid_to is not None:
        raise _err(
            f"{area.name} đã ngừng hoạt động từ {format_date(area.valid_to)}.", "already_ended"
        )
    if area.valid_from and effective_on <= area.valid_from:
        raise _err(
            f"Ngày hiệu lực {format_date(effective_on)} không thể trước hoặc trùng ngày "
            f"thành lập {area.name} ({format_date(area.valid_from)}).",
            "before_start",
        )


def _check_started(target: Area, effective_on: date) -> None:
    if target.valid_from and effective_on < target.valid_from:
        raise _err(
            f"Ngày hiệu lực {format_date(effective_on)} trước ngày thành lập đơn vị tiếp nhận "
            f"{target.name} ({format_date(target.valid_from)}).",
            "target_not_started",
        )


def _chain_contains(start: Area, targets: set[int]) -> bool:
    seen: set[int] = set()
    node: Area | None = start
    while node is not None and node.pk not in seen:
        if node.pk in targets:
            return True
        seen.add(node.pk)
        node = node.successor
    return False


def _end_units(units: Iterable[Area], successor: Area | None, effective_on: date) -> None:
    for unit in units:
        unit.refresh_from_db()
        unit.valid_to = effective_on
        unit.successor = successor
        unit.save(update_fields=["valid_to", "successor"])
        for org in Organization.objects.filter(area=unit, valid_to__isnull=True):
            org.valid_to = effective_on
            org.save(update_fields=["valid_to"])


def _move_current_children(units: Iterable[Area], target: Area, effective_on: date) -> None:
    """Move the units still in force under `target`, remembering where they were
    so that the old parent's figures for earlier periods still include them."""
    for unit in units:
        unit.refresh_from_db()
        children = list(Area.objects.get_children(unit).filter(valid_to__isnull=True))
        for child in children:
            target.refresh_from_db()
            child.refresh_from_db()
            AreaMove.objects.create(area=child, old_path=child.path, moved_on=effective_on)
            Area.objects.move(child, target, "last-child")
    target.refresh_from_db()
    adopt_orphan_bodies(target)


def adopt_orphan_bodies(area: Area) -> int:
    """Bodies in force in the units directly below `area` whose parent body has
    ended (e.g. hamlet branches after their commune merged) move under the body
    of the same kind at `area`, when there is one. Returns how many moved."""
    bodies = {o.kind: o for o in Organization.objects.filter(area=area, valid_to__isnull=True)}
    if not bodies:
        return 0
    below = Organization.objects.filter(
        area__path__startswith=area.path, area__depth=area.depth + 1, valid_to__isnull=True
    )
    moved = 0
    for org in list(below):
        org.refresh_from_db()
        parent = Organization.objects.get_parent(org)
        if parent is None or parent.valid_to is None or parent.kind not in bodies:
            continue
        new_parent = bodies[parent.kind]
        new_parent.refresh_from_db()
        Organization.objects.move(org, new_parent, "last-child")
        moved += 1
    return moved


@dataclass
class NewUnit:
    name: str
    code: str
    unit_type: str


@transaction.atomic
def merge_areas(
    actor: AbstractBaseUser | None,
    predecessors: Sequence[Area],
    *,
    effective_on: date,
    into: Area | None = None,
    new_unit: NewUnit | None = None,
    parent: Area | None = None,
    decision: str = "",
    note: str = "",
) -> Restructuring:
    """Merge units into an existing unit (`into`) or into a new one under `parent`.

    The merged units are ended on `effective_on` and keep their records as
    history; their figures roll up into the successor; their current hamlets
    move under it.
    """
    preds = [Area.objects.get(pk=a.pk) for a in predecessors]
    if not preds:
        raise _err("Chọn ít nhất một đơn vị để sáp nhập.", "required")
    if len({p.pk for p in preds}) != len(preds):
        raise _err("Một đơn vị được chọn hai lần.", "duplicate")
    if (into is None) == (new_unit is None):
        raise _err("Chọn đơn vị tiếp nhận hoặc khai báo đơn vị mới (chỉ một trong hai).", "target")
    kinds = {p.kind for p in preds}
    if len(kinds) > 1:
        raise _err("Chỉ sáp nhập các đơn vị cùng cấp.", "mixed_levels")
    pred_ids = {p.pk for p in preds}
    if into is not None:
        into = Area.objects.get(pk=into.pk)
        if into.pk in pred_ids:
            raise _err(f"Không thể sáp nhập {into.name} vào chính nó.", "self")
        for p in preds:
            if into.path.startswith(p.path):
                raise _err(
                    f"Không thể sáp nhập {p.name} vào {into.name} là đơn vị trực thuộc của nó.",
                    "descendant",
                )
        if _chain_contains(into, pred_ids):
            raise _err(
                f"Sáp nhập này tạo vòng lặp: {into.name} đã được sáp nhập vào một đơn vị "
                "trong danh sách.",
                "cycle",
            )
        if into.valid_to is not None:
            raise _err(f"Đơn vị tiếp nhận {into.name} đã ngừng hoạt động.", "target_ended")
        _check_started(into, effective_on)
        if into.kind != preds[0].kind:
            raise _err("Đơn vị tiếp nhận phải cùng cấp với các đơn vị sáp nhập.", "mixed_levels")
    for p in preds:
        _check_restructurable(p, effective_on)
    if new_unit is not None:
        if parent is None:
            raise _err("Chọn đơn vị cấp trên của đơn vị mới.", "parent")
        parent = Area.objects.get(pk=parent.pk)
        if parent.valid_to is not None:
            raise _err(f"{parent.name} đã ngừng hoạt động.", "parent_ended")
        if any(parent.path.startswith(p.path) for p in preds):
            raise _err("Đơn vị cấp trên không thể là một đơn vị đang bị sáp nhập.", "descendant")
        if LEVEL_ORDER.index(AreaKind(parent.kind)) >= LEVEL_ORDER.index(AreaKind(preds[0].kind)):
            raise _err("Đơn vị cấp trên phải ở cấp cao hơn đơn vị mới.", "parent_level")
        # Codes may be reused by the successor: end the old units first.
        _end_units(preds, None, effective_on)
        target = add_area(
            parent,
            name=new_unit.name,
            code=new_unit.code,
            unit_type=new_unit.unit_type,
            kind=preds[0].kind,
            valid_from=effective_on,
        )
    else:
        assert into is not None
        target = into
        _end_units(preds, None, effective_on)
    for p in preds:
        p.successor = target
        p.save(update_fields=["successor"])
    _move_current_children(preds, target, effective_on)
    r = Restructuring.objects.create(
        kind=RestructuringKind.MERGE,
        effective_on=effective_on,
        decision=decision,
        note=note,
        created_by=actor,
    )
    r.predecessors.set(preds)
    r.successors.set([target])
    return r


@transaction.atomic
def split_area(
    actor: AbstractBaseUser | None,
    area: Area,
    parts: Sequence[NewUnit],
    *,
    effective_on: date,
    decision: str = "",
    note: str = "",
) -> Restructuring:
    """Split a unit into new units beside it. The first part is the main successor:
    it inherits the unit's history and its current hamlets."""
    area = Area.objects.get(pk=area.pk)
    if len(parts) < 2:
        raise _err("Chia tách cần ít nhất hai đơn vị mới.", "parts")
    names = [fold(p.name) for p in parts]
    if len(set(names)) != len(names):
        raise _err("Tên các đơn vị mới bị trùng nhau.", "duplicate")
    _check_restructurable(area, effective_on)
    parent = Area.objects.get_parent(area)
    _end_units([area], None, effective_on)  # successor set once the parts exist
    new_units = [
        add_area(
            parent,
            name=p.name,
            code=p.code,
            unit_type=p.unit_type,
            kind=area.kind,
            valid_from=effective_on,
        )
        for p in parts
    ]
    area.refresh_from_db()
    area.successor = new_units[0]
    area.save(update_fields=["successor"])
    _move_current_children([area], new_units[0], effective_on)
    r = Restructuring.objects.create(
        kind=RestructuringKind.SPLIT,
        effective_on=effective_on,
        decision=decision,
        note=note,
        created_by=actor,
    )
    r.predecessors.set([area])
    r.successors.set(new_units)
    return r


@transaction.atomic
def rename_area(
    actor: AbstractBaseUser | None,
    area: Area,
    *,
    new_name: str,
    effective_on: date,
    new_unit_type: str = "",
    decision: str = "",
) -> Restructuring:
    """Rename a unit in place: same unit, same records; the old name is kept."""
    area = Area.objects.get(pk=area.pk)
    new_name = " ".join(new_name.split())
    if not new_name:
        raise _err("Tên mới không được để trống.", "required")
    if fold(new_name) == area.name_folded and not new_unit_type:
        raise _err("Tên mới trùng với tên hiện tại.", "same_name")
    _check_restructurable(area, effective_on)
    old_name = area.name
    area.name = new_name
    if new_unit_type:
        area.unit_type = new_unit_type
    area.save()
    r = Restructuring.objects.create(
        kind=RestructuringKind.RENAME,
        effective_on=effective_on,
        decision=decision,
        old_name=old_name,
        new_name=new_name,
        created_by=actor,
    )
    r.predecessors.set([area])
    r.successors.set([area])
    return r


@transaction.atomic
def dissolve_area(
    actor: AbstractBaseUser | None,
    area: Area,
    *,
    successor: Area,
    effective_on: date,
    decision: str = "",
    note: str = "",
) -> Restructuring:
    """End a unit (e.g. a district when the district level was abolished); the
    successor takes over its history and its units still in force."""
    area = Area.objects.get(pk=area.pk)
    successor = Area.objects.get(pk=successor.pk)
    if successor.pk == area.pk:
        raise _err(f"Không thể chuyển {area.name} vào chính nó.", "self")
    if successor.path.startswith(area.path):
        raise _err("Đơn vị tiếp nhận không thể là đơn vị trực thuộc.", "descendant")
    if _chain_contains(successor, {area.pk}):
        raise _err("Thao tác này tạo vòng lặp giữa các đơn vị.", "cycle")
    if successor.valid_to is not None:
        raise _err(f"Đơn vị tiếp nhận {successor.name} đã ngừng hoạt động.", "target_ended")
    if LEVEL_ORDER.index(AreaKind(successor.kind)) > LEVEL_ORDER.index(AreaKind(area.kind)):
        raise _err(
            "Đơn vị tiếp nhận phải cùng cấp hoặc cấp cao hơn đơn vị kết thúc hoạt động.",
            "successor_level",
        )
    _check_started(successor, effective_on)
    _check_restructurable(area, effective_on)
    _move_current_children([area], successor, effective_on)
    _end_units([area], successor, effective_on)
    r = Restructuring.objects.create(
        kind=RestructuringKind.DISSOLVE,
        effective_on=effective_on,
        decision=decision,
        note=note,
        created_by=actor,
    )
    r.predecessors.set([area])
    r.successors.set([successor])
    return r


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
    if unit_type not in HAMLET_TYPES:
        raise _err(
            f"Loại đơn vị “{unit_type}” không hợp lệ; chọn một trong: {', '.join(HAMLET_TYPES)}.",
            "unit_type",
        )
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


# --- Previewing a restructuring ---------------------------------------------------


class _RolledBack(Exception):
    pass


def dry_run(write: Callable[[], Any]) -> None:
    """Run a write in a transaction that is always rolled back: raises the write's
    ValidationError (so a preview can show it), changes nothing."""
    try:
        with transaction.atomic():
            write()
            raise _RolledBack
    except _RolledBack:
        pass


@dataclass
class MovingUnit:
    area: Area
    bodies: int  # organisations at the unit (they move with it)


@dataclass
class RestructuringPreview:
    """What a merge or a split will do, for the confirmation page."""

    kind: str  # RestructuringKind
    effective_on: date
    ending: list[Area]  # units that end
    ending_orgs: list[Organization]  # bodies at those units, ending with them
    moving: list[MovingUnit]  # units in force that move under the successor
    successor: Area | None  # an existing unit taking over
    new_units: list[NewUnit]  # units to be created (the first one takes over)
    parent: Area | None  # where new units sit
    affected_roles: list[RoleAssignment]  # roles that will only read history
    decision: str = ""

    @property
    def successor_name(self) -> str:
        if self.successor is not None:
            return self.successor.name
        return self.new_units[0].name if self.new_units else ""


def _preview(
    kind: str,
    ending: Sequence[Area],
    *,
    effective_on: date,
    successor: Area | None,
    new_units: Sequence[NewUnit],
    parent: Area | None,
    decision: str,
) -> RestructuringPreview:
    ending = [Area.objects.get(pk=a.pk) for a in ending]
    unit_order = {a.pk: n for n, a in enumerate(ending)}
    kind_order = {kind: n for n, kind in enumerate(OrgKind.values)}
    ending_orgs = sorted(
        Organization.objects.filter(area__in=ending, valid_to__isnull=True).select_related("area"),
        key=lambda o: (unit_order[o.area_id], kind_order.get(o.kind, 99), o.name),
    )
    moving: list[MovingUnit] = []
    for unit in ending:
        for child in Area.objects.get_children(unit).filter(valid_to__isnull=True):
            bodies = Organization.objects.filter(area=child, valid_to__isnull=True).count()
            moving.append(MovingUnit(child, bodies))
    roles = list(
        RoleAssignment.objects.filter(Q(area__in=ending) | Q(organization__in=ending_orgs))
        .select_related("user", "area", "organization")
        .order_by("user__username")
    )
    return RestructuringPreview(
        kind=kind,
        effective_on=effective_on,
        ending=ending,
        ending_orgs=ending_orgs,
        moving=moving,
        successor=successor,
        new_units=list(new_units),
        parent=parent,
        affected_roles=roles,
        decision=decision,
    )


def preview_merge(
    predecessors: Sequence[Area],
    *,
    effective_on: date,
    into: Area | None = None,
    new_unit: NewUnit | None = None,
    parent: Area | None = None,
    decision: str = "",
) -> RestructuringPreview:
    """What `merge_areas` with the same arguments would change (read only)."""
    return _preview(
        RestructuringKind.MERGE,
        predecessors,
        effective_on=effective_on,
        successor=into,
        new_units=[new_unit] if new_unit is not None else [],
        parent=parent if into is None else None,
        decision=decision,
    )


def preview_split(
    area: Area, parts: Sequence[NewUnit], *, effective_on: date, decision: str = ""
) -> RestructuringPreview:
    """What `split_area` with the same arguments would change (read only)."""
    return _preview(
        RestructuringKind.SPLIT,
        [area],
        effective_on=effective_on,
        successor=None,
        new_units=parts,
        parent=Area.objects.get_parent(Area.objects.get(pk=area.pk)),
        decision=decision,
    )


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
