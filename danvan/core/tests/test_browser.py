"""Browser tests: Playwright driving Debian's Chromium against the live server.

Screenshots of the main pages go to test-artifacts/ (TEST_ARTIFACTS_DIR)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import DEMO_PASSWORD, screenshot

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
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
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
    page.goto(demo_live.url + "/quan-ly/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("canbo.phunghiep")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/quan-ly/")
    page.goto(demo_live.url + "/quan-ly/dia-ban/nhap-ap/")
    page.set_input_files("input[type=file]", str(path))
    page.get_by_role("button", name="Nhập").click()
    page.wait_for_url("**/quan-ly/cong-viec/*/")
    expect(page.locator("#job-status")).to_have_text("Hoàn thành")
    assert "Đã nhập 2 ấp, khu vực" in page.locator("main").inner_text()
    screenshot(page, "staff-job-1280")
