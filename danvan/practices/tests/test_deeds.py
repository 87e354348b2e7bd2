"""Good people, good deeds: the public nomination (honeypot, time to fill,
limits per address and per phone, consent), the officer's verification and
publishing, the public list (names only with consent, never a phone)."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from danvan.core.antispam import form_stamp
from danvan.core.models import Role
from danvan.core.tests.factories import make_commune, make_hamlet, make_province, make_staff
from danvan.practices import deeds
from danvan.practices.models import DeedStatus, GoodDeed
from danvan.practices.tests.factories import nomination_form

pytestmark = pytest.mark.django_db

NOMINATE = reverse("practices:nominate")


@pytest.fixture
def hamlet(db: Any) -> Any:
    return make_hamlet(make_commune(make_province()), "Ấp Phụng Thạnh")


def aged(seconds: float = 30) -> str:
    """The signed time of a form shown `seconds` ago."""
    return form_stamp(at=time.time() - seconds)


def test_a_person_nominates_on_the_public_site(client: Any, hamlet: Any) -> None:
    page = client.get(NOMINATE).content.decode()
    assert 'name="t"' in page and "Ấp Phụng Thạnh — Xã Phụng Hiệp" in page
    response = client.post(NOMINATE, nomination_form(hamlet))
    assert response["Location"] == reverse("practices:nominated")
    deed = GoodDeed.objects.get()
    assert deed.status == DeedStatus.PENDING and deed.area == hamlet
    assert "0912345678" not in deed.nominator_phone_encrypted  # kept encrypted


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"t": 1}, "gửi quá nhanh"),
        ({"t": "gia-mao"}, "không hợp lệ hoặc đã cũ"),
        ({"t": 3 * 3600}, "đã mở quá lâu"),
        ({"consent": ""}, "Cần bạn đồng ý"),
        ({"nominator_phone": "12345"}, "Số điện thoại không đúng"),
        ({"place": ""}, "Hãy chọn xã, ấp."),
    ],
)
def test_refused_nominations_keep_what_was_typed(
    client: Any, hamlet: Any, changes: dict[str, Any], message: str
) -> None:
    if isinstance(changes.get("t"), int):  # seconds since the form was shown
        changes = {**changes, "t": aged(changes["t"])}
    response = client.post(NOMINATE, nomination_form(hamlet, **changes))
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert "Nấu cơm miễn phí" in body
    assert not GoodDeed.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_and_forgotten(client: Any, hamlet: Any) -> None:
    response = client.post(NOMINATE, nomination_form(hamlet, trang_web="http://quang-cao.example"))
    assert response["Location"] == reverse("practices:nominated")
    assert not GoodDeed.objects.exists()


def test_one_phone_is_limited_whatever_the_address(client: Any, hamlet: Any) -> None:
    for i in range(3):
        sent = client.post(NOMINATE, nomination_form(hamlet), REMOTE_ADDR=f"10.0.0.{i}")
        assert sent.status_code == 302
    refused = client.post(NOMINATE, nomination_form(hamlet), REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert GoodDeed.objects.count() == 3


def test_verify_publish_commend_and_the_public_page(client: Any, hamlet: Any) -> None:
    client.post(NOMINATE, nomination_form(hamlet))
    client.post(
        NOMINATE, nomination_form(hamlet, nominee_name="Ông Sáu Lành", nominator_phone="0987654321")
    )
    first, second = GoodDeed.objects.order_by("pk")
    officer = make_staff("bdv.xa", Role.BOARD_ADMIN, area=hamlet)
    client.force_login(officer)
    detail = client.get(first.get_absolute_url()).content.decode()
    assert "0912345678" in detail  # the officer sees the phone to call back
    client.post(reverse("practices_staff:deed_verify", args=[first.pk]), {"note": "Đã gặp."})
    client.post(
        reverse("practices_staff:deed_verify", args=[second.pk]),
        {"note": "Đã gặp.", "nominee_consents": "on"},
    )
    for deed in (first, second):
        client.post(reverse("practices_staff:deed_publish", args=[deed.pk]), {"note": ""})
    client.logout()
    public = client.get(reverse("practices:deeds")).content.decode()
    assert "Ông Sáu Lành" in public  # consented
    assert "Bà Trần Thị Mười" not in public and "Một người dân" in public
    assert "0912" not in public and "0987" not in public

    client.force_login(officer)
    commend = reverse("practices_staff:deed_commend", args=[second.pk])
    client.post(
        commend,
        {
            "commendation": "Giấy khen",
            "decision_number": "7/QĐ-UBND",
            "decision_date": "2026-01-05",
        },
    )
    second.refresh_from_db()
    assert second.commendation == "Giấy khen" and second.decision_number == "7/QĐ-UBND"


def test_refused_moves_change_nothing(hamlet: Any) -> None:
    deed = deeds.nominate(
        nominee_name="Tổ tự quản ấp", collective=True, area=hamlet, deed="Sửa cầu.",
        nominator_name="Cán bộ",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="đang ở trạng thái"):
        deeds.move_deed(deed, "publish")
    with pytest.raises(ValidationError, match="Hãy ghi rõ"):
        deeds.move_deed(deed, "reject", note=" ")
    with pytest.raises(ValidationError, match="đã công bố"):
        deeds.commend(
            deed, commendation="Bằng khen", decision_number="1", decision_date=date(2026, 1, 5)
        )
    assert GoodDeed.objects.get(pk=deed.pk).status == DeedStatus.PENDING


def test_a_key_rotation_re_encrypts_the_nominators_phones(settings: Any) -> None:
    """rotate_field_key covers the nominator's phone, so that the old key
    can be retired without losing it."""
    from io import StringIO

    from django.core.management import call_command

    from danvan.core.crypto import decrypt

    old, new = "o" * 44, "n" * 44
    settings.FIELD_ENCRYPTION_KEYS = [old]
    commune = make_commune(make_province("92", "Thành phố Cần Thơ"), "Xã Phong Điền", "31153")
    deed = deeds.nominate(
        nominee_name="Bà Năm", collective=False, area=commune, deed="Phát bánh mì.",
        nominator_name="Người dân", nominator_phone="0912345678",
    )  # fmt: skip
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    out = StringIO()
    call_command("rotate_field_key", stdout=out)
    assert "practices.GoodDeed.nominator_phone_encrypted: 1/1" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new]
    deed.refresh_from_db()
    assert decrypt(deed.nominator_phone_encrypted) == "0912345678"
