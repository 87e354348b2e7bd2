"""A person on a 390 px phone votes (no JavaScript needed): the vote asks who
they are once, then counts, and the page says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_vote_on_a_phone(live_server: Any, page_phone: Any) -> None:
    from django.utils import timezone

    from danvan.core.tests.factories import make_commune, make_province
    from danvan.practices import votes
    from danvan.practices.models import Campaign, Entry
    from danvan.practices.tests.factories import make_photo, make_practice, move

    commune = make_commune(make_province())
    practices = [
        move(make_practice(commune, title=title), "start", "propose", "recognise")
        for title in ("Đường hoa ấp Phụng Thạnh", "Hiến đất làm đường")
    ]
    make_photo(practices[0])
    now = timezone.now()
    campaign = votes.create_campaign(
        Campaign(title="Bình chọn mô hình tiêu biểu", slug="tieu-bieu",
                 organization=practices[0].organization,
                 starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3))
    )  # fmt: skip
    votes.set_entries(campaign, practices, [])
    votes.publish_campaign(campaign)
    first = Entry.objects.filter(campaign=campaign).order_by("position").first()
    assert first is not None

    page = page_phone
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Bình chọn mô hình tiêu biểu").first.click()
    card = page.locator(f"#muc-{first.pk}")
    card.get_by_role("button", name="Bình chọn").click()
    page.get_by_label("Số căn cước (CCCD, 12 số)").fill("079 085 012345")
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the form is {width}px wide"
    page.get_by_role("button", name="Xác nhận và bình chọn").click()
    expect(page.get_by_text("Đã ghi nhận bình chọn của bạn")).to_be_visible()
    card = page.locator(f"#muc-{first.pk}")
    expect(card.get_by_text("Bạn đã bình chọn mục này")).to_be_visible()
    expect(card.locator(".vote-count")).to_have_text("1 phiếu")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the campaign page is {width}px wide"
    screenshot(page, "vote-390")
    first.refresh_from_db()
    assert first.votes == 1
