"""A person votes on a 390 px phone: the campaign page, "Bình chọn", the CCCD
and phone asked once, the vote counted and said so at the entry; the next vote
is one tap. Nothing is wider than the screen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import assert_fits, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_campaign() -> Any:
    from django.utils import timezone

    from danvan.core.tests.factories import make_commune, make_province
    from danvan.practices import deeds, votes
    from danvan.practices.models import Campaign
    from danvan.practices.tests.factories import make_photo, make_practice, move

    commune = make_commune(make_province("92", "Thành phố Cần Thơ"), "Xã Phong Điền", "31153")
    practices = [
        move(make_practice(commune, title=title), "start", "propose", "recognise")
        for title in (
            "Đường hoa ấp Nhơn Lộc 2",
            "Dân vận khéo trong vận động hiến đất mở rộng đường giao thông nông thôn "
            "kết hợp trồng cây xanh và thắp sáng đường quê",
        )
    ]
    make_photo(practices[0])
    deed = deeds.nominate(
        nominee_name="Bà Năm Bánh Mì", collective=False, area=commune,
        deed="Mười năm nay, mỗi sáng bà phát bánh mì miễn phí cho học sinh nghèo "
        "trước cổng Trường Tiểu học Phong Điền; ngày mưa bà mang áo mưa cho các em.",
        nominator_name="Người dân",
    )  # fmt: skip
    deed = deeds.move_deed(deed, "verify", nominee_consents=True)
    deed = deeds.move_deed(deed, "publish")
    now = timezone.now()
    campaign = votes.create_campaign(
        Campaign(
            title="Bình chọn mô hình, việc tốt tiêu biểu năm 2025",
            slug="tieu-bieu-2025",
            intro="Mỗi người bình chọn mỗi mục một lần trong cả đợt.",
            organization=practices[0].organization,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=5),
        )
    )
    votes.set_entries(campaign, practices, [deed])
    return votes.publish_campaign(campaign)


def test_a_vote_on_a_390px_phone(live_server: Any, page_phone: Any) -> None:
    from danvan.practices import votes
    from danvan.practices.models import Entry, Vote

    campaign = _open_campaign()
    first, long_one, deed = Entry.objects.filter(campaign=campaign).order_by("position")
    page = page_phone

    page.goto(live_server.url + campaign.public_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(campaign.title)
    assert_fits(page, what="the campaign page")
    card = page.locator(f"#muc-{first.pk}")
    expect(card.locator(".vote-count")).to_have_text("0 phiếu")
    card.get_by_role("button", name="Bình chọn").click()

    expect(page.get_by_role("heading", name="Xác nhận người bình chọn")).to_be_visible()
    expect(page.get_by_text(f"Bạn bình chọn cho: {first.title}")).to_be_visible()
    page.get_by_label("Số căn cước (CCCD, 12 số)").fill("079 085 012345")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    assert_fits(page, what="the identification form")
    screenshot(page, "votes-identify-390")
    page.get_by_role("button", name="Xác nhận và bình chọn").click()

    expect(page.get_by_text("Đã ghi nhận bình chọn của bạn. Cảm ơn bạn!")).to_be_visible()
    card = page.locator(f"#muc-{first.pk}")
    expect(card.get_by_text("Bạn đã bình chọn mục này")).to_be_visible()
    expect(card.locator(".vote-count")).to_have_text("1 phiếu")
    expect(card.get_by_role("button", name="Bình chọn")).to_have_count(0)
    assert_fits(page, what="the campaign page after the vote")

    # The next vote is one tap: the person is known for this session.
    page.locator(f"#muc-{deed.pk}").get_by_role("button", name="Bình chọn").click()
    expect(page.get_by_text("Đã ghi nhận bình chọn của bạn. Cảm ơn bạn!")).to_be_visible()
    expect(page.locator(f"#muc-{deed.pk}").locator(".vote-count")).to_have_text("1 phiếu")
    expect(page.locator(f"#muc-{long_one.pk}").locator(".vote-count")).to_have_text("0 phiếu")
    assert_fits(page, what="the campaign page after two votes")
    screenshot(page, "votes-campaign-390")

    key = votes.voter_key("079085012345")
    assert sorted(Vote.objects.values_list("entry_id", "voter")) == sorted(
        [(first.pk, key), (deed.pk, key)]
    )
    first.refresh_from_db()
    assert first.votes == 1
