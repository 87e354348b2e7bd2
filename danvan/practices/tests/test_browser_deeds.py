"""A person on a 390 px phone nominates a good deed with two photos (no
JavaScript needed)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import assert_fits, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nomination_on_a_phone(
    live_server: Any, page_phone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from danvan.core import antispam
    from danvan.core.tests.factories import make_commune, make_hamlet, make_province, picture_bytes
    from danvan.practices.models import GoodDeed

    photos = [
        {"name": f"anh-{n}.jpg", "mimeType": "image/jpeg", "buffer": picture_bytes(gps=True)}
        for n in (1, 2)
    ]

    monkeypatch.setattr(antispam, "MIN_SECONDS", 0)  # a test types faster than a person
    hamlet = make_hamlet(make_commune(make_province()), "Ấp Phụng Thạnh")
    page = page_phone
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Giới thiệu việc tốt").click()
    page.get_by_label("Người hoặc tập thể được giới thiệu").fill("Bà Trần Thị Mười")
    page.get_by_label("Nơi ở (xã, ấp)").select_option(str(hamlet.pk))
    page.get_by_label("Việc tốt").fill("Nấu cơm miễn phí cho bệnh nhân nghèo suốt 5 năm.")
    page.get_by_label("Họ tên của bạn").fill("Lê Văn Tư")
    page.get_by_label("Số điện thoại của bạn").fill("0912 345 678")
    page.get_by_label("Ảnh (không bắt buộc)").set_input_files(photos)
    assert_fits(page, what="the form")
    screenshot(page, "deed-nominate-390")
    page.get_by_role("button", name="Gửi giới thiệu").click()
    # Consent is needed: the form comes back with what was typed.
    expect(page.get_by_text("Cần bạn đồng ý thì mới gửi được.").first).to_be_visible()
    assert page.get_by_label("Họ tên của bạn").input_value() == "Lê Văn Tư"
    # A browser never keeps chosen files: the page says so, and they are chosen again.
    expect(page.get_by_text("hãy chọn lại ảnh")).to_be_visible()
    page.get_by_label("Ảnh (không bắt buộc)").set_input_files(photos)
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Gửi giới thiệu").click()
    expect(page.locator("#da-nhan")).to_be_visible()
    deed = GoodDeed.objects.get()
    assert deed.nominee_name == "Bà Trần Thị Mười"
    assert deed.photos.count() == 2
