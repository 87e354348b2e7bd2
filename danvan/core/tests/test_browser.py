"""Browser tests: Playwright driving Debian's Chromium against the live server.

Screenshots of the main pages go to test-artifacts/ (TEST_ARTIFACTS_DIR)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import DEMO_PASSWORD, assert_fits, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_live(live_server: Any) -> Any:
    from danvan.core.demo import load_demo

    load_demo()
    return live_server


def test_public_home_on_a_phone(demo_live: Any, page_phone: Any) -> None:
    page = page_phone
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((demo_live.url, "data:")) else outside.append(r.url),
    )
    page.goto(demo_live.url + "/")
    assert outside == [], "the public page loads nothing from outside the site"
    expect(page.locator("h1").first).to_be_visible()
    assert "Dân Vận Số" in page.title() or "Dân Vận Số" in page.content()
    expect(page.get_by_text("Cuộc thi trực tuyến").first).to_be_visible()
    # Nothing overflows a 390 px screen.
    assert_fits(page)
    screenshot(page, "public-home-390")


def test_public_home_without_javascript(demo_live: Any, browser: Any) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(demo_live.url + "/")
    expect(page.get_by_text("Cán bộ đăng nhập").first).to_be_visible()
    screenshot(page, "public-home-1280")
    context.close()


def test_commune_officer_signs_in_and_sees_only_their_commune(
    demo_live: Any, page_phone: Any
) -> None:
    page = page_phone
    page.goto(demo_live.url + "/quan-ly/")
    assert "/quan-ly/dang-nhap/" in page.url
    page.get_by_label("Tên đăng nhập").fill("canbo.phunghiep")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/quan-ly/")
    expect(page.get_by_role("heading", name="Tổng quan")).to_be_visible()
    screenshot(page, "staff-dashboard-390")

    page.goto(demo_live.url + "/quan-ly/dia-ban/")
    body = page.locator("main").inner_text()
    assert "Xã Phụng Hiệp" in body
    assert "Xã Hòa An" not in body
    assert "Xã Tân Phước Hưng" not in body
    screenshot(page, "staff-areas-390")

    # A sibling commune's page does not exist for this officer.
    from danvan.core.models import Area

    sibling = Area.objects.current().get(code="31393", kind="commune")
    response = page.goto(f"{demo_live.url}/quan-ly/dia-ban/{sibling.pk}/")
    assert response is not None and response.status == 404


def test_board_admin_imports_hamlets_and_watches_the_job(
    demo_live: Any, page_desktop: Any, tmp_path: Any
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Mã xã", "Tên ấp, khu vực", "Loại đơn vị", "Dân số"])
    ws.append(["31420", "Mỹ Quới", "Ấp", 1200])
    ws.append(["31420", "Khu vực 9", "Khu vực", None])
    path = tmp_path / "ap.xlsx"
    wb.save(path)

    page = page_desktop
    sign_in(page, demo_live.url, "canbo.phunghiep")
    page.goto(demo_live.url + "/quan-ly/dia-ban/nhap-ap/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Nhập").click()
    page.wait_for_url("**/quan-ly/cong-viec/*/")
    expect(page.locator("#job-status")).to_have_text("Hoàn thành")
    assert "Đã nhập 2 ấp, khu vực" in page.locator("main").inner_text()
    screenshot(page, "staff-job-1280")


def test_board_admin_pages_on_a_desktop(demo_live: Any, page_desktop: Any) -> None:
    from danvan.core.models import Area

    page = page_desktop
    base = demo_live.url
    sign_in(page, base, "bdv.cantho")
    page.goto(base + "/quan-ly/to-chuc/")
    expect(page.get_by_role("heading", name="Tổ chức", exact=True)).to_be_visible()
    screenshot(page, "staff-orgs-1280")

    commune = Area.objects.current().get(code="31420", kind="commune")
    page.goto(f"{base}/quan-ly/dia-ban/{commune.pk}/")
    expect(page.get_by_role("heading", name="Xã Phụng Hiệp", exact=True)).to_be_visible()
    screenshot(page, "staff-area-detail-1280")

    page.goto(base + "/quan-ly/phan-quyen/")
    expect(page.locator("h1")).to_contain_text("Phân quyền")
    screenshot(page, "staff-roles-1280")

    page.goto(base + "/quan-ly/nhat-ky/")
    expect(page.locator("h1")).to_contain_text("Nhật ký")
    screenshot(page, "staff-audit-1280")

    page.goto(base + "/quan-ly/ky-bao-cao/")
    expect(page.get_by_role("link", name="Mở kỳ báo cáo")).to_be_visible()
    screenshot(page, "staff-periods-1280")

    # A merge stops at its preview until it is confirmed.
    page.goto(f"{base}/quan-ly/dia-ban/{commune.pk}/sap-nhap/")
    page.get_by_label("Xã Hòa An").check()
    page.get_by_label("Tên đơn vị mới").fill("Phụng Hòa")
    page.get_by_label("Mã đơn vị mới").fill("39999")
    page.get_by_label("Ngày có hiệu lực").fill("2026-01-15")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.locator("h1")).to_contain_text("Xem lại trước khi ghi nhận sáp nhập")
    screenshot(page, "staff-merge-preview-1280")
    assert not Area.objects.filter(code="39999").exists()
    page.get_by_role("button", name="Xác nhận sáp nhập").click()
    expect(page.locator(".message-success")).to_contain_text("Đã ghi nhận")
    assert Area.objects.filter(code="39999", valid_to__isnull=True).exists()


def test_staff_pages_on_a_phone(demo_live: Any, page_phone: Any) -> None:
    from danvan.core.models import Area, Organization

    page = page_phone
    base = demo_live.url
    sign_in(page, base, "bdv.phunghiep")
    expect(page.get_by_text("Lịch sử: đơn vị đã ngừng hoạt động")).to_be_visible()
    assert_fits(page)
    screenshot(page, "staff-dashboard-district-390")

    district = Area.objects.get(code="934")
    page.goto(f"{base}/quan-ly/dia-ban/{district.pk}/")
    expect(page.locator(".message-warning").first).to_contain_text("ngừng hoạt động")
    assert_fits(page)
    screenshot(page, "staff-area-detail-history-390")

    org = Organization.objects.get(name="Hội LHPN xã Phụng Hiệp", valid_to__isnull=True)
    page.goto(f"{base}/quan-ly/to-chuc/{org.pk}/")
    expect(page.get_by_role("link", name="Sửa thông tin")).to_be_visible()
    assert_fits(page)
    screenshot(page, "staff-org-detail-390")

    page.goto(f"{base}/quan-ly/to-chuc/{org.pk}/ngung-hoat-dong/")
    page.get_by_label("Ngừng hoạt động từ ngày").fill("2026-01-15")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("button", name="Xác nhận ngừng hoạt động")).to_be_visible()
    assert_fits(page)
    screenshot(page, "staff-org-close-confirm-390")

    page.goto(f"{base}/quan-ly/to-chuc/?status=ended")
    assert_fits(page)
    screenshot(page, "staff-orgs-ended-390")
