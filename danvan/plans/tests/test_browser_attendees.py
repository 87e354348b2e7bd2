"""An officer on a 390 px phone records a briefing whose attendees are listed
by name (no JavaScript needed), then adds one more on the briefing's page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import assert_fits, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attendees_by_name_on_a_phone(live_server: Any, page_phone: Any) -> None:
    from danvan.core.models import OrgKind, Role
    from danvan.core.tests.factories import (
        make_commune,
        make_hamlet,
        make_org,
        make_province,
        make_staff,
    )
    from danvan.plans.models import Attendance, Attendee

    commune = make_commune(make_province("92", "Thành phố Cần Thơ"), "Xã An Bình", "30001")
    union = make_org(commune, "Hội LHPN xã An Bình", OrgKind.WOMEN)
    branch = make_org(
        make_hamlet(commune, "Ấp Một"), "Chi hội Phụ nữ ấp Một", OrgKind.BRANCH, union
    )
    make_staff("hpn.xa", Role.ORG_OFFICER, organization=union)
    day = timezone.localdate() - timedelta(days=3)

    page = page_phone
    sign_in(page, live_server.url, "hpn.xa", "mat-khau-thu-nghiem-1")
    page.goto(live_server.url + "/quan-ly/ke-hoach/tuyen-truyen/them/")
    page.get_by_label("Đơn vị tổ chức").select_option(str(union.pk))
    page.get_by_label("Nội dung (chủ trương, nghị quyết, chính sách)").fill(
        "Phòng, chống lừa đảo qua mạng"
    )
    page.get_by_label("Ngày tổ chức").fill(day.isoformat())
    page.get_by_label("Hình thức").select_option("combined")
    page.get_by_label("Đối tượng").select_option("members")
    page.get_by_text("Danh sách người dự theo tên (không bắt buộc)").click()
    page.locator('[name="ten-0-full_name"]').fill("Nguyễn Thị Lan")
    page.locator('[name="ten-0-organization"]').select_option(str(branch.pk))
    page.locator('[name="ten-0-gender"]').select_option("female")
    page.locator('[name="ten-0-phone"]').fill("0912 345 678")
    page.locator('[name="ten-1-full_name"]').fill("Danh Thị Sa Rươne")
    page.locator('[name="ten-1-ethnicity"]').fill("Khmer")
    assert_fits(page, what="the form")
    screenshot(page, "plans-attendees-form-390")
    page.get_by_role("button", name="Lưu").click()
    # The second person has no body: the form comes back with what was typed, open.
    expect(page.get_by_text("Hãy chọn chi hội, đoàn thể.").first).to_be_visible()
    assert page.locator('[name="ten-1-full_name"]').input_value() == "Danh Thị Sa Rươne"
    page.locator('[name="ten-1-organization"]').select_option(str(branch.pk))
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("heading", name="Người dự: 2")).to_be_visible()
    expect(page.get_by_text("Theo danh sách tên")).to_be_visible()
    expect(page.get_by_role("cell", name="Danh Thị Sa Rươne", exact=True)).to_be_visible()
    assert_fits(page)
    page.get_by_role("link", name="Thêm người dự").click()
    page.locator('[name="ten-0-full_name"]').fill("Trần Thị Mai")
    page.locator('[name="ten-0-organization"]').select_option(str(branch.pk))
    page.get_by_role("button", name="Lưu danh sách").click()
    expect(page.get_by_role("heading", name="Người dự: 3")).to_be_visible()
    screenshot(page, "plans-attendees-detail-390")
    assert Attendee.objects.count() == 3
    assert Attendance.objects.get().attendees == 3
