"""The shared model columns and mixins (core.columns): each factory makes the
field as written out by hand, every model declared through them still matches
its migrations, and the mixins keep folded copies, read phones and file audit
entries as the models did themselves."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.migrations.loader import MigrationLoader
from django.db.models import F, Q
from django.utils import translation

from danvan.core import columns
from danvan.core.crypto import encrypt
from danvan.core.models import MemberCount, OrgKind, User
from danvan.core.tests.factories import make_commune, make_org, make_province, make_user

APPS = ("core", "contests", "surveys", "practices", "outreach", "inspections", "reports", "plans")


def _same(made: Any, by_hand: Any) -> None:
    """Two unbound fields that a migration cannot tell apart."""
    assert made.deconstruct()[1:] == by_hand.deconstruct()[1:]


def test_staff_user_field() -> None:
    _same(
        columns.staff_user_field("người tạo"),
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.SET_NULL,
            null=True,
            blank=True,
            related_name="+",
            verbose_name="người tạo",
        ),
    )
    _same(
        columns.staff_user_field("người nhập", blank=False),
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.SET_NULL,
            null=True,
            related_name="+",
            verbose_name="người nhập",
        ),
    )
    _same(
        columns.staff_user_field("người thực hiện", related_name=None, blank=False),
        models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.SET_NULL,
            null=True,
            verbose_name="người thực hiện",
        ),
    )


def test_area_and_organization_fields() -> None:
    from danvan.core.models import Area, Organization

    _same(
        columns.area_field(related_name="practices"),
        models.ForeignKey(
            Area, on_delete=models.PROTECT, related_name="practices", verbose_name="địa bàn"
        ),
    )
    _same(
        columns.area_field(null=True, blank=True),
        models.ForeignKey(
            Area, verbose_name="địa bàn", null=True, blank=True, on_delete=models.PROTECT
        ),
    )
    _same(
        columns.organization_field("cơ quan ban hành", related_name="plans"),
        models.ForeignKey(
            Organization,
            on_delete=models.PROTECT,
            related_name="plans",
            verbose_name="cơ quan ban hành",
        ),
    )
    _same(
        columns.partners_field("practices_joined"),
        models.ManyToManyField(
            Organization,
            blank=True,
            related_name="practices_joined",
            verbose_name="đơn vị phối hợp",
        ),
    )


def test_ends_after() -> None:
    assert columns.ends_after("starts_at", "ends_at", name="dates_order") == (
        models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="dates_order")
    )
    assert columns.ends_after(
        "valid_from", "valid_to", inclusive=True, open_ended=True, name="validity", message="Sai."
    ) == models.CheckConstraint(
        condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
        name="validity",
        violation_error_message="Sai.",
    )


def test_every_model_field_is_the_migrated_one() -> None:
    """The fields made by the factories (and all others) deconstruct exactly
    as the migrations hold them, and so do the constraints made by
    `ends_after`: switching a model to them needs no migration."""
    state = MigrationLoader(None, ignore_no_migrations=True).project_state()
    checked = 0
    with translation.override(None):  # as makemigrations compares them
        for label in APPS:
            for model in apps.get_app_config(label).get_models():
                migrated = state.models[(label, model._meta.model_name)].fields
                for field in model._meta.local_fields + model._meta.local_many_to_many:
                    assert field.deconstruct()[1:] == migrated[field.name].deconstruct()[1:], (
                        f"{model._meta.label}.{field.name}"
                    )
                    checked += 1
                constraints = state.models[(label, model._meta.model_name)].options.get(
                    "constraints", []
                )
                assert model._meta.constraints == constraints, model._meta.label
    assert checked > 300


@pytest.mark.django_db
def test_folded_copies_follow_their_fields() -> None:
    from danvan.plans.models import Audience, Material, Plan

    province = make_province()
    board = make_org(province, "Ban Dân vận Tỉnh ủy", OrgKind.MOBILISATION_BOARD)
    plan = Plan.objects.create(
        organization=board,
        number="12-KH/BDV",
        issued_on="2026-01-05",
        title="Thực hiện Quy chế dân chủ ở CƠ SỞ",
        starts_on="2026-01-05",
        ends_on="2026-12-31",
    )
    assert plan.title_folded == "12-kh/bdv thuc hien quy che dan chu o co so"
    # A save limited to a folded field writes its copy too.
    plan.title = "Đổi tên"
    plan.save(update_fields=["title"])
    assert Plan.objects.get(pk=plan.pk).title_folded == "12-kh/bdv doi ten"

    # A copy is cut to its column.
    material = Material.objects.create(
        organization=board,
        title="Ơ" * 200,
        topic="Ư" * 200,
        audience=Audience.MEMBERS,
        valid_from="2026-01-05",
    )
    assert material.title_folded == ("o" * 200 + " " + "u" * 200)[:300]

    user = make_user("folded", full_name="Nguyễn Thị Ánh")
    assert user.full_name_folded == "nguyen thi anh"
    user.full_name = "Trần Văn Bình"
    user.save(update_fields=["full_name"])
    assert User.objects.get(pk=user.pk).full_name_folded == "tran van binh"


@pytest.mark.django_db
def test_phone_and_audit_mixins() -> None:
    from danvan.plans.models import Communicator, CommunicatorKind

    commune = make_commune(make_province())
    union = make_org(commune, "Hội Nông dân xã", OrgKind.FARMERS)
    person = Communicator.objects.create(
        kind=CommunicatorKind.PROPAGANDIST,
        full_name="Lê Văn Cường",
        area=commune,
        organization=union,
        phone_encrypted=encrypt("0912345678"),
        active_from="2026-01-01",
    )
    assert (person.phone, person.phone_masked) == ("0912345678", "0912***678")
    assert person.full_name_folded == "le van cuong"
    paths = {"area_path": commune.path, "org_path": union.path}
    assert columns.organization_paths(union) == paths
    assert MemberCount(organization=union).get_additional_data() == paths
