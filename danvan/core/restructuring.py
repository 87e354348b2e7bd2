"""Restructuring of the unit tree (sáp nhập, chia tách, đổi tên, giải thể) and
its preview: each write one transaction; a refused case raises ValidationError
with a Vietnamese message and changes nothing (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from danvan.core.models import (
    Area,
    AreaKind,
    AreaMove,
    Organization,
    OrgKind,
    Restructuring,
    RestructuringKind,
    RoleAssignment,
)
from danvan.core.text import fold, format_date

if TYPE_CHECKING:
    from danvan.core.models import User as AbstractBaseUser
from danvan.core.services import LEVEL_ORDER, add_area, adopt_orphan_bodies


def _err(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


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


@dataclass
class NewUnit:
    name: str
    code: str
    unit_type: str

    def add(self, parent: Area, kind: str, effective_on: date) -> Area:
        """The unit, created under `parent` at level `kind`, in force from `effective_on`."""
        return add_area(
            parent,
            name=self.name,
            code=self.code,
            unit_type=self.unit_type,
            kind=kind,
            valid_from=effective_on,
        )


def _record(
    kind: str,
    actor: AbstractBaseUser | None,
    effective_on: date,
    predecessors: Sequence[Area],
    successors: Sequence[Area],
    decision: str,
    note: str = "",
    **names: str,
) -> Restructuring:
    """The record of a restructuring done: its kind, date, units before and
    after, decision and note (a renaming: `old_name` and `new_name`)."""
    details = {"decision": decision, "note": note, **names}
    r = Restructuring.objects.create(
        kind=kind, effective_on=effective_on, created_by=actor, **details
    )
    r.predecessors.set(predecessors)
    r.successors.set(successors)
    return r


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
        target = new_unit.add(parent, preds[0].kind, effective_on)
    else:
        assert into is not None
        target = into
        _end_units(preds, None, effective_on)
    for p in preds:
        p.successor = target
        p.save(update_fields=["successor"])
    _move_current_children(preds, target, effective_on)
    return _record(RestructuringKind.MERGE, actor, effective_on, preds, [target], decision, note)


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
    new_units = [p.add(parent, area.kind, effective_on) for p in parts]
    area.refresh_from_db()
    area.successor = new_units[0]
    area.save(update_fields=["successor"])
    _move_current_children([area], new_units[0], effective_on)
    return _record(RestructuringKind.SPLIT, actor, effective_on, [area], new_units, decision, note)


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
    return _record(
        RestructuringKind.RENAME,
        actor,
        effective_on,
        [area],
        [area],
        decision=decision,
        old_name=old_name,
        new_name=new_name,
    )


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
    return _record(
        RestructuringKind.DISSOLVE,
        actor,
        effective_on,
        [area],
        [successor],
        decision=decision,
        note=note,
    )


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
