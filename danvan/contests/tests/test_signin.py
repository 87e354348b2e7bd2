"""Signing in again without an account: never by a phone number alone.

A returning participant proves who they are with the access code, with phone
plus the CCCD they gave, or with a one-time code sent to their phone through
the configured gateway (the console one here)."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from danvan.contests import otp
from danvan.contests import participants as people
from danvan.contests.models import OneTimeCode, Participant
from danvan.contests.public_helpers import participant_key
from danvan.contests.tests.factories import make_participant, make_world

pytestmark = pytest.mark.django_db

CCCD = "092190012345"
PHONE = "0912345678"
CONSOLE = override_settings(CONTEST_OTP_GATEWAY="danvan.contests.otp.ConsoleGateway")


@pytest.fixture
def world() -> Any:
    return make_world()


def url(world: Any) -> str:
    return reverse("contests:signin", args=[world.contest.slug])


def signed_in_as(client: Client, world: Any) -> int | None:
    return client.session.get(participant_key(world.contest.pk))


def sent_code(caplog: Any) -> str:
    found = re.findall(r"\b(\d{6})\b", caplog.text)
    assert found, caplog.text
    return found[-1]


# --- A phone number alone --------------------------------------------------------------


@pytest.mark.parametrize("cccd", ["", CCCD])
def test_a_phone_alone_signs_nobody_in(world: Any, cccd: str) -> None:
    make_participant(world.contest, world.hamlet, phone=PHONE, cccd=cccd)
    client = Client()
    response = client.post(url(world), {"cach": "sdt", "sdt-phone": "0912 345 678"})
    assert response.status_code == 200
    assert response.context["phone_form"].errors["cccd"] == [people.PHONE_ALONE]
    assert people.PHONE_ALONE in response.content.decode()
    assert signed_in_as(client, world) is None


def test_registering_again_with_a_known_phone_hands_nobody_over(world: Any) -> None:
    owner = make_participant(world.contest, world.hamlet, phone=PHONE)
    stranger = Client()
    response = stranger.post(
        reverse("contests:register", args=[world.contest.slug]),
        {
            "full_name": "Người Lạ",
            "birth_date": "01/01/1980",
            "sex": "male",
            "phone": PHONE,
            "area": str(world.hamlet.pk),
            "occupation": "people",
            "consent": "on",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Số điện thoại này đã được dùng để đăng ký cuộc thi" in body
    assert owner.full_name not in body and owner.access_code not in body
    assert signed_in_as(stranger, world) is None
    assert Participant.objects.count() == 1


def test_a_session_signed_in_by_phone_alone_before_is_not_honoured(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone=PHONE)
    client = Client()
    session = client.session
    session[participant_key(world.contest.pk)] = p.pk
    session[f"contest:{world.contest.pk}:verified"] = False  # phone alone, old version
    session.save()
    response = client.post(reverse("contests:start", args=[world.contest.slug, 1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("contests:register", args=[world.contest.slug])
    assert not p.attempts.exists()
    assert p.full_name not in client.get(world.contest.get_absolute_url()).content.decode()


# --- The ways that work ------------------------------------------------------------------


def test_access_code_signs_in(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone=PHONE, access_code="ABCD2345")
    client = Client()
    response = client.post(url(world), {"cach": "ma", "ma-access_code": "abcd-2345"})
    assert response.status_code == 302
    assert signed_in_as(client, world) == p.pk


def test_phone_and_cccd_sign_in_and_recover_the_code(world: Any) -> None:
    p = make_participant(
        world.contest, world.hamlet, phone=PHONE, cccd=CCCD, access_code="ABCD2345"
    )
    client = Client()
    wrong = client.post(url(world), {"cach": "sdt", "sdt-phone": PHONE, "sdt-cccd": "092190099999"})
    assert "Không tìm thấy người dự thi" in wrong.content.decode()
    assert signed_in_as(client, world) is None
    response = client.post(
        url(world), {"cach": "sdt", "sdt-phone": "0912 345 678", "sdt-cccd": CCCD}, follow=True
    )
    assert signed_in_as(client, world) == p.pk
    body = response.content.decode()
    assert "ABCD-2345" in body  # a lost access code is shown again
    assert p.full_name in body


def test_the_sign_in_page_explains_the_choices(world: Any) -> None:
    body = Client().get(url(world)).content.decode()
    assert "Bằng mã dự thi" in body
    assert "Bằng số điện thoại và số CCCD" in body
    assert "Chỉ số điện thoại thì chưa đủ" in body
    # No gateway configured: no one-time code, the organisers instead.
    assert 'name="otp-phone"' not in body
    assert "liên hệ Ban Tổ chức" in body
    with CONSOLE:
        body = Client().get(url(world)).content.decode()
    assert 'name="otp-phone"' in body and "Gửi mã xác nhận" in body


# --- The one-time code -------------------------------------------------------------------


def send(client: Client, world: Any, phone: str = PHONE) -> Any:
    return client.post(url(world), {"cach": "otp-gui", "otp-phone": phone}, follow=True)


def verify(client: Client, world: Any, code: str) -> Any:
    return client.post(url(world), {"cach": "otp", "otp-code": code}, follow=True)


def code_sent_to_participant(world: Any, caplog: Any) -> tuple[Client, str]:
    """A participant with PHONE asks for a one-time code: the client and the code."""
    make_participant(world.contest, world.hamlet, phone=PHONE)
    client = Client()
    with caplog.at_level(logging.INFO, logger="danvan.contests.otp"):
        send(client, world)
    return client, sent_code(caplog)


@CONSOLE
def test_one_time_code_signs_in_and_recovers_the_code(world: Any, caplog: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone=PHONE, access_code="ABCD2345")
    client = Client()
    with caplog.at_level(logging.INFO, logger="danvan.contests.otp"):
        body = send(client, world, "0912 345 678").content.decode()
    assert "Nếu số điện thoại này đã đăng ký" in body and 'name="otp-code"' in body
    code = sent_code(caplog)
    row = OneTimeCode.objects.get(participant=p)
    assert len(row.code_hash) == 64 and code not in row.code_hash  # hashed at rest
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    body = verify(client, world, wrong).content.decode()
    assert "Mã xác nhận không đúng" in body and "còn 4 lần" in body
    assert signed_in_as(client, world) is None
    body = verify(client, world, code).content.decode()
    assert signed_in_as(client, world) == p.pk
    assert "ABCD-2345" in body
    assert not OneTimeCode.objects.exists()  # used once
    assert otp.verify_code(world.contest, PHONE, code) is None


@CONSOLE
def test_an_expired_code_is_refused(world: Any, caplog: Any) -> None:
    client, code = code_sent_to_participant(world, caplog)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = verify(client, world, code).content.decode()
    assert "Mã xác nhận đã hết hạn" in body
    assert signed_in_as(client, world) is None


@CONSOLE
def test_too_many_wrong_codes_spend_the_code(world: Any, caplog: Any) -> None:
    client, code = code_sent_to_participant(world, caplog)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(otp.MAX_TRIES - 1):
        verify(client, world, wrong)
    body = verify(client, world, wrong).content.decode()
    assert "nhập sai quá nhiều lần" in body
    body = verify(client, world, code).content.decode()  # the right one, too late
    assert signed_in_as(client, world) is None
    assert "Mã xác nhận không đúng hoặc đã hết hạn" in body


@CONSOLE
def test_an_unknown_phone_gets_the_same_answer_and_no_message(world: Any, caplog: Any) -> None:
    make_participant(world.contest, world.hamlet, phone=PHONE)
    with caplog.at_level(logging.INFO, logger="danvan.contests.otp"):
        body = send(Client(), world, "0987654321").content.decode()
    assert "Nếu số điện thoại này đã đăng ký" in body
    assert not re.search(r"\b\d{6}\b", caplog.text)
    assert not OneTimeCode.objects.exists()


@CONSOLE
def test_sending_codes_is_rate_limited_per_phone_and_per_address(world: Any) -> None:
    make_participant(world.contest, world.hamlet, phone=PHONE)
    with override_settings(CONTEST_RATE_LIMITS={"otp_phone": (2, 900)}):
        assert send(Client(), world).status_code == 200
        assert send(Client(), world).status_code == 200
        assert send(Client(), world).status_code == 429  # another browser, same phone
    with override_settings(CONTEST_RATE_LIMITS={"otp_ip": (4, 900)}):  # 3 sent already
        assert send(Client(), world, "0911111111").status_code == 200
        assert send(Client(), world, "0922222222").status_code == 429  # same address


def test_without_a_gateway_no_code_is_sent(world: Any) -> None:
    make_participant(world.contest, world.hamlet, phone=PHONE)
    body = send(Client(), world).content.decode()
    assert "liên hệ Ban Tổ chức" in body
    assert not OneTimeCode.objects.exists()


# --- Someone who lost everything ---------------------------------------------------------


def test_organisers_can_issue_a_new_access_code(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone=PHONE, access_code="ABCD2345")
    out = StringIO()
    call_command("reissue_access_code", world.contest.slug, "0912 345 678", stdout=out)
    p.refresh_from_db()
    assert p.access_code != "ABCD2345"
    assert f"{p.access_code[:4]}-{p.access_code[4:]}" in out.getvalue()
    client = Client()
    client.post(url(world), {"cach": "ma", "ma-access_code": "ABCD2345"})
    assert signed_in_as(client, world) is None  # the old code no longer works


@CONSOLE
def test_erasing_a_participant_drops_their_code(world: Any) -> None:
    p = make_participant(world.contest, world.hamlet, phone=PHONE)
    otp.send_code(world.contest, PHONE)
    assert OneTimeCode.objects.filter(participant=p).exists()
    people.erase_participant(p)
    assert not OneTimeCode.objects.exists()
