"""Public voting (bình chọn): a campaign's lifecycle and every refused step;
one vote per person, entry and window whatever is replayed or which address
asks; the live and the frozen counts; the staff pages."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from danvan.core.models import Role
from danvan.core.tests.factories import make_commune, make_province, make_staff
from danvan.practices import deeds, votes
from danvan.practices.models import Campaign, CampaignStatus, Entry, Vote
from danvan.practices.tests.factories import make_practice, move

pytestmark = pytest.mark.django_db

CCCD = "079085012345"
PHONE = "0912345678"


def cccd(n: int) -> str:
    """A CCCD of the right form, a different person for each n."""
    return f"0790850{n:05d}"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    province = make_province("92", "Thành phố Cần Thơ")
    commune = make_commune(province, "Xã Phụng Hiệp", "31420")
    recognised = [
        move(make_practice(commune, title=title), "start", "propose", "recognise")
        for title in ("Đường hoa", "Hiến đất làm đường", "Camera an ninh")
    ]
    officer = make_staff("bdv.tinh", Role.BOARD_ADMIN, area=province)
    return {"commune": commune, "practices": recognised, "officer": officer}


def campaign_of(world: dict[str, Any], *, publish: bool = True, **fields: Any) -> Campaign:
    now = timezone.now()
    values = {
        "title": "10 mô hình tiêu biểu năm 2025",
        "slug": "mo-hinh-tieu-bieu-2025",
        "organization": world["practices"][0].organization,
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=7),
        **fields,
    }
    campaign = votes.create_campaign(Campaign(**values))
    votes.set_entries(campaign, world["practices"], [])
    return votes.publish_campaign(campaign) if publish else campaign


def entries(campaign: Campaign) -> list[Entry]:
    return list(Entry.objects.filter(campaign=campaign).order_by("position"))


def identify(client: Any, campaign: Campaign, entry: Entry | None = None, **data: Any) -> Any:
    url = reverse("votes:identify", args=[campaign.slug])
    body = {"cccd": CCCD, "phone": PHONE, "muc": entry.pk if entry else "", **data}
    return client.post(url, body, REMOTE_ADDR=data.pop("address", "203.0.113.1"))


# --- The lifecycle ----------------------------------------------------------------------


def test_the_lifecycle_freezes_recounted_ranked_results(world: dict[str, Any]) -> None:
    campaign = campaign_of(world)
    first, second, third = entries(campaign)
    for n in range(3):
        assert votes.cast_vote(campaign, first.pk, f"nguoi-{n}")
    for n in range(3):
        assert votes.cast_vote(campaign, second.pk, f"nguoi-{n}")
    assert votes.cast_vote(campaign, third.pk, "nguoi-9")

    with pytest.raises(ValidationError, match="Chỉ khóa kết quả sau khi"):
        votes.close_campaign(campaign)
    after = campaign.ends_at + votes.CLOSE_GRACE
    # A counter that drifted is not what is frozen: the votes are recounted.
    Entry.objects.filter(pk=third.pk).update(votes=50)
    closed = votes.close_campaign(campaign, now=after)
    assert closed.status == CampaignStatus.CLOSED
    frozen = {e.pk: (e.final_votes, e.rank) for e in entries(campaign)}
    assert frozen == {first.pk: (3, 1), second.pk: (3, 1), third.pk: (1, 3)}
    with pytest.raises(ValidationError):
        votes.cast_vote(closed, first.pk, "nguoi-moi")
    announced = votes.announce_campaign(closed)
    assert announced.status == CampaignStatus.ANNOUNCED


def test_refused_steps_change_nothing(world: dict[str, Any]) -> None:
    draft = campaign_of(world, publish=False)
    with pytest.raises(ValidationError, match="Cần khóa kết quả"):
        votes.announce_campaign(draft)
    with pytest.raises(ValidationError, match="không ở trạng thái đang công bố"):
        votes.close_campaign(draft, now=draft.ends_at + timedelta(days=1))
    registered = make_practice(world["commune"], title="Mới đăng ký")
    with pytest.raises(ValidationError, match="Mới đăng ký"):
        votes.set_entries(draft, [registered, *world["practices"]], [])
    pending = deeds.nominate(
        nominee_name="Anh Út", collective=False, area=world["commune"], deed="Trả lại ví.",
        nominator_name="Người dân",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        votes.set_entries(draft, [], [pending])
    assert len(entries(draft)) == 3  # the entries set before stay
    votes.set_entries(draft, world["practices"][:1], [])
    with pytest.raises(ValidationError, match="ít nhất 2 mục"):
        votes.publish_campaign(draft)
    votes.set_entries(draft, world["practices"], [])
    published = votes.publish_campaign(draft)
    with pytest.raises(ValidationError, match="đã được công bố"):
        votes.publish_campaign(published)
    with pytest.raises(ValidationError, match="còn là nháp"):
        votes.set_entries(published, world["practices"][:2], [])
    assert len(entries(published)) == 3


# --- Voting -----------------------------------------------------------------------------


def test_a_replayed_vote_or_another_address_counts_once(client: Any, world: dict[str, Any]) -> None:
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    vote_url = reverse("votes:vote", args=[campaign.slug, entry.pk])
    first = client.post(vote_url)  # not identified yet: asked who they are
    assert first["Location"] == f"{reverse('votes:identify', args=[campaign.slug])}?muc={entry.pk}"
    assert identify(client, campaign, entry).status_code == 302
    for _ in range(3):  # the same request replayed
        client.post(vote_url)
    other = client.__class__()  # another browser, from another address, same person
    identify(other, campaign, entry, address="198.51.100.7")
    other.post(vote_url, REMOTE_ADDR="198.51.100.8")
    entry.refresh_from_db()
    assert entry.votes == 1 == Vote.objects.filter(entry=entry).count()
    page = client.get(campaign.public_url()).content.decode()
    assert "Bạn đã bình chọn mục này" in page
    # Someone else counts.
    stranger = client.__class__()
    identify(stranger, campaign, entry, cccd=cccd(2))
    entry.refresh_from_db()
    assert entry.votes == 2


def test_a_daily_window_lets_a_person_vote_again_the_next_day(world: dict[str, Any]) -> None:
    campaign = campaign_of(world, window_hours=24)
    entry = entries(campaign)[0]
    start = campaign.starts_at
    assert votes.cast_vote(campaign, entry.pk, "nguoi-1", now=start + timedelta(hours=2))
    assert not votes.cast_vote(campaign, entry.pk, "nguoi-1", now=start + timedelta(hours=23))
    assert votes.cast_vote(campaign, entry.pk, "nguoi-1", now=start + timedelta(hours=25))
    entry.refresh_from_db()
    assert entry.votes == 2
    later = votes.next_window_at(campaign, now=start + timedelta(hours=25))
    assert later == start + timedelta(hours=48)


def test_votes_outside_the_period_or_for_another_campaign_are_refused(
    world: dict[str, Any],
) -> None:
    campaign = campaign_of(world)
    other = campaign_of(world, slug="dot-khac")
    foreign = entries(other)[0]
    with pytest.raises(ValidationError, match="không thuộc đợt này"):
        votes.cast_vote(campaign, foreign.pk, "nguoi-1")
    entry = entries(campaign)[0]
    for when in (campaign.starts_at - timedelta(seconds=1), campaign.ends_at):
        with pytest.raises(ValidationError, match="không mở"):
            votes.cast_vote(campaign, entry.pk, "nguoi-1", now=when)
    assert not Vote.objects.exists()
    assert sum(e.votes for e in Entry.objects.all()) == 0


def test_a_draft_has_no_public_page(client: Any, world: dict[str, Any]) -> None:
    draft = campaign_of(world, publish=False)
    assert client.get(reverse("votes:campaign", args=[draft.slug])).status_code == 404
    entry = entries(draft)[0]
    assert client.post(reverse("votes:vote", args=[draft.slug, entry.pk])).status_code == 404
    assert client.get(reverse("votes:campaigns")).context["page_obj"].paginator.count == 0


def test_a_wrong_cccd_is_told_and_the_typed_phone_kept(client: Any, world: dict[str, Any]) -> None:
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    page = identify(client, campaign, entry, cccd="12345", phone="0912 345 678")
    body = page.content.decode()
    assert page.status_code == 200 and "Số CCCD phải gồm đúng 12 chữ số." in body
    assert 'value="0912 345 678"' in body
    assert not Vote.objects.exists()
    bad_phone = identify(client, campaign, entry, phone="12")
    assert "Số điện thoại không đúng" in bad_phone.content.decode()


def test_the_cccd_itself_is_kept_nowhere(client: Any, world: dict[str, Any]) -> None:
    from django.contrib.sessions.models import Session

    campaign = campaign_of(world)
    identify(client, campaign, entries(campaign)[0])
    vote = Vote.objects.get()
    assert CCCD not in vote.voter and vote.voter == votes.voter_key(CCCD)
    sessions = "".join(s.session_data for s in Session.objects.all())
    stored = "".join(str(s.get_decoded()) for s in Session.objects.all())
    assert CCCD not in sessions and CCCD not in stored
    assert PHONE not in stored


def test_identifications_are_limited_per_address(
    client: Any, world: dict[str, Any], settings: Any
) -> None:
    settings.PRACTICES_VOTE_RATE_LIMITS = {"voter_ip": (2, 3600)}
    campaign = campaign_of(world)
    entry = entries(campaign)[0]
    for n in range(2):
        assert identify(client.__class__(), campaign, entry, cccd=cccd(n)).status_code == 302
    refused = identify(client, campaign, entry, cccd=cccd(3))
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Vote.objects.count() == 2


# --- What the pages show ----------------------------------------------------------------


def test_live_counts_then_the_announced_ranking(client: Any, world: dict[str, Any]) -> None:
    campaign = campaign_of(world)
    first, second, _third = entries(campaign)
    for n in range(2):
        votes.cast_vote(campaign, second.pk, f"nguoi-{n}")
    votes.cast_vote(campaign, first.pk, "nguoi-9")
    page = client.get(campaign.public_url())
    assert [e.votes for e in page.context["entries"]] == [1, 2, 0]
    assert "<strong>2</strong> phiếu" in page.content.decode()

    closed = votes.close_campaign(campaign, now=campaign.ends_at + votes.CLOSE_GRACE)
    waiting = client.get(campaign.public_url()).content.decode()
    assert "Hạng" not in waiting  # frozen but not announced yet
    votes.announce_campaign(closed)
    final = client.get(campaign.public_url())
    assert [(e.practice.title, e.rank) for e in final.context["entries"]] == [
        ("Hiến đất làm đường", 1),
        ("Đường hoa", 2),
        ("Camera an ninh", 3),
    ]
    assert "Hạng 1" in final.content.decode()


def test_counts_can_stay_hidden_while_voting(client: Any, world: dict[str, Any]) -> None:
    campaign = campaign_of(world, show_counts=False)
    votes.cast_vote(campaign, entries(campaign)[0].pk, "nguoi-1")
    assert " phiếu</p>" not in client.get(campaign.public_url()).content.decode()


# --- Staff ------------------------------------------------------------------------------


def test_an_officer_runs_a_campaign_from_the_pages(client: Any, world: dict[str, Any]) -> None:
    client.force_login(world["officer"])
    add = reverse("practices_staff:campaign_add")
    organization = world["practices"][0].organization
    typed = {
        "title": "Bình chọn gương tiêu biểu",
        "slug": "",
        "intro": "Mỗi người mỗi ngày một lần.",
        "organization": organization.pk,
        "starts_at": "2026-12-10T08:00",
        "ends_at": "2026-12-01T08:00",  # before the start
        "window_hours": "24",
        "show_counts": "on",
    }
    page = client.post(add, typed)
    body = page.content.decode()
    assert page.status_code == 200 and "phải sau thời điểm bắt đầu" in body
    assert "Mỗi người mỗi ngày một lần." in body and not Campaign.objects.exists()

    now = timezone.localtime()
    typed["starts_at"] = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    typed["ends_at"] = (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    created = client.post(add, typed)
    campaign = Campaign.objects.get()
    assert campaign.slug == "binh-chon-guong-tieu-bieu" and campaign.window_hours == 24
    entries_url = reverse("practices_staff:campaign_entries", args=[campaign.pk])
    assert created["Location"] == entries_url
    too_few = client.post(entries_url, {"practices": [world["practices"][0].pk]})
    assert "ít nhất 2 mục" in too_few.content.decode()
    chosen = [p.pk for p in world["practices"]]
    assert client.post(entries_url, {"practices": chosen}).status_code == 302

    publish = reverse("practices_staff:campaign_publish", args=[campaign.pk])
    assert "Công bố" in client.get(publish).content.decode()
    assert client.post(publish)["Location"] == campaign.get_absolute_url()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED
    voted = entries(campaign)[1]
    votes.cast_vote(campaign, voted.pk, "nguoi-1")

    export = client.get(reverse("practices_staff:campaign_export", args=[campaign.pk]))
    sheet = load_workbook(io.BytesIO(export.content))["Kết quả bình chọn"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Hạng", "Mục bình chọn", "Loại", "Địa bàn", "Số phiếu")
    assert rows[1][1:] == (voted.title, "Mô hình", "Xã Phụng Hiệp", 1)  # the most votes first
    assert [r[4] for r in rows[2:]] == [0, 0]

    close = reverse("practices_staff:campaign_close", args=[campaign.pk])
    early = client.post(close, follow=True).content.decode()
    assert "Chỉ khóa kết quả sau khi" in early
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PUBLISHED
