"""Voting with one-time codes (a gateway set): the phone, confirmed by a code
sent to it, stands for the person, so made-up CCCD numbers no longer make new
voters. Wrong, spent, expired and parallel codes are refused; the session never
holds the phone number."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from danvan.core import phone_codes
from danvan.practices.models import Vote
from danvan.practices.tests.test_votes import PHONE, campaign_of, entries, identify_url

pytestmark = pytest.mark.django_db


class Outbox:
    """A gateway that keeps what it sends (the test's phone)."""

    sent: ClassVar[list[tuple[str, str]]] = []
    fail = False

    def send(self, phone: str, text: str) -> None:
        if Outbox.fail:
            raise OSError("gateway down")
        Outbox.sent.append((phone, text))


@pytest.fixture
def outbox(settings: Any) -> type[Outbox]:
    settings.CONTEST_OTP_GATEWAY = f"{__name__}.Outbox"
    Outbox.sent = []
    Outbox.fail = False
    return Outbox


def last_code(box: type[Outbox]) -> str:
    match = re.search(r": (\d{6})\.", box.sent[-1][1])
    assert match, box.sent[-1]
    return match.group(1)


def confirm_url(campaign: Any, entry: Any) -> str:
    return f"{reverse('votes:confirm', args=[campaign.slug])}?muc={entry.pk}"


def test_the_phone_confirmed_by_its_code_votes_once(world: Any, outbox: type[Outbox]) -> None:
    campaign = campaign_of(world)
    first = entries(campaign)[0]
    client = Client()
    form = client.get(identify_url(campaign, first)).content.decode()
    assert 'name="cccd"' not in form and "Gửi mã xác nhận" in form
    sent = client.post(identify_url(campaign, first), {"phone": "0912 345 678", "muc": first.pk})
    assert sent.status_code == 302 and sent["Location"] == confirm_url(campaign, first)
    assert outbox.sent[-1][0] == PHONE and "bình chọn" in outbox.sent[-1][1]
    assert not Vote.objects.exists()  # nothing counted before the code
    page = client.get(confirm_url(campaign, first)).content.decode()
    assert "0912***678" in page and PHONE not in page
    stored = "".join(s.session_data for s in Session.objects.all())
    assert PHONE not in str([s.get_decoded() for s in Session.objects.all()]) and stored

    wrong = client.post(confirm_url(campaign, first), {"code": "000000", "muc": first.pk})
    assert "Mã xác nhận không đúng" in wrong.content.decode() or last_code(outbox) == "000000"
    done = client.post(confirm_url(campaign, first), {"code": last_code(outbox), "muc": first.pk})
    assert done.status_code == 302 and Vote.objects.count() == 1
    spent = client.post(confirm_url(campaign, first), {"code": last_code(outbox)})
    assert spent.status_code == 302 and "xac-nhan/" in spent["Location"]  # nothing pending

    # The same phone from another browser, with the next code: still one voter.
    other = Client()
    other.post(identify_url(campaign, first), {"phone": PHONE, "muc": first.pk})
    again = other.post(confirm_url(campaign, first), {"code": last_code(outbox), "muc": first.pk})
    assert again.status_code == 302 and Vote.objects.count() == 1
    assert len({v.voter for v in Vote.objects.all()}) == 1


def test_wrong_codes_use_up_the_code(world: Any, outbox: type[Outbox]) -> None:
    campaign = campaign_of(world)
    first = entries(campaign)[0]
    client = Client()
    client.post(identify_url(campaign, first), {"phone": PHONE, "muc": first.pk})
    right = last_code(outbox)
    wrong = "111111" if right != "111111" else "222222"
    for left in (4, 3, 2, 1):
        page = client.post(confirm_url(campaign, first), {"code": wrong, "muc": first.pk})
        assert f"Bạn còn {left} lần thử" in page.content.decode()
    page = client.post(confirm_url(campaign, first), {"code": wrong, "muc": first.pk})
    assert "sai quá nhiều lần" in page.content.decode()
    page = client.post(confirm_url(campaign, first), {"code": right, "muc": first.pk})
    assert page.status_code == 200 and "hết hạn hoặc đã dùng" in page.content.decode()
    assert not Vote.objects.exists()


def test_a_gateway_that_fails_keeps_what_was_typed(world: Any, outbox: type[Outbox]) -> None:
    campaign = campaign_of(world)
    first = entries(campaign)[0]
    outbox.fail = True
    page = Client().post(identify_url(campaign, first), {"phone": "0912 345 678", "muc": first.pk})
    text = page.content.decode()
    assert page.status_code == 200 and "Chưa gửi được mã xác nhận" in text
    assert 'value="0912 345 678"' in text


def test_a_right_code_is_spent_once() -> None:
    """The right code sent twice (a double tap, a replay): the second is refused."""
    from django.test import override_settings

    with override_settings(CONTEST_OTP_GATEWAY=f"{__name__}.Outbox"):
        Outbox.sent = []
        Outbox.fail = False
        ticket = phone_codes.send_code("test", PHONE, "Mã: {code}. {minutes} phút.")
        code = Outbox.sent[-1][1].split(": ")[1].split(".")[0]
        phone_codes.check_code(ticket, code)
        with pytest.raises(phone_codes.CodeError):
            phone_codes.check_code(ticket, code)
