"""Restructuring of the unit tree (restructuring.merge_areas, split_area, rename_area,
dissolve_area): the 2025 arrangement patterns, and every refused case leaving the
database exactly as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.core import restructuring, services
from danvan.core.models import (
    Area,
    AreaKind,
    MemberCount,
    Organization,
    OrgKind,
    Period,
    Restructuring,
    RestructuringKind,
)
from danvan.core.restructuring import NewUnit
from danvan.core.tests.factories import (
    fresh,
    make_commune,
    make_commune_bodies,
    make_district,
    make_hamlet,
    make_org,
    make_period,
    make_phung_hiep,
    make_province,
    set_members,
)

D_2025 = date(2025, 7, 1)  # the day the two-level local government took effect


@dataclass
class Tree:
    hau_giang: Area
    phung_hiep: Area  # district
    tan_long: Area  # commune A
    long_thanh: Area  # commune B
    hiep_hung: Area  # commune C (spare, same district)
    can_tho: Area  # another province
    a_hamlets: list[Area]
    b_hamlets: list[Area]
    orgs: dict[str, Organization]
    period: Period


def parent_of(area: Area) -> Area | None:
    return Area.objects.get_parent(fresh(area))


def children_of(area: Area) -> Any:
    return Area.objects.get_children(fresh(area))


@pytest.fixture
def tree() -> Tree:
    hg, ph, a, b = make_phung_hiep()
    c = make_commune(ph, "Xã Hiệp Hưng", "31459")
    ct = make_province("92", "Thành phố Cần Thơ", unit_type="Thành phố")
    a_hamlets = [make_hamlet(a, "Long Trị", population=1850), make_hamlet(a, "Long Phú")]
    b_hamlets = [make_hamlet(b, "Long Thạnh A"), make_hamlet(b, "Mỹ Hòa")]
    period = make_period()
    orgs = {"ph_women": make_org(ph, "Hội LHPN huyện Phụng Hiệp", OrgKind.WOMEN)}
    # a_women, a_farmers, a1_branch (Ấp Long Trị), b_women, b_branch (Ấp Mỹ Hòa)
    orgs |= make_commune_bodies(orgs["ph_women"], a, a_hamlets[0], b, b_hamlets[1])
    orgs["c_women"] = make_org(c, "Hội LHPN xã Hiệp Hưng", OrgKind.WOMEN, orgs["ph_women"])
    for key, n in [
        ("ph_women", 40),
        ("a_women", 312),
        ("a_farmers", 145),
        ("a1_branch", 58),
        ("b_women", 276),
        ("b_branch", 61),
        ("c_women", 190),
    ]:
        set_members(fresh(orgs[key]), period, n)
    return Tree(hg, ph, a, b, c, ct, a_hamlets, b_hamlets, orgs, period)


def snapshot() -> dict[str, Any]:
    """Everything a restructuring touches, to compare before/after a refused call."""
    return {
        "areas": sorted(
            Area.objects.values_list(
                "pk", "path", "name", "code", "valid_from", "valid_to", "successor_id", "numchild"
            )
        ),
        "orgs": sorted(Organization.objects.values_list("pk", "area_id", "valid_to")),
        "restructurings": Restructuring.objects.count(),
        "area_count": Area.objects.count(),
    }


def refused(fn: Any, *args: Any, **kwargs: Any) -> str:
    """Call a service that must refuse; return its message(s); check nothing changed."""
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    assert snapshot() == before
    return " ".join(exc.value.messages)


# --- Merge ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_merge_two_communes_into_new_commune_under_another_province(tree: Tree) -> None:
    a, b = tree.tan_long, tree.long_thanh
    totals_a = services.member_totals(fresh(a), tree.period)
    totals_b = services.member_totals(fresh(b), tree.period)
    assert totals_a["total"] == 312 + 145 + 58
    assert totals_b["total"] == 276 + 61

    r = restructuring.merge_areas(
        None,
        [a, b],
        effective_on=D_2025,
        new_unit=NewUnit("Xã Tân Phước Hưng", "31471", "Xã"),
        parent=tree.can_tho,
        decision="Nghị quyết số 1668/NQ-UBTVQH15",
    )

    a, b = fresh(a), fresh(b)
    new = Area.objects.get(code="31471", valid_to__isnull=True)
    # The new unit.
    assert new.name == "Xã Tân Phước Hưng"
    assert new.kind == AreaKind.COMMUNE
    assert new.valid_from == D_2025
    assert new.valid_to is None
    assert parent_of(new) == fresh(tree.can_tho)
    # The old units: ended, linked, names unchanged, still readable.
    for old, name in [(a, "Xã Tân Long"), (b, "Xã Long Thạnh")]:
        assert old.valid_to == D_2025
        assert old.successor_id == new.pk
        assert old.name == name
        assert parent_of(old) == fresh(tree.phung_hiep)  # history stays where it was
        assert old.final_successor() == new
        assert not old.is_current
    # Current hamlets moved under the new commune, with the same pk and name.
    for h in tree.a_hamlets + tree.b_hamlets:
        moved = fresh(h)
        assert parent_of(moved) == new
        assert moved.name == h.name
        assert moved.valid_to is None
    assert set(children_of(new)) == {fresh(h) for h in tree.a_hamlets + tree.b_hamlets}
    assert children_of(a).count() == 0
    assert children_of(b).count() == 0
    # The old communes' organisations ended; hamlet branches live on with their hamlet.
    for key in ("a_women", "a_farmers", "b_women"):
        assert fresh(tree.orgs[key]).valid_to == D_2025
    for key in ("a1_branch", "b_branch", "c_women", "ph_women"):
        assert fresh(tree.orgs[key]).valid_to is None
    # The record.
    assert r.kind == RestructuringKind.MERGE
    assert r.effective_on == D_2025
    assert r.decision == "Nghị quyết số 1668/NQ-UBTVQH15"
    assert set(r.predecessors.all()) == {a, b}
    assert list(r.successors.all()) == [new]
    assert set(a.restructurings_out.all()) == {r}
    assert set(new.restructurings_in.all()) == {r}
    # Figures roll up: the new commune holds its predecessors' members.
    totals_new = services.member_totals(new, tree.period)
    assert totals_new["total"] == totals_a["total"] + totals_b["total"]
    assert totals_new["by_kind"] == {
        OrgKind.WOMEN: 312 + 276,
        OrgKind.FARMERS: 145,
        OrgKind.BRANCH: 58 + 61,
    }
    assert set(new.lineage()) >= {new, a, b}
    # ...and counted once only in the new province.
    assert (
        services.member_totals(fresh(tree.can_tho), tree.period)["total"] == (totals_new["total"])
    )
    # Member counts are history, never deleted.
    assert MemberCount.objects.count() == 7
    # Current/ended views.
    current = set(Area.objects.current())
    assert new in current
    assert a not in current and b not in current
    assert fresh(tree.hiep_hung) in current
    assert set(Area.objects.ended()) == {a, b}
    assert Area.objects.get(pk=a.pk).name == "Xã Tân Long"


@pytest.mark.django_db
def test_merge_into_existing_commune(tree: Tree) -> None:
    a, b = tree.tan_long, tree.long_thanh
    total_before = (
        services.member_totals(fresh(a), tree.period)["total"]
        + services.member_totals(fresh(b), tree.period)["total"]
    )
    count_before = Area.objects.count()

    r = restructuring.merge_areas(None, [a], into=b, effective_on=D_2025)

    a, b = fresh(a), fresh(b)
    assert Area.objects.count() == count_before  # no new unit
    assert a.valid_to == D_2025 and a.successor_id == b.pk
    assert b.valid_to is None and b.successor_id is None
    assert b.is_current
    assert {parent_of(fresh(h)) for h in tree.a_hamlets} == {b}
    assert children_of(b).count() == 4
    assert fresh(tree.orgs["a_women"]).valid_to == D_2025
    assert fresh(tree.orgs["b_women"]).valid_to is None  # the receiving unit's bodies go on
    assert list(r.predecessors.all()) == [a]
    assert list(r.successors.all()) == [b]
    assert services.member_totals(b, tree.period)["total"] == total_before


def body_parent(org: Organization) -> Organization | None:
    return Organization.objects.get_parent(fresh(org))


@pytest.mark.django_db
def test_hamlet_branches_follow_their_hamlet_to_the_receiving_bodies(tree: Tree) -> None:
    """A branch whose commune body ended moves under the body of the same kind
    of the unit its hamlet now belongs to: at the merge when that unit has
    one, else when the body is created."""
    a, b = tree.tan_long, tree.long_thanh
    farmers_branch = make_org(
        fresh(tree.a_hamlets[1]), "Chi hội Nông dân ấp Long Phú", OrgKind.BRANCH,
        fresh(tree.orgs["a_farmers"]),
    )  # fmt: skip

    restructuring.merge_areas(None, [a], into=b, effective_on=D_2025)

    b_women = fresh(tree.orgs["b_women"])
    assert body_parent(tree.orgs["a1_branch"]) == b_women
    assert body_parent(tree.orgs["b_branch"]) == b_women  # the receiving unit's own stays
    # Xã Long Thạnh has no farmers' association: the branch waits under the ended one...
    assert body_parent(farmers_branch) == fresh(tree.orgs["a_farmers"])
    # ...until the commune gets one, however many bodies its hamlets have.
    for hamlet in tree.b_hamlets:
        for n in range(3):
            make_org(fresh(hamlet), f"Tổ phụ nữ {n} {hamlet.name}", OrgKind.BRANCH, fresh(b_women))
    with CaptureQueriesContext(connection) as queries:
        b_farmers = make_org(fresh(b), "Hội Nông dân xã Long Thạnh", OrgKind.FARMERS)
    assert body_parent(farmers_branch) == fresh(b_farmers)
    assert body_parent(tree.orgs["a1_branch"]) == fresh(b_women)
    assert len(queries) < 25, [q["sql"][:80] for q in queries]


@pytest.mark.django_db
def test_codes_reused_after_merge(tree: Tree) -> None:
    a, b = tree.tan_long, tree.long_thanh
    # A code of a current unit cannot be reused.
    with pytest.raises(ValidationError) as exc:
        make_commune(fresh(tree.phung_hiep), "Xã Mới", a.code)
    assert "31453" in " ".join(exc.value.messages)
    assert "đang hoạt động" in " ".join(exc.value.messages)

    restructuring.merge_areas(None, [a], into=b, effective_on=D_2025)
    # Once A has ended, a new unit may take its code.
    reused = make_commune(fresh(tree.can_tho), "Xã Tân Long", "31453", valid_from=D_2025)
    assert reused.pk != a.pk
    assert set(Area.objects.filter(code="31453")) == {fresh(a), reused}
    assert Area.objects.current().get(code="31453") == reused


@pytest.mark.django_db
def test_new_unit_may_take_a_predecessors_code(tree: Tree) -> None:
    a, b = tree.tan_long, tree.long_thanh
    restructuring.merge_areas(
        None,
        [a, b],
        effective_on=D_2025,
        new_unit=NewUnit("Xã Tân Long", a.code, "Xã"),
        parent=tree.can_tho,
    )
    new = Area.objects.current().get(code=a.code)
    assert new.pk != a.pk
    assert fresh(a).successor_id == new.pk
    assert fresh(b).successor_id == new.pk


@pytest.mark.django_db
def test_merge_is_atomic_when_the_new_code_is_taken(tree: Tree) -> None:
    # The new code belongs to a current unit that is not merged: refused, and the
    # predecessors (already ended inside the service) are restored by the rollback.
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.tan_long, tree.long_thanh],
        effective_on=D_2025,
        new_unit=NewUnit("Xã Tân Phước Hưng", tree.hiep_hung.code, "Xã"),
        parent=tree.can_tho,
    )
    assert "31459" in msg
    assert fresh(tree.tan_long).valid_to is None
    assert fresh(tree.orgs["a_women"]).valid_to is None


# --- Split, rename, dissolve ---------------------------------------------------------------


@pytest.mark.django_db
def test_split_commune_into_two(tree: Tree) -> None:
    a = tree.tan_long
    totals_a = services.member_totals(fresh(a), tree.period)

    r = restructuring.split_area(
        None,
        a,
        [NewUnit("Xã Tân Long", "31454", "Xã"), NewUnit("Xã Tân Phước", "31455", "Xã")],
        effective_on=D_2025,
    )

    a = fresh(a)
    first = Area.objects.get(code="31454")
    second = Area.objects.get(code="31455")
    assert a.valid_to == D_2025
    assert a.successor_id == first.pk  # the first part inherits history
    for part in (first, second):
        assert part.valid_from == D_2025
        assert part.valid_to is None
        assert part.kind == AreaKind.COMMUNE
        assert parent_of(part) == fresh(tree.phung_hiep)
        assert part.is_current
    assert set(Area.objects.current().filter(kind=AreaKind.COMMUNE)) >= {first, second}
    assert a not in set(Area.objects.current())
    # Hamlets go to the first part.
    assert {parent_of(fresh(h)) for h in tree.a_hamlets} == {first}
    assert children_of(second).count() == 0
    # Figures: the first part carries A's history, the second starts empty.
    assert services.member_totals(first, tree.period) == totals_a
    assert services.member_totals(second, tree.period)["total"] == 0
    assert fresh(tree.orgs["a_women"]).valid_to == D_2025
    assert r.kind == RestructuringKind.SPLIT
    assert list(r.predecessors.all()) == [a]
    assert set(r.successors.all()) == {first, second}


@pytest.mark.django_db
def test_split_refused_with_one_part_or_duplicate_names(tree: Tree) -> None:
    msg = refused(
        restructuring.split_area,
        None,
        tree.tan_long,
        [NewUnit("Xã Tân Long", "31454", "Xã")],
        effective_on=D_2025,
    )
    assert "ít nhất hai" in msg
    msg = refused(
        restructuring.split_area,
        None,
        tree.tan_long,
        [NewUnit("Xã Tân Long", "31454", "Xã"), NewUnit("xã  tân long", "31455", "Xã")],
        effective_on=D_2025,
    )
    assert "trùng" in msg


@pytest.mark.django_db
def test_rename_keeps_the_unit_and_records_the_old_name(tree: Tree) -> None:
    a = tree.tan_long
    hamlets_before = set(children_of(fresh(a)))

    r = restructuring.rename_area(
        None, a, new_name="Phường Tân Long", new_unit_type="Phường", effective_on=D_2025
    )

    renamed = fresh(a)
    assert renamed.pk == a.pk
    assert renamed.name == "Phường Tân Long"
    assert renamed.unit_type == "Phường"
    assert renamed.valid_to is None
    assert renamed.successor_id is None
    assert set(children_of(renamed)) == hamlets_before
    assert list(Area.objects.search("phuong tan long")) == [renamed]
    assert r.kind == RestructuringKind.RENAME
    assert r.old_name == "Xã Tân Long"
    assert r.new_name == "Phường Tân Long"
    assert list(r.predecessors.all()) == [renamed]
    assert list(r.successors.all()) == [renamed]
    assert Restructuring.objects.filter(old_name="Xã Tân Long").get() == r


@pytest.mark.django_db
def test_rename_to_the_same_name_refused(tree: Tree) -> None:
    msg = refused(
        restructuring.rename_area, None, tree.tan_long, new_name="xã  tân long", effective_on=D_2025
    )
    assert "trùng với tên hiện tại" in msg


@pytest.mark.django_db
def test_dissolve_district_into_province(tree: Tree) -> None:
    ph, hg = tree.phung_hiep, tree.hau_giang
    # An ended commune stays under the district as history; only current ones move.
    restructuring.merge_areas(None, [tree.hiep_hung], into=tree.long_thanh, effective_on=D_2025)
    total_before = services.member_totals(fresh(ph), tree.period)["total"]

    r = restructuring.dissolve_area(None, ph, successor=hg, effective_on=D_2025)

    ph, hg = fresh(ph), fresh(hg)
    assert ph.valid_to == D_2025
    assert ph.successor_id == hg.pk
    assert parent_of(fresh(tree.tan_long)) == hg
    assert parent_of(fresh(tree.long_thanh)) == hg
    assert parent_of(fresh(tree.hiep_hung)) == ph  # ended: stays as history
    # Hamlets travel with their communes.
    assert {parent_of(fresh(h)) for h in tree.a_hamlets} == {fresh(tree.tan_long)}
    assert fresh(tree.orgs["ph_women"]).valid_to == D_2025
    assert fresh(tree.orgs["a_women"]).valid_to is None
    assert r.kind == RestructuringKind.DISSOLVE
    assert list(r.predecessors.all()) == [ph]
    assert list(r.successors.all()) == [hg]
    assert services.member_totals(hg, tree.period)["total"] == total_before
    assert ph not in set(Area.objects.current())


# --- Refused cases -----------------------------------------------------------------------


@pytest.mark.django_db
def test_merge_into_itself_refused(tree: Tree) -> None:
    msg = refused(
        restructuring.merge_areas, None, [tree.tan_long], into=tree.tan_long, effective_on=D_2025
    )
    assert "chính nó" in msg
    assert "Xã Tân Long" in msg


@pytest.mark.django_db
def test_dissolve_into_itself_refused(tree: Tree) -> None:
    msg = refused(
        restructuring.dissolve_area,
        None,
        tree.tan_long,
        successor=tree.tan_long,
        effective_on=D_2025,
    )
    assert "chính nó" in msg


@pytest.mark.django_db
def test_dissolve_into_own_descendant_refused(tree: Tree) -> None:
    msg = refused(
        restructuring.dissolve_area,
        None,
        tree.phung_hiep,
        successor=tree.tan_long,
        effective_on=D_2025,
    )
    assert "trực thuộc" in msg


@pytest.mark.django_db
def test_merge_into_own_descendant_refused(tree: Tree) -> None:
    # The descendant rule is checked before the level rule.
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.phung_hiep],
        into=tree.tan_long,
        effective_on=D_2025,
    )
    assert "trực thuộc" in msg


@pytest.mark.django_db
def test_merge_new_unit_under_a_merged_units_descendant_refused(tree: Tree) -> None:
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.phung_hiep],
        effective_on=D_2025,
        new_unit=NewUnit("Huyện Phụng Hiệp mới", "935", "Huyện"),
        parent=tree.tan_long,
    )
    assert "đang bị sáp nhập" in msg


@pytest.mark.django_db
def test_new_unit_parent_must_be_higher_level(tree: Tree) -> None:
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.tan_long, tree.long_thanh],
        effective_on=D_2025,
        new_unit=NewUnit("Xã Tân Phước Hưng", "31471", "Xã"),
        parent=tree.hiep_hung,
    )
    assert "cấp cao hơn" in msg


@pytest.mark.django_db
def test_cycle_refused(tree: Tree) -> None:
    a, b = tree.tan_long, tree.long_thanh
    restructuring.merge_areas(None, [a], into=b, effective_on=D_2025)
    n_restructurings = Restructuring.objects.count()

    msg = refused(restructuring.merge_areas, None, [b], into=a, effective_on=date(2025, 8, 1))
    assert "vòng lặp" in msg
    msg = refused(restructuring.dissolve_area, None, b, successor=a, effective_on=date(2025, 8, 1))
    assert "vòng lặp" in msg

    b = fresh(b)
    assert b.valid_to is None and b.successor_id is None
    assert b in set(Area.objects.current())
    assert Restructuring.objects.count() == n_restructurings


@pytest.mark.django_db
def test_date_before_the_unit_existed_refused(tree: Tree) -> None:
    ct = tree.can_tho
    young = make_commune(ct, "Phường Tân An", "31150", unit_type="Phường", valid_from=D_2025)
    other = make_commune(ct, "Phường Ninh Kiều", "31153", unit_type="Phường")
    day_before = date(2025, 6, 30)

    msg = refused(restructuring.merge_areas, None, [young], into=other, effective_on=day_before)
    assert "trước" in msg
    assert "Phường Tân An" in msg
    assert "01/07/2025" in msg
    # The same day is refused too (a unit cannot end the day it starts).
    assert "trước" in refused(
        restructuring.merge_areas, None, [young], into=other, effective_on=D_2025
    )
    assert "trước" in refused(
        restructuring.dissolve_area, None, young, successor=ct, effective_on=day_before
    )
    assert "trước" in refused(
        restructuring.rename_area,
        None,
        young,
        new_name="Phường Tân An Mới",
        effective_on=day_before,
    )
    assert "trước" in refused(
        restructuring.split_area,
        None,
        young,
        [NewUnit("Phường Tân An", "31151", "Phường"), NewUnit("Phường An Cư", "31152", "Phường")],
        effective_on=day_before,
    )
    assert fresh(young).valid_to is None


@pytest.mark.django_db
def test_mixed_levels_refused(tree: Tree) -> None:
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.tan_long, tree.hau_giang],
        into=tree.can_tho,
        effective_on=D_2025,
    )
    assert "cùng cấp" in msg
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.tan_long],
        into=tree.can_tho,  # a province: not the same level as a commune
        effective_on=D_2025,
    )
    assert "cùng cấp" in msg


@pytest.mark.django_db
def test_already_ended_predecessor_refused(tree: Tree) -> None:
    a, b, c = tree.tan_long, tree.long_thanh, tree.hiep_hung
    restructuring.merge_areas(None, [a], into=b, effective_on=D_2025)

    msg = refused(restructuring.merge_areas, None, [a], into=c, effective_on=date(2025, 8, 1))
    assert "đã ngừng hoạt động" in msg
    assert "01/07/2025" in msg
    # ...nor can anything be merged into an ended unit.
    msg = refused(restructuring.merge_areas, None, [c], into=a, effective_on=date(2025, 8, 1))
    assert "đã ngừng hoạt động" in msg
    msg = refused(restructuring.rename_area, None, a, new_name="Xã Tân Long 2", effective_on=D_2025)
    assert "đã ngừng hoạt động" in msg
    assert fresh(a).successor_id == b.pk


@pytest.mark.django_db
def test_merge_requires_exactly_one_target(tree: Tree) -> None:
    msg = refused(restructuring.merge_areas, None, [tree.tan_long], effective_on=D_2025)
    assert "chỉ một trong hai" in msg
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.tan_long],
        into=tree.long_thanh,
        new_unit=NewUnit("Xã Tân Phước Hưng", "31471", "Xã"),
        parent=tree.can_tho,
        effective_on=D_2025,
    )
    assert "chỉ một trong hai" in msg
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.tan_long, tree.tan_long],
        into=tree.long_thanh,
        effective_on=D_2025,
    )
    assert "hai lần" in msg


# --- Gaps found while writing these tests (they fail until the services are fixed) ----------


@pytest.mark.django_db
def test_merge_into_unit_that_did_not_yet_exist_refused(tree: Tree) -> None:
    """BUG: merge_areas checks the predecessors' valid_from but not the target's: a unit
    can be recorded as merged, on 30/06, into a unit founded on 01/07."""
    ct = tree.can_tho
    founded = make_commune(ct, "Phường Tân An", "31150", unit_type="Phường", valid_from=D_2025)
    msg = refused(
        restructuring.merge_areas,
        None,
        [tree.tan_long],
        into=founded,
        effective_on=date(2025, 6, 30),
    )
    assert "trước" in msg


@pytest.mark.django_db
def test_dissolve_into_lower_level_unit_refused(tree: Tree) -> None:
    """BUG: dissolve_area has no level rule: dissolving a district into a commune of
    another district moves the district's communes under a commune."""
    other = make_district(fresh(tree.can_tho), "Quận Ninh Kiều", "916", unit_type="Quận")
    target = make_commune(other, "Phường Tân An", "31150", unit_type="Phường")
    msg = refused(
        restructuring.dissolve_area,
        None,
        tree.phung_hiep,
        successor=target,
        effective_on=D_2025,
    )
    assert "cấp" in msg


# --- Effective dates in the future -------------------------------------------------------
# The tree shows what is in force today: a decision taking effect later is recorded
# on or after its effective date, never ahead of it (it would end units at once).


def _tomorrow() -> date:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=1)


@pytest.mark.django_db
def test_rename_with_a_future_date_is_refused(tree: Tree) -> None:
    tomorrow = _tomorrow()
    msg = refused(
        restructuring.rename_area,
        None,
        tree.tan_long,
        new_name="Xã Tân Long Mới",
        effective_on=tomorrow,
    )
    assert "là ngày trong tương lai" in msg
    assert tomorrow.strftime("%d/%m/%Y") in msg
    assert fresh(tree.tan_long).name == "Xã Tân Long"


@pytest.mark.django_db
def test_merge_with_a_future_date_is_refused(tree: Tree) -> None:
    for kwargs in (
        {"into": tree.long_thanh},
        {"new_unit": NewUnit("Xã Tân Thạnh", "39990", "Xã"), "parent": tree.can_tho},
    ):
        msg = refused(
            restructuring.merge_areas,
            None,
            [tree.tan_long, tree.hiep_hung],
            effective_on=_tomorrow(),
            **kwargs,
        )
        assert "là ngày trong tương lai" in msg
    assert fresh(tree.tan_long).valid_to is None
    assert not Area.objects.filter(code="39990").exists()


@pytest.mark.django_db
def test_split_with_a_future_date_is_refused(tree: Tree) -> None:
    parts = [NewUnit("Xã Tân Long A", "39991", "Xã"), NewUnit("Xã Tân Long B", "39992", "Xã")]
    msg = refused(restructuring.split_area, None, tree.tan_long, parts, effective_on=_tomorrow())
    assert "là ngày trong tương lai" in msg
    assert fresh(tree.tan_long).valid_to is None


@pytest.mark.django_db
def test_today_is_accepted(tree: Tree) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    restructuring.rename_area(None, tree.tan_long, new_name="Xã Tân Long Mới", effective_on=today)
    assert fresh(tree.tan_long).name == "Xã Tân Long Mới"
    restructuring.merge_areas(None, [tree.hiep_hung], into=tree.long_thanh, effective_on=today)
    assert fresh(tree.hiep_hung).valid_to == today
