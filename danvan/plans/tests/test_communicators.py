"""The communicator network: people kept with their phone encrypted and shown
masked in lists; the target "commune bodies and hamlet party cells with a
propagandist" against a recount, the ended and the other kinds not counted."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import (
    make_commune,
    make_hamlet,
    make_org,
    make_province,
    make_staff,
)
from danvan.plans import services
from danvan.plans.indicators import bodies_with_communicator
from danvan.plans.models import Communicator, CommunicatorKind

pytestmark = pytest.mark.django_db
PHONE = "0912345678"


def person(area: Any, body: Any, kind: str = CommunicatorKind.PROPAGANDIST, **more: Any) -> Any:
    values = {
        "kind": kind, "full_name": "Thạch Sô Phên", "area": area, "organization": body,
        "ethnicity": "Khmer", "languages": "Tiếng Việt, tiếng Khmer",
        "active_from": date(2025, 7, 1), "active_to": None, **more,
    }  # fmt: skip
    return services.save_communicator(None, phone=more.pop("phone", ""), **values)


@pytest.fixture
def place(db: Any) -> Any:
    province = make_province("92", "Thành phố Cần Thơ")
    a = make_commune(province, "Xã An Bình", "30001")
    hamlet = make_hamlet(a, "Ấp Một")
    party = make_org(a, "Đảng ủy xã An Bình", OrgKind.PARTY)
    return type("Place", (), dict(
        province=province, a=a, hamlet=hamlet,
        front=make_org(a, "Ủy ban MTTQ xã An Bình", OrgKind.FRONT),
        women=make_org(a, "Hội LHPN xã An Bình", OrgKind.WOMEN),
        cell=make_org(hamlet, "Chi bộ ấp Một", OrgKind.PARTY_CELL, party),
        branch=make_org(hamlet, "Chi hội Phụ nữ ấp Một", OrgKind.BRANCH),
    ))  # fmt: skip


def test_the_indicator_against_a_recount(place: Any) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    person(place.a, place.front)
    person(place.a, place.women, active_to=yesterday)  # no longer active
    person(place.hamlet, place.cell, CommunicatorKind.RESPECTED)  # another kind
    person(place.hamlet, place.branch)  # a branch is not counted by the target
    figure = bodies_with_communicator(place.province)
    assert (figure.done, figure.total) == (1, 3)
    person(place.hamlet, place.cell, CommunicatorKind.REPORTER)
    figure = bodies_with_communicator(place.province)
    assert (figure.done, figure.total) == (2, 3)
    assert [(a.name, d, t) for a, d, t in figure.parts] == [("Xã An Bình", 2, 3)]
    commune = bodies_with_communicator(place.a)
    assert [(a.name, d, t) for a, d, t in commune.parts] == [
        ("Xã An Bình", 1, 2), ("Ấp Một", 1, 1)
    ]  # fmt: skip
    assert [(r.label, r.done) for r in commune.rows] == [
        ("Hội LHPN xã An Bình", False), ("Ủy ban MTTQ xã An Bình", True)
    ]  # fmt: skip


def test_bad_input_is_refused(place: Any) -> None:
    other = make_commune(place.province, "Xã Bình Hòa", "30002")
    with pytest.raises(ValidationError, match="Ngày kết thúc phải sau"):
        person(place.a, place.front, active_to=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="Tổ chức và địa bàn không khớp"):
        person(other, place.front)
    assert not Communicator.objects.exists()


def test_the_phone_is_encrypted_and_masked_in_the_list(place: Any, client: Any) -> None:
    officer = make_staff("bdv.xa", Role.BOARD_ADMIN, area=place.a)
    client.force_login(officer)
    add = reverse("plans_staff:communicator_add")
    typed = {
        "kind": CommunicatorKind.PROPAGANDIST, "full_name": "Danh Thị Sa Rươne",
        "area": place.hamlet.pk, "organization": place.cell.pk, "ethnicity": "Khmer",
        "languages": "Tiếng Việt, tiếng Khmer", "phone": "0912 345 67",
        "active_from": "2025-07-01", "active_to": "",
    }  # fmt: skip
    refused = client.post(add, typed)
    assert "Số điện thoại không đúng" in refused.content.decode()
    assert not Communicator.objects.exists()
    assert client.post(add, {**typed, "phone": "0912 345 678"}).status_code == 302
    row = Communicator.objects.get()
    assert PHONE not in row.phone_encrypted and row.phone == PHONE
    listed = client.get(reverse("plans_staff:communicator_list"), {"q": "sa ruone"})
    text = listed.content.decode()
    assert "Danh Thị Sa Rươne" in text and "0912***678" in text and PHONE not in text
    assert PHONE in client.get(row.get_absolute_url()).content.decode()  # the edit form
    by_body = client.get(reverse("plans_staff:communicator_list"), {"to_chuc": place.front.pk})
    assert "Danh Thị Sa Rươne" not in by_body.content.decode()
