"""Public voting (bình chọn), end to end: a campaign's lifecycle and every
refused step (each leaves the campaign as it was); a person counted once per
entry and window whatever is replayed, from whichever browser or address; the
votes outside the period or for another campaign's entry refused; the CCCD
kept nowhere but as its keyed hash; the rate limits; the live, hidden and
frozen counts on the public page; the staff pages and the Excel export."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danvan.core.models import Role
from danvan.core.tests.factories import make_province, make_staff
from danvan.core.tests.helpers import sheet_rows
from danvan.practices import deeds, votes
from danvan.practices.models import Campaign, CampaignStatus, Entry, Practice, Vote
from danvan.practices.tests.factories import make_practice

pytestmark = pytest.mark.django_db

CCCD = "079085012345"
CCCD_SPACED = "079 085 012 345"  # the same person, typed with spaces
PHONE = "0912345678"
PHONE_SPACED = "0912 345 678"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def person(n: int) -> str:
    """The CCCD of another person (same form, another serial)."""
    return f"079085{n + 100:06d}"


def campaign_of(
    world: SimpleNamespace,
    *,
    publish: bool = True,
    practices: list[Practice] | None = None,
    with_deed: bool = True,
    **fields: Any,
) -> Campaign:
    """A campaign open from an hour ago for a week, over two practices and the deed."""
    now = timezone.now()
    values = {
        "title": "Mô hình, việc tốt tiêu biểu năm 2025",
        "slug": "tieu-bieu-2025",
        "organization": world.practices[0].organization,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=7),
        **fields,
    }
    campaign = votes.create_campaign(Campaign(**values))
    chosen = world.practices[:2] if practices is None else practices
    votes.set_entries(campaign, chosen, [world.deed] if with_deed else [])
    return votes.publish_campaign(campaign) if publish else campaign


def entries(campaign: Campaign) -> list[Entry]:
    return list(Entry.objects.filter(campaign=campaign).order_by("position"))


def snapshot(campaign: Campaign) -> tuple[Any, ...]:
    """Everything a refused step must leave as it was."""
    c = Campaign.objects.get(pk=campaign.pk)
    rows = list(
        Entry.objects.filter(campaign=campaign)
        .order_by("position")
        .values_list("practice_id", "deed_id", "position", "votes", "final_votes", "rank")
    )
    ballots = sorted(Vote.objects.filter(campaign=campaign).values_list("entry_id", "voter"))
    return (c.title, c.status, c.closed_at, c.starts_at, c.ends_at, rows, ballots)


def identify_url(campaign: Campaign, entry: Entry | None = None) -> str:
    url = reverse("votes:identify", args=[campaign.slug])
    return f"{url}?muc={entry.pk}" if entry else url


def identify(
    client: Client,
    campaign: Campaign,
    entry: Entry | None = None,
    *,
    cccd: str = CCCD,
    phone: str = PHONE,
    **meta: Any,
) -> Any:
    """The identification form sent (it casts the vote for `entry`)."""
    body = {"cccd": cccd, "phone": phone, "muc": entry.pk if entry else ""}
    return client.post(identify_url(campaign, entry), body, **meta)


def vote(client: Client, campaign: Campaign, entry: Entry, **meta: Any) -> Any:
    return client.post(reverse("votes:vote", args=[campaign.slug, entry.pk]), **meta)


def at_entry(campaign: Campaign, entry: Entry) -> str:
    return f"{campaign.public_url()}#muc-{entry.pk}"


def cards(html: str) -> dict[int, str]:
    """Each entry's card on the public page, by the entry's pk, in page order."""
    return {int(pk): body for pk, body in re.findall(r'id="muc-(\d+)">(.*?)</li>', html, re.S)}


def counts_on(html: str) -> dict[int, int]:
    """The count each card shows (cards showing none are left out)."""
    shown = {}
    for pk, body in cards(html).items():
        found = re.search(r'class="vote-count"><strong>(\d+)</strong> phiếu', body)
        if found:
            shown[pk] = int(found.group(1))
    return shown


def counted(entry: Entry) -> tuple[int, int]:
    """(the entry's live counter, its vote rows)."""
    entry.refresh_from_db()
    return entry.votes, Vote.objects.filter(entry=entry).count()


# --- The lifecycle ----------------------------------------------------------------------


def test_a_campaign_from_draft_to_announced_results(world: SimpleNamespace) -> None:
    now = timezone.now()
    draft = votes.create_campaign(
        Campaign(
            title="Bình chọn tiêu biểu",
            slug="binh-chon-tieu-bieu",
            organization=world.practices[0].organization,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=2),
        ),
        user=world.officer,
    )
    assert draft.status == CampaignStatus.DRAFT and draft.created_by == world.officer
    assert votes.phase(draft) == "draft"
    votes.set_entries(draft, world.practices[:2], [world.deed])
    road, flowers, deed = entries(draft)
    assert (road.practice, flowers.practice, deed.deed) == (*world.practices[:2], world.deed)
    assert [road.position, flowers.position, deed.position] == [0, 1, 2]

    campaign = votes.publish_campaign(draft)
    assert campaign.status == CampaignStatus.PUBLISHED and votes.phase(campaign) == "open"
    for n in range(2):
        assert votes.cast_vote(campaign, road.pk, f"nguoi-a{n}") is True
        assert votes.cast_vote(campaign, deed.pk, f"nguoi-b{n}") is True
    assert votes.cast_vote(campaign, flowers.pk, "nguoi-c") is True

    # What the recount must not take: rows stamped from the end on (cast_vote
    # never writes them; a vote delayed past the end would), and a counter
    # that drifted from its rows.
    Vote.objects.create(campaign=campaign, entry=flowers, voter="tre-1", at=campaign.ends_at)
    Vote.objects.create(
        campaign=campaign, entry=flowers, voter="tre-2", at=campaign.ends_at + timedelta(seconds=5)
    )
    Entry.objects.filter(pk=flowers.pk).update(votes=40)

    before = snapshot(campaign)
    for too_early in (
        campaign.ends_at - timedelta(hours=1),
        campaign.ends_at,
        campaign.ends_at + votes.CLOSE_GRACE - timedelta(seconds=1),
    ):
        with pytest.raises(
            ValidationError, match="Chỉ khóa kết quả sau khi đợt bình chọn kết thúc"
        ):
            votes.close_campaign(campaign, now=too_early)
        assert snapshot(campaign) == before

    closing = campaign.ends_at + votes.CLOSE_GRACE
    closed = votes.close_campaign(campaign, now=closing)
    assert closed.status == CampaignStatus.CLOSED and closed.closed_at == closing
    recount = {
        e.pk: Vote.objects.filter(entry=e, at__lt=campaign.ends_at).count()
        for e in entries(campaign)
    }
    assert recount == {road.pk: 2, flowers.pk: 1, deed.pk: 2}
    assert {e.pk: e.final_votes for e in entries(campaign)} == recount
    assert {e.pk: e.rank for e in entries(campaign)} == {road.pk: 1, deed.pk: 1, flowers.pk: 3}
    with pytest.raises(ValidationError, match="không mở vào lúc này"):
        votes.cast_vote(closed, road.pk, "nguoi-moi", now=campaign.ends_at - timedelta(hours=1))
    with pytest.raises(ValidationError, match="không ở trạng thái đang công bố"):
        votes.close_campaign(closed, now=closing + timedelta(days=1))

    announced = votes.announce_campaign(closed)
    assert announced.status == CampaignStatus.ANNOUNCED and votes.phase(announced) == "announced"
    assert {e.pk: (e.final_votes, e.rank) for e in entries(campaign)} == {
        road.pk: (2, 1),
        deed.pk: (2, 1),
        flowers.pk: (1, 3),
    }
    with pytest.raises(ValidationError, match="Cần khóa kết quả trước khi công bố"):
        votes.announce_campaign(announced)


def _registered(world: SimpleNamespace, campaign: Campaign) -> None:
    only_registered = make_practice(world.commune, title="Mô hình mới đăng ký")
    votes.set_entries(campaign, [*world.practices, only_registered], [])


def _pending(world: SimpleNamespace, campaign: Campaign) -> None:
    pending = deeds.nominate(
        nominee_name="Anh Tư Xe Ôm", collective=True, area=world.commune,
        deed="Chở miễn phí người bệnh đi viện.", nominator_name="Người dân",
    )  # fmt: skip
    votes.set_entries(campaign, world.practices, [pending])


def _edit_after_votes(world: SimpleNamespace, campaign: Campaign) -> None:
    campaign.title = "Tên khác"
    votes.update_campaign(campaign)


Refusal = Callable[[SimpleNamespace, Campaign], Any]
REFUSALS: list[tuple[str, str, Refusal, str]] = [
    ("published", "publish again", lambda w, c: votes.publish_campaign(c), "đã được công bố"),
    ("one entry", "publish", lambda w, c: votes.publish_campaign(c), "Cần ít nhất 2 mục"),
    ("ended draft", "publish", lambda w, c: votes.publish_campaign(c), "Thời gian kết thúc đã qua"),
    (
        "published",
        "entries after publishing",
        lambda w, c: votes.set_entries(c, w.practices[:2], []),
        "Chỉ sửa danh sách bình chọn khi đợt còn là nháp",
    ),
    (
        "draft",
        "close a draft",
        lambda w, c: votes.close_campaign(c, now=c.ends_at + timedelta(days=1)),
        "không ở trạng thái đang công bố",
    ),
    ("draft", "announce a draft", lambda w, c: votes.announce_campaign(c), "Cần khóa kết quả"),
    ("published", "announce unclosed", lambda w, c: votes.announce_campaign(c), "Cần khóa kết quả"),
    ("draft", "a registered practice", _registered, "Mô hình mới đăng ký"),
    ("draft", "a pending deed", _pending, "Chỉ đưa vào bình chọn mô hình đã công nhận"),
    ("published", "edit after votes", _edit_after_votes, "đã có phiếu"),
]


@pytest.mark.parametrize(
    "state,step,refused,message", REFUSALS, ids=[r[1].replace(" ", "-") for r in REFUSALS]
)
def test_a_refused_step_changes_nothing(
    world: SimpleNamespace, state: str, step: str, refused: Refusal, message: str
) -> None:
    now = timezone.now()
    if state == "ended draft":
        campaign = campaign_of(
            world, publish=False, starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1)
        )
    elif state == "one entry":
        campaign = campaign_of(world, publish=False, practices=world.practices[:1], with_deed=False)
    else:
        campaign = campaign_of(world, publish=state == "published")
    if step == "edit after votes":  # the vote is part of the state to keep
        votes.cast_vote(campaign, entries(campaign)[0].pk, "nguoi-1")
    before = snapshot(campaign)
    with pytest.raises(ValidationError, match=message):
        refused(world, campaign)
    assert snapshot(campaign) == before


# --- Voting -----------------------------------------------------------------------------


def test_a_replayed_vote_counts_once(client: Client, world: SimpleNamespace) -> None:
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    asked = vote(client, campaign, entry)  # not identified yet: asked who they are
    assert asked.status_code == 302 and asked["Location"] == identify_url(campaign, entry)
    assert "Bạn bình chọn cho:" in client.get(asked["Location"]).content.decode()
    assert counted(entry) == (0, 0)

    done = identify(client, campaign, entry)
    assert done["Location"] == at_entry(campaign, entry)
    assert "Đã ghi nhận bình chọn của bạn" in client.get(campaign.public_url()).content.decode()
    for _ in range(3):  # the same POST sent again, and the identification too
        assert vote(client, campaign, entry)["Location"] == at_entry(campaign, entry)
    identify(client, campaign, entry)
    page = client.get(campaign.public_url()).content.decode()
    assert "Bạn đã bình chọn cho mục này rồi" in page
    assert "Bạn đã bình chọn mục này" in cards(page)[entry.pk]
    assert counted(entry) == (1, 1)


@pytest.mark.parametrize(
    "proxies,addresses",
    [
        (0, [{"REMOTE_ADDR": a} for a in ("203.0.113.1", "198.51.100.7", "192.0.2.9")]),
        (
            1,  # behind one trusted proxy: X-Forwarded-For tells who asks
            [
                {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": a}
                for a in ("203.0.113.1", "198.51.100.7", "192.0.2.9")
            ],
        ),
    ],
    ids=["remote-addr", "x-forwarded-for"],
)
def test_the_same_person_elsewhere_counts_once(
    world: SimpleNamespace, settings: Any, proxies: int, addresses: list[dict[str, str]]
) -> None:
    settings.AXES_IPWARE_PROXY_COUNT = proxies or None
    # One identification per address: the second one below passes only if the
    # app sees it come from another address.
    settings.PRACTICES_VOTE_RATE_LIMITS = {"voter_ip": (1, 3600)}
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    here, there, third = addresses
    assert identify(Client(), campaign, entry, **here)["Location"] == at_entry(campaign, entry)
    assert identify(Client(), campaign, entry, **here).status_code == 429  # the limit holds

    elsewhere = Client()  # another browser, another address, the CCCD typed with spaces
    answer = identify(elsewhere, campaign, entry, cccd=CCCD_SPACED, phone="0987654321", **there)
    assert answer["Location"] == at_entry(campaign, entry)
    vote(elsewhere, campaign, entry, **there)
    page = elsewhere.get(campaign.public_url()).content.decode()
    assert "Bạn đã bình chọn cho mục này rồi" in page
    assert "Bạn đã bình chọn mục này" in cards(page)[entry.pk]
    assert counted(entry) == (1, 1)

    identify(Client(), campaign, entry, cccd=person(2), phone="0977000111", **third)
    assert counted(entry) == (2, 2)  # someone else does count


def test_a_daily_window_lets_the_same_person_vote_again_the_next_day(
    world: SimpleNamespace,
) -> None:
    now = timezone.now()
    campaign = campaign_of(
        world, window_hours=24, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(days=3)
    )
    entry, other = entries(campaign)[:2]
    start = campaign.starts_at
    assert votes.cast_vote(campaign, entry.pk, "nguoi-1", now=start + timedelta(hours=1)) is True
    for later in (timedelta(hours=1, minutes=1), timedelta(hours=23, minutes=59)):
        assert votes.cast_vote(campaign, entry.pk, "nguoi-1", now=start + later) is False
    assert votes.cast_vote(campaign, other.pk, "nguoi-1", now=start + timedelta(hours=3)) is True
    assert votes.voted_entries(campaign, "nguoi-1", now=start + timedelta(hours=5)) == {
        entry.pk,
        other.pk,
    }
    assert votes.next_window_at(campaign, now=start + timedelta(hours=5)) == start + timedelta(
        hours=24
    )

    assert votes.voted_entries(campaign, "nguoi-1", now=start + timedelta(hours=24)) == set()
    assert votes.cast_vote(campaign, entry.pk, "nguoi-1", now=start + timedelta(hours=24)) is True
    assert votes.cast_vote(campaign, entry.pk, "nguoi-1", now=start + timedelta(hours=47)) is False
    assert counted(entry) == (2, 2)
    windows = Vote.objects.filter(entry=entry).order_by("at").values_list("window", flat=True)
    assert list(windows) == [0, 1]
    # In the last window there is no next one within the campaign.
    assert votes.next_window_at(campaign, now=campaign.ends_at - timedelta(minutes=1)) is None


def test_a_campaign_long_window_counts_a_person_once_for_good(world: SimpleNamespace) -> None:
    campaign = campaign_of(world)  # window_hours=0
    entry = entries(campaign)[0]
    assert votes.cast_vote(campaign, entry.pk, "nguoi-1") is True
    later = campaign.ends_at - timedelta(minutes=1)
    assert votes.cast_vote(campaign, entry.pk, "nguoi-1", now=later) is False
    assert votes.next_window_at(campaign) is None
    assert counted(entry) == (1, 1)


def test_votes_before_the_start_or_from_the_end_are_refused(
    client: Client, world: SimpleNamespace
) -> None:
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    for when in (
        campaign.starts_at - timedelta(seconds=1),
        campaign.ends_at,
        campaign.ends_at + timedelta(days=1),
    ):
        with pytest.raises(ValidationError, match="Đợt bình chọn này không mở vào lúc này"):
            votes.cast_vote(campaign, entry.pk, "nguoi-1", now=when)
    assert counted(entry) == (0, 0)
    assert votes.cast_vote(campaign, entry.pk, "nguoi-1", now=campaign.starts_at) is True

    now = timezone.now()
    soon = campaign_of(
        world, slug="sap-mo", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=8)
    )
    first = entries(soon)[0]
    page = client.get(soon.public_url()).content.decode()
    assert "Đợt bình chọn chưa bắt đầu." in page and "Bình chọn</button>" not in page
    assert identify(client, soon, first)["Location"] == soon.public_url()
    assert vote(client, soon, first)["Location"] == soon.public_url()
    told = client.get(soon.public_url()).content.decode()
    assert told.count("Đợt bình chọn này không mở vào lúc này.") == 2
    assert counted(first) == (0, 0)


def test_an_entry_of_another_campaign_is_refused(client: Client, world: SimpleNamespace) -> None:
    ours = campaign_of(world)
    theirs = campaign_of(world, slug="dot-khac")
    foreign = entries(theirs)[0]
    identify(client, ours)  # identified, no vote yet
    assert client.session[votes.SESSION_KEY] == votes.voter_key(CCCD)
    assert vote(client, ours, foreign)["Location"] == ours.public_url()
    assert "Mục bình chọn không thuộc đợt này." in client.get(ours.public_url()).content.decode()
    missing = reverse("votes:vote", args=[ours.slug, 10**9])
    assert client.post(missing)["Location"] == ours.public_url()
    # Naming it in the identification casts nothing either.
    assert identify(client, ours, foreign)["Location"] == ours.public_url()
    with pytest.raises(ValidationError, match="Mục bình chọn không thuộc đợt này"):
        votes.cast_vote(ours, foreign.pk, votes.voter_key(CCCD))
    assert not Vote.objects.exists()
    assert sum(Entry.objects.values_list("votes", flat=True)) == 0


def test_a_draft_has_no_public_page(client: Client, world: SimpleNamespace) -> None:
    draft = campaign_of(world, publish=False)
    entry = entries(draft)[0]
    assert client.get(draft.public_url()).status_code == 404
    assert client.get(identify_url(draft, entry)).status_code == 404
    assert identify(client, draft, entry).status_code == 404
    assert votes.SESSION_KEY not in client.session
    assert vote(client, draft, entry).status_code == 404
    shown = campaign_of(world, slug="dang-mo", title="Đợt đang mở")
    listing = client.get(reverse("votes:campaigns")).content.decode()
    assert shown.title in listing and draft.public_url() not in listing
    assert not Vote.objects.exists()


@pytest.mark.parametrize(
    "typed,message",
    [
        ("12345", "Số CCCD phải gồm đúng 12 chữ số."),
        ("07908501234x", "Số CCCD phải gồm đúng 12 chữ số."),
        ("000085012345", "Ba chữ số đầu của số CCCD (mã tỉnh nơi đăng ký khai sinh) không hợp lệ."),
        ("079299012345", "cho biết năm sinh 2099, là năm chưa tới"),
        ("", "Hãy nhập số căn cước."),
    ],
)
def test_a_wrong_cccd_is_told_and_the_typed_phone_kept(
    client: Client, world: SimpleNamespace, typed: str, message: str
) -> None:
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    answer = identify(client, campaign, entry, cccd=typed, phone=PHONE_SPACED)
    body = answer.content.decode()
    assert answer.status_code == 200 and message in body
    assert f'value="{PHONE_SPACED}"' in body
    assert f"Bạn bình chọn cho: <strong>{entry.title}</strong>" in body
    assert f'name="muc" value="{entry.pk}"' in body  # the entry stays chosen
    assert votes.SESSION_KEY not in client.session
    assert counted(entry) == (0, 0)


def test_a_wrong_phone_is_told_and_the_typed_cccd_kept(
    client: Client, world: SimpleNamespace
) -> None:
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    body = identify(client, campaign, entry, cccd=CCCD_SPACED, phone="12").content.decode()
    assert "Số điện thoại không đúng (ví dụ 0912 345 678)." in body
    assert f'value="{CCCD_SPACED}"' in body
    assert counted(entry) == (0, 0)


@pytest.mark.parametrize("muc", ["²", "٣", "-1", "1e3", "9" * 30, "abc"])
def test_an_odd_entry_number_in_the_address_is_ignored(
    client: Client, world: SimpleNamespace, muc: str
) -> None:
    campaign = campaign_of(world)
    url = f"{reverse('votes:identify', args=[campaign.slug])}?muc={quote(muc)}"
    page = client.get(url)
    assert page.status_code == 200 and "Bạn bình chọn cho:" not in page.content.decode()
    sent = client.post(url, {"cccd": CCCD, "phone": PHONE, "muc": muc})
    assert sent["Location"] == campaign.public_url()
    assert client.session[votes.SESSION_KEY] == votes.voter_key(CCCD)
    assert not Vote.objects.exists()


def _text_columns(model: type[models.Model]) -> list[str]:
    kinds = (models.CharField, models.TextField, models.JSONField, models.BinaryField)
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]


def test_the_cccd_is_kept_nowhere_only_its_hash(client: Client, world: SimpleNamespace) -> None:
    campaign = campaign_of(world)
    first, second = entries(campaign)[:2]
    identify(client, campaign, first, cccd=CCCD_SPACED, phone=PHONE_SPACED)
    vote(client, campaign, second)
    key = votes.voter_key(CCCD)
    assert key == votes.voter_key(CCCD_SPACED) and re.fullmatch(r"[0-9a-f]{64}", key)
    assert sorted(Vote.objects.values_list("entry_id", "voter")) == [
        (first.pk, key),
        (second.pk, key),
    ]
    assert client.session[votes.SESSION_KEY] == key
    decoded = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    secrets = (CCCD, CCCD_SPACED, PHONE, PHONE_SPACED)
    assert key in decoded and not [s for s in secrets if s in decoded]

    # Not in any text column of any table either.
    found = []
    for model in apps.get_models():
        columns = _text_columns(model)
        if model._meta.proxy or not model._meta.managed or not columns:
            continue
        for row in model._base_manager.values_list(*columns):
            text = " ".join(str(value) for value in row)
            found += [(model.__name__, s) for s in secrets if s in text]
    assert not found


def test_identifications_over_the_limit_answer_429(world: SimpleNamespace, settings: Any) -> None:
    settings.PRACTICES_VOTE_RATE_LIMITS = {"voter_ip": (2, 3600), "voter_phone": (3, 86400)}
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    address = {"REMOTE_ADDR": "203.0.113.5"}
    for n in range(2):
        sent = identify(
            Client(), campaign, entry, cccd=person(n), phone=f"09123400{n:02d}", **address
        )
        assert sent.status_code == 302
    over = Client()
    refused = identify(over, campaign, entry, cccd=person(9), phone="0912340099", **address)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Bạn thao tác quá nhanh" in refused.content.decode()
    assert votes.SESSION_KEY not in over.session
    assert counted(entry) == (2, 2)
    # Another address is not held back by this one...
    assert (
        identify(Client(), campaign, entry, cccd=person(9), REMOTE_ADDR="203.0.113.6").status_code
        == 302
    )
    # ...but one phone is limited whatever the address (three uses a day here;
    # the one above was its first).
    for n in range(2):
        ok = identify(Client(), campaign, entry, cccd=person(20 + n), REMOTE_ADDR=f"198.51.100.{n}")
        assert ok.status_code == 302
    phone_over = identify(Client(), campaign, entry, cccd=person(30), REMOTE_ADDR="198.51.100.99")
    assert phone_over.status_code == 429
    assert counted(entry) == (5, 5)


def test_votes_over_the_limit_per_address_answer_429(
    client: Client, world: SimpleNamespace, settings: Any
) -> None:
    settings.PRACTICES_VOTE_RATE_LIMITS = {"vote_ip": (2, 3600)}
    campaign = campaign_of(world)
    first, second, third = entries(campaign)
    identify(client, campaign)
    assert vote(client, campaign, first)["Location"] == at_entry(campaign, first)
    assert vote(client, campaign, second)["Location"] == at_entry(campaign, second)
    refused = vote(client, campaign, third)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert [counted(e)[0] for e in (first, second, third)] == [1, 1, 0]


# --- What the public page shows ---------------------------------------------------------


def test_live_counts_then_the_frozen_ranked_results(client: Client, world: SimpleNamespace) -> None:
    campaign = campaign_of(world)
    road, flowers, deed = entries(campaign)
    votes.cast_vote(campaign, road.pk, "nguoi-1")
    for n in range(2):
        votes.cast_vote(campaign, deed.pk, f"nguoi-{n}")
    page = client.get(campaign.public_url()).content.decode()
    assert counts_on(page) == {road.pk: 1, flowers.pk: 0, deed.pk: 2}
    assert list(cards(page)) == [road.pk, flowers.pk, deed.pk]  # the chosen order
    assert "Bà Năm Bánh Mì" in cards(page)[deed.pk] and "Hạng" not in page
    votes.cast_vote(campaign, flowers.pk, "nguoi-9")
    live = client.get(campaign.public_url()).content.decode()
    assert counts_on(live) == {road.pk: 1, flowers.pk: 1, deed.pk: 2}  # at once

    Entry.objects.filter(pk=flowers.pk).update(votes=50)  # a drifted counter is not shown
    closed = votes.close_campaign(campaign, now=campaign.ends_at + votes.CLOSE_GRACE)
    waiting = client.get(campaign.public_url()).content.decode()
    assert "kết quả sẽ được công bố sau khi kiểm phiếu" in waiting
    assert counts_on(waiting) == {} and "Hạng" not in waiting
    assert "Bình chọn</button>" not in waiting

    votes.announce_campaign(closed)
    final = client.get(campaign.public_url()).content.decode()
    assert "Đã công bố kết quả." in final
    assert list(cards(final)) == [deed.pk, road.pk, flowers.pk]  # by rank, then position
    assert counts_on(final) == {deed.pk: 2, road.pk: 1, flowers.pk: 1}
    ranks = {pk: re.search(r"Hạng (\d+)", body).group(1) for pk, body in cards(final).items()}  # type: ignore[union-attr]
    assert ranks == {deed.pk: "1", road.pk: "2", flowers.pk: "2"}
    listing = client.get(reverse("votes:campaigns")).content.decode()
    assert "Đã có kết quả" in listing


def test_counts_can_stay_hidden_while_voting(client: Client, world: SimpleNamespace) -> None:
    campaign = campaign_of(world, show_counts=False)
    first = entries(campaign)[0]
    votes.cast_vote(campaign, first.pk, "nguoi-1")
    page = client.get(campaign.public_url()).content.decode()
    assert counts_on(page) == {} and "phiếu</p>" not in page
    assert "Bình chọn</button>" in cards(page)[first.pk]
    closed = votes.close_campaign(campaign, now=campaign.ends_at + votes.CLOSE_GRACE)
    votes.announce_campaign(closed)
    final = client.get(campaign.public_url()).content.decode()
    assert counts_on(final)[first.pk] == 1  # the results are shown once announced


# --- Staff ------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200 and response["Content-Type"].startswith(XLSX)
    return sheet_rows(response.content, "Kết quả bình chọn")


def test_an_officer_runs_a_campaign_from_the_pages(client: Client, world: SimpleNamespace) -> None:
    client.force_login(world.officer)
    add = reverse("practices_staff:campaign_add")
    assert "Tạo đợt bình chọn" in client.get(add).content.decode()
    now = timezone.now()
    typed = {
        "title": "Gương sáng Phong Điền 2026",
        "slug": "",
        "intro": "Mỗi người mỗi ngày bình chọn một lần cho mỗi mục.",
        "organization": world.practices[0].organization_id,
        "starts_at": _local(now + timedelta(days=10)),
        "ends_at": _local(now + timedelta(days=1)),  # before the start
        "window_hours": "24",
        "show_counts": "on",
    }
    refused = client.post(add, typed)
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "Thời điểm kết thúc phải sau thời điểm bắt đầu." in body
    assert typed["intro"] in body and typed["title"] in body and typed["ends_at"] in body
    assert not Campaign.objects.exists()

    typed["starts_at"] = _local(now - timedelta(hours=1))
    typed["ends_at"] = _local(now + timedelta(days=3))
    created = client.post(add, typed)
    campaign = Campaign.objects.get()
    assert (campaign.slug, campaign.window_hours, campaign.show_counts) == (
        "guong-sang-phong-dien-2026",
        24,
        True,
    )
    assert campaign.status == CampaignStatus.DRAFT and campaign.created_by == world.officer
    chooser = reverse("practices_staff:campaign_entries", args=[campaign.pk])
    assert created["Location"] == chooser

    offered = client.get(chooser).content.decode()
    assert all(p.title in offered for p in world.practices) and "Bà Năm Bánh Mì" in offered
    only_one = client.post(chooser, {"practices": [world.practices[0].pk]})
    assert "Hãy chọn ít nhất 2 mục." in only_one.content.decode()
    assert not Entry.objects.filter(campaign=campaign).exists()
    registered = make_practice(world.commune, title="Mới đăng ký")
    sneaked = client.post(chooser, {"practices": [registered.pk, world.practices[0].pk]})
    assert sneaked.status_code == 200 and not Entry.objects.filter(campaign=campaign).exists()
    chosen = {"practices": [world.practices[1].pk, world.practices[2].pk], "deeds": [world.deed.pk]}
    assert client.post(chooser, chosen)["Location"] == campaign.get_absolute_url()
    camera, flowers, deed = entries(campaign)  # in the order offered: by title
    assert (camera.practice_id, flowers.practice_id, deed.deed_id) == (
        world.practices[2].pk,
        world.practices[1].pk,
        world.deed.pk,
    )

    publish = reverse("practices_staff:campaign_publish", args=[campaign.pk])
    confirm = client.get(publish).content.decode()
    assert "Công bố đợt bình chọn" in confirm
    assert "Sau khi công bố không đổi được danh sách các mục." in confirm
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT  # looking changes nothing
    assert client.post(publish)["Location"] == campaign.get_absolute_url()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED
    detail = client.get(campaign.get_absolute_url()).content.decode()
    assert "Đã công bố đợt bình chọn." in detail and campaign.public_url() in detail
    assert client.post(chooser, chosen).status_code == 200  # the list is fixed now
    assert len(entries(campaign)) == 3

    edit = reverse("practices_staff:campaign_edit", args=[campaign.pk])
    edited = {**typed, "slug": campaign.slug, "title": "Gương sáng Phong Điền năm 2026"}
    assert client.post(edit, edited)["Location"] == campaign.get_absolute_url()  # no vote yet
    campaign.refresh_from_db()
    assert campaign.title == edited["title"] and campaign.status == CampaignStatus.PUBLISHED

    for n in range(2):
        votes.cast_vote(campaign, deed.pk, f"nguoi-{n}")
    votes.cast_vote(campaign, camera.pk, "nguoi-9")
    late_edit = client.post(edit, {**edited, "title": "Đổi tên khi đã có phiếu"})
    assert (
        late_edit.status_code == 200 and "Đợt bình chọn đã có phiếu" in late_edit.content.decode()
    )
    campaign.refresh_from_db()
    assert campaign.title == edited["title"]
    export = reverse("practices_staff:campaign_export", args=[campaign.pk])
    rows = _sheet(client.get(export))
    assert rows[0] == ("Hạng", "Mục bình chọn", "Loại", "Địa bàn", "Số phiếu")
    assert rows[1:4] == [
        (1, "Bà Năm Bánh Mì", "Việc tốt", "Xã Phong Điền", 2),  # the most votes first
        (2, "Camera an ninh", "Mô hình", "Xã Phong Điền", 1),
        (3, "Đường hoa kiểu mẫu", "Mô hình", "Xã Phong Điền", 0),
    ]

    close = reverse("practices_staff:campaign_close", args=[campaign.pk])
    early = client.post(close, follow=True).content.decode()
    assert "Chỉ khóa kết quả sau khi đợt bình chọn kết thúc" in early
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED

    votes.close_campaign(campaign, now=campaign.ends_at + votes.CLOSE_GRACE)
    Entry.objects.filter(pk=flowers.pk).update(votes=7)  # the live counter is not the result
    announce = reverse("practices_staff:campaign_announce", args=[campaign.pk])
    assert client.post(announce)["Location"] == campaign.get_absolute_url()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.ANNOUNCED
    frozen = _sheet(client.get(export))
    assert [(r[0], r[1], r[4]) for r in frozen[1:4]] == [
        (1, "Bà Năm Bánh Mì", 2),
        (2, "Camera an ninh", 1),
        (3, "Đường hoa kiểu mẫu", 0),
    ]


def test_staff_outside_the_organising_scope_get_404(client: Client, world: SimpleNamespace) -> None:
    campaign = campaign_of(world)
    elsewhere = make_province("94", "Tỉnh Sóc Trăng")
    client.force_login(make_staff("bdv.soctrang", Role.BOARD_ADMIN, area=elsewhere))
    for name in ("campaign_detail", "campaign_edit", "campaign_entries", "campaign_export"):
        url = reverse(f"practices_staff:{name}", args=[campaign.pk])
        assert client.get(url).status_code == 404, name
    announce = reverse("practices_staff:campaign_close", args=[campaign.pk])
    assert client.post(announce).status_code == 404
    assert Campaign.objects.get().status == CampaignStatus.PUBLISHED


def test_staff_see_the_name_of_a_nominee_who_did_not_consent(
    client: Client, world: SimpleNamespace
) -> None:
    """The public page says "Một người dân"; the staff page and Excel export,
    like every staff page, name the person."""
    deed = deeds.nominate(
        nominee_name="Ông Sáu Kín Tiếng", collective=False, area=world.commune,
        deed="Sửa cầu khỉ cho học sinh.", nominator_name="Người dân",
    )  # fmt: skip
    deed = deeds.move_deed(deeds.move_deed(deed, "verify", nominee_consents=False), "publish")
    campaign = votes.create_campaign(
        Campaign(
            title="Việc tốt 2026", slug="viec-tot-2026",
            organization=world.practices[0].organization,
            starts_at=timezone.now() - timedelta(hours=1),
            ends_at=timezone.now() + timedelta(days=1),
        )
    )  # fmt: skip
    votes.set_entries(campaign, world.practices[:1], [deed])
    votes.publish_campaign(campaign)
    assert "Ông Sáu Kín Tiếng" not in Client().get(campaign.public_url()).content.decode()
    client.force_login(world.officer)
    export = reverse("practices_staff:campaign_export", args=[campaign.pk])
    assert "Ông Sáu Kín Tiếng" in [row[1] for row in _sheet(client.get(export))]
