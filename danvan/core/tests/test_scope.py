"""Scope: who sees and acts on what (danvan.core.scope), over the unit tree, the
organisation tree, member counts and role assignments, including history after a
merge. `can()` and `visible_to()` must always give the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404

from danvan.core import restructuring, services
from danvan.core.models import (
    Area,
    MemberCount,
    Organization,
    OrgKind,
    Role,
    RoleAssignment,
    User,
)
from danvan.core.restructuring import NewUnit
from danvan.core.scope import (
    AUDIT,
    GRANT,
    MANAGE,
    MANAGE_TREE,
    VIEW,
    can,
    get_visible_or_404,
)
from danvan.core.tests.factories import (
    fresh,
    make_commune_bodies,
    make_hamlet,
    make_org,
    make_period,
    make_phung_hiep,
    make_province,
    make_user,
    set_members,
)

VERBS = [VIEW, MANAGE, MANAGE_TREE, GRANT, AUDIT]
SCOPED_MODELS = [Area, Organization, MemberCount, RoleAssignment]
D_2025 = date(2025, 7, 1)


@dataclass
class World:
    province: Area
    district: Area
    a: Area
    b: Area
    a_hamlets: list[Area]
    b_hamlets: list[Area]
    orgs: dict[str, Organization]
    counts: dict[str, MemberCount]
    users: dict[str, User]


@pytest.fixture
def world() -> World:
    province, district, a, b = make_phung_hiep()
    a_hamlets = [make_hamlet(a, "Long Trị"), make_hamlet(a, "Long Phú")]
    b_hamlets = [make_hamlet(b, "Mỹ Hòa")]
    o: dict[str, Organization] = {}
    o["province_board"] = make_org(
        province, "Ban Dân vận Tỉnh ủy Hậu Giang", OrgKind.MOBILISATION_BOARD
    )
    o["district_board"] = make_org(
        district, "Ban Dân vận Huyện ủy Phụng Hiệp", OrgKind.MOBILISATION_BOARD
    )
    o["district_women"] = make_org(district, "Hội LHPN huyện Phụng Hiệp", OrgKind.WOMEN)
    # a_women, a_farmers, a1_branch (Ấp Long Trị), b_women, b_branch (Ấp Mỹ Hòa)
    o |= make_commune_bodies(o["district_women"], a, a_hamlets[0], b, b_hamlets[0])
    period = make_period()
    counts = {k: set_members(fresh(org), period, 50 + i) for i, (k, org) in enumerate(o.items())}
    u: dict[str, User] = {}
    u["district_admin"] = make_user("qt.phunghiep", Role.BOARD_ADMIN, area=district)
    u["a_admin"] = make_user("qt.tanlong", Role.BOARD_ADMIN, area=a)
    u["b_admin"] = make_user("qt.longthanh", Role.BOARD_ADMIN, area=b)
    u["officer"] = make_user("pn.tanlong", Role.ORG_OFFICER, organization=o["a_women"])
    u["viewer"] = make_user("xem.phunghiep", Role.VIEWER, area=district)
    u["nobody"] = make_user("chua.phanquyen")
    u["sysadmin"] = make_user("quantri", Role.SYSTEM_ADMIN)
    return World(province, district, a, b, a_hamlets, b_hamlets, o, counts, u)


def user(w: World, key: str) -> User:
    """A fresh user object (the scope is cached per object, as per request)."""
    return User.objects.get(pk=w.users[key].pk)


def pks(qs: Any) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def area_pks(*areas: Area) -> set[int]:
    return {a.pk for a in areas}


# --- What each user sees --------------------------------------------------------------


@pytest.mark.django_db
def test_commune_admin_sees_own_commune_only(world: World) -> None:
    u = user(world, "a_admin")
    o = world.orgs
    assert pks(Area.objects.visible_to(u)) == area_pks(world.a, *world.a_hamlets)
    assert pks(Organization.objects.visible_to(u)) == {
        o["a_women"].pk,
        o["a_farmers"].pk,
        o["a1_branch"].pk,
    }
    assert pks(MemberCount.objects.visible_to(u)) == {
        world.counts[k].pk for k in ("a_women", "a_farmers", "a1_branch")
    }
    # Full rights in the commune, none outside.
    for verb in VERBS:
        assert pks(Area.objects.visible_to(u, verb)) == area_pks(world.a, *world.a_hamlets)
    granted = RoleAssignment.objects.visible_to(u, GRANT)
    assert world.users["a_admin"].roles.get().pk in pks(granted)
    assert not granted.filter(area=world.b).exists()
    assert not granted.filter(area=world.district).exists()


@pytest.mark.django_db
def test_district_admin_sees_everything_below(world: World) -> None:
    u = user(world, "district_admin")
    below = area_pks(world.district, world.a, world.b, *world.a_hamlets, *world.b_hamlets)
    assert pks(Area.objects.visible_to(u)) == below
    assert pks(Area.objects.visible_to(u, MANAGE_TREE)) == below
    assert world.province.pk not in pks(Area.objects.visible_to(u))
    assert pks(Organization.objects.visible_to(u)) == {
        org.pk for k, org in world.orgs.items() if k != "province_board"
    }
    assert pks(MemberCount.objects.visible_to(u)) == {
        c.pk for k, c in world.counts.items() if k != "province_board"
    }
    granted = pks(RoleAssignment.objects.visible_to(u, GRANT))
    for key in ("district_admin", "a_admin", "b_admin", "viewer"):
        assert world.users[key].roles.get().pk in granted
    assert world.users["sysadmin"].roles.get().pk not in granted


@pytest.mark.django_db
def test_org_officer_sees_its_org_subtree_and_their_areas(world: World) -> None:
    u = user(world, "officer")
    o = world.orgs
    assert pks(Organization.objects.visible_to(u)) == {o["a_women"].pk, o["a1_branch"].pk}
    assert pks(Organization.objects.visible_to(u, MANAGE)) == {o["a_women"].pk, o["a1_branch"].pk}
    assert pks(MemberCount.objects.visible_to(u, MANAGE)) == {
        world.counts["a_women"].pk,
        world.counts["a1_branch"].pk,
    }
    # The areas its bodies sit in, not their whole subtree and nothing of B.
    assert pks(Area.objects.visible_to(u)) == {world.a.pk, world.a_hamlets[0].pk}
    # No tree management, no granting.
    assert not Area.objects.visible_to(u, MANAGE_TREE).exists()
    assert not Organization.objects.visible_to(u, GRANT).exists()
    assert not RoleAssignment.objects.visible_to(u, GRANT).exists()


@pytest.mark.django_db
def test_viewer_can_view_but_not_manage(world: World) -> None:
    u = user(world, "viewer")
    below = area_pks(world.district, world.a, world.b, *world.a_hamlets, *world.b_hamlets)
    assert pks(Area.objects.visible_to(u, VIEW)) == below
    assert pks(Organization.objects.visible_to(u, VIEW)) == {
        org.pk for k, org in world.orgs.items() if k != "province_board"
    }
    for verb in (MANAGE, MANAGE_TREE, GRANT, AUDIT):
        for model in SCOPED_MODELS:
            assert not model.objects.visible_to(u, verb).exists(), (model, verb)
    assert can(u, VIEW, world.a)
    assert not can(u, MANAGE, world.orgs["a_women"])
    assert not can(u, MANAGE, world.counts["a_women"])


@pytest.mark.django_db
def test_no_role_and_anonymous_see_nothing(world: World) -> None:
    inactive = user(world, "district_admin")
    inactive.is_active = False
    inactive.save()
    for u in (user(world, "nobody"), AnonymousUser(), User.objects.get(pk=inactive.pk)):
        for verb in VERBS:
            for model in SCOPED_MODELS:
                assert not model.objects.visible_to(u, verb).exists(), (u, model, verb)


@pytest.mark.django_db
def test_system_admin_sees_everything(world: World) -> None:
    u = user(world, "sysadmin")
    for verb in VERBS:
        for model in SCOPED_MODELS:
            assert pks(model.objects.visible_to(u, verb)) == pks(model.objects.all())


@pytest.mark.django_db
def test_can_agrees_with_visible_to_everywhere(world: World) -> None:
    """One mechanism: for every user, verb and object, can() is membership in visible_to()."""
    objects: list[Any] = []
    for model in SCOPED_MODELS:
        objects.extend(model.objects.all())
    checked = 0
    for key in world.users:
        u = user(world, key)
        for verb in VERBS:
            visible = {model: pks(model.objects.visible_to(u, verb)) for model in SCOPED_MODELS}
            for obj in objects:
                assert can(u, verb, obj) == (obj.pk in visible[type(obj)]), (key, verb, obj)
                checked += 1
    assert checked == len(world.users) * len(VERBS) * len(objects)
    assert checked > 500


# --- History after a merge --------------------------------------------------------------


@pytest.mark.django_db
def test_history_follows_the_merge(world: World) -> None:
    can_tho = make_province("92", "Thành phố Cần Thơ", unit_type="Thành phố")
    restructuring.merge_areas(
        None,
        [world.a, world.b],
        effective_on=D_2025,
        new_unit=NewUnit("Xã Tân Phước Hưng", "31471", "Xã"),
        parent=can_tho,
    )
    new = Area.objects.get(code="31471")
    n_admin = make_user("qt.tanphuochung", Role.BOARD_ADMIN, area=new)
    p_admin = make_user("qt.cantho", Role.BOARD_ADMIN, area=fresh(can_tho))
    o = world.orgs
    old_orgs = {o[k].pk for k in ("a_women", "a_farmers", "a1_branch", "b_women", "b_branch")}

    for u in (User.objects.get(pk=n_admin.pk), User.objects.get(pk=p_admin.pk)):
        areas = pks(Area.objects.visible_to(u))
        assert {world.a.pk, world.b.pk, new.pk} <= areas  # history and the new unit
        assert {h.pk for h in world.a_hamlets + world.b_hamlets} <= areas  # moved hamlets
        assert world.district.pk not in areas
        assert world.province.pk not in areas
        assert old_orgs <= pks(Organization.objects.visible_to(u))
        assert o["district_women"].pk not in pks(Organization.objects.visible_to(u))
        assert {world.counts[k].pk for k in ("a_women", "b_women")} <= pks(
            MemberCount.objects.visible_to(u)
        )
        assert can(u, VIEW, fresh(world.a))
        assert can(u, VIEW, fresh(o["b_women"]))

    # The old commune's admin keeps reading the old commune, but not the new one.
    a_admin = user(world, "a_admin")
    assert can(a_admin, VIEW, fresh(world.a))
    assert not can(a_admin, VIEW, new)
    assert not can(a_admin, VIEW, fresh(world.b))
    assert new.pk not in pks(Area.objects.visible_to(a_admin))
    assert can(a_admin, VIEW, fresh(o["a_women"]))
    assert not can(a_admin, VIEW, fresh(o["b_women"]))


# --- get_visible_or_404 -------------------------------------------------------------------


@pytest.mark.django_db
def test_get_visible_or_404_same_answer_for_hidden_and_missing(world: World) -> None:
    u = user(world, "a_admin")
    assert get_visible_or_404(Area.objects, u, pk=world.a.pk) == world.a
    missing_pk = (Area.objects.aggregate(m=Max("pk"))["m"] or 0) + 1000
    messages = []
    for pk in (world.b.pk, missing_pk, "không-phải-số"):
        with pytest.raises(Http404) as exc:
            get_visible_or_404(Area.objects, u, pk=pk)
        messages.append(str(exc.value))
    assert len(set(messages)) == 1
    with pytest.raises(Http404):
        get_visible_or_404(Organization.objects, u, MANAGE, pk=world.orgs["b_women"].pk)
    # Visible but not manageable is also a 404 for that verb.
    viewer = user(world, "viewer")
    assert get_visible_or_404(Organization.objects, viewer, pk=world.orgs["a_women"].pk)
    with pytest.raises(Http404):
        get_visible_or_404(Organization.objects, viewer, MANAGE, pk=world.orgs["a_women"].pk)


# --- grant_role ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_district_admin_grants_on_a_commune(world: World) -> None:
    actor = user(world, "district_admin")
    newcomer = make_user("xem.tanlong")
    r = services.grant_role(actor, newcomer, Role.VIEWER, area=world.a)
    assert r.granted_by_id == actor.pk
    assert r.area_id == world.a.pk
    assert can(User.objects.get(pk=newcomer.pk), VIEW, world.a)
    with pytest.raises(ValidationError) as exc:
        services.grant_role(actor, newcomer, Role.VIEWER, area=world.a)
    assert "đã có vai trò" in " ".join(exc.value.messages)


@pytest.mark.django_db
def test_commune_admin_cannot_grant_outside_scope_nor_system_admin(world: World) -> None:
    actor = user(world, "a_admin")
    newcomer = make_user("xem.longthanh")
    before = RoleAssignment.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.grant_role(actor, newcomer, Role.VIEWER, area=world.b)
    assert "ngoài phạm vi" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        services.grant_role(actor, newcomer, Role.ORG_OFFICER, organization=world.orgs["b_women"])
    assert "ngoài phạm vi" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        services.grant_role(actor, newcomer, Role.SYSTEM_ADMIN)
    assert "Chỉ quản trị hệ thống" in " ".join(exc.value.messages)
    # Neither a viewer nor an org officer may grant, even inside their scope.
    for key, kwargs in [
        ("viewer", {"area": world.a}),
        ("officer", {"organization": world.orgs["a_women"]}),
    ]:
        with pytest.raises(ValidationError):
            services.grant_role(user(world, key), newcomer, Role.VIEWER, **kwargs)
    assert RoleAssignment.objects.count() == before
    assert not RoleAssignment.objects.filter(user=newcomer).exists()
    # Inside the scope it works, on an area or on an organisation.
    services.grant_role(actor, newcomer, Role.ORG_OFFICER, organization=world.orgs["a_farmers"])
    assert RoleAssignment.objects.count() == before + 1


@pytest.mark.django_db
def test_only_system_admin_grants_system_admin(world: World) -> None:
    newcomer = make_user("quantri2")
    r = services.grant_role(user(world, "sysadmin"), newcomer, Role.SYSTEM_ADMIN)
    assert r.area_id is None and r.organization_id is None
    assert pks(Area.objects.visible_to(User.objects.get(pk=newcomer.pk))) == pks(Area.objects.all())


@pytest.mark.django_db
def test_admins_see_org_held_roles_below_them_for_granting(world: World) -> None:
    """BUG: RoleAssignmentQuerySet filters only on area__path, so a role held on an
    organisation (area NULL) is invisible to the board admins whose area the body sits
    in: they can grant it (grant_role checks Organization.visible_to) but never list
    or revoke it (role_list / role_revoke use RoleAssignment.visible_to(user, GRANT))."""
    officer_role = world.users["officer"].roles.get()
    for key in ("district_admin", "a_admin"):
        u = user(world, key)
        assert can(u, GRANT, world.orgs["a_women"])  # may grant it...
        assert officer_role.pk in pks(RoleAssignment.objects.visible_to(u, GRANT)), key
        assert get_visible_or_404(RoleAssignment.objects, u, GRANT, pk=officer_role.pk)
    # ...while B's admin must still not see it.
    assert officer_role.pk not in pks(
        RoleAssignment.objects.visible_to(user(world, "b_admin"), GRANT)
    )


@pytest.mark.django_db
def test_manager_only_refuses_who_manages_nothing() -> None:
    """A create page under `manager_only`: 404 for a viewer, the page for a manager."""
    from django.http import HttpResponse
    from django.test import RequestFactory

    from danvan.core.scope import manager_only
    from danvan.core.tests.factories import make_commune, make_province, make_staff

    @manager_only
    def add_page(request: Any, code: str) -> HttpResponse:
        """The view's own doc."""
        return HttpResponse(code)

    commune = make_commune(make_province())
    request = RequestFactory().get("/")
    request.user = make_staff("viewer", Role.VIEWER, area=commune)
    with pytest.raises(Http404):
        add_page(request, "x")
    request.user = make_staff("admin", Role.BOARD_ADMIN, area=commune)
    assert add_page(request, "x").content == b"x"
    assert add_page.__doc__ == "The view's own doc."
