"""An officer on a 390 px phone writes the narrative of a review report and
exports it: the form and the report page fit the screen, the save makes a
version, the export ends with the links to the Word document and the annex."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import assert_fits, screenshot, share_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_writing_and_exporting_a_report_on_a_phone(live_server: Any, page_phone: Any) -> None:
    from danvan.core.models import Role
    from danvan.core.testing import commune_body
    from danvan.core.tests.factories import make_staff
    from danvan.reports import services
    from danvan.reports.models import Export
    from danvan.reports.tests.conftest import first_half_2026

    units = commune_body()
    officer = make_staff("canbo.phunghiep", Role.BOARD_ADMIN, area=units.commune)
    report = services.create_report(officer, organization=units.body, period=first_half_2026())

    page = page_phone
    share_session(page, live_server.url, officer)
    page.goto(live_server.url + report.get_absolute_url())
    expect(page.get_by_role("heading", name="Báo cáo sơ kết 6 tháng đầu năm 2026")).to_be_visible()
    assert_fits(page, what="the report page")
    page.get_by_role("link", name="Viết nội dung").click()
    page.get_by_label("Kết quả đạt được (nhận xét chung)").fill(
        "Các cấp ủy quan tâm lãnh đạo; Mặt trận và các đoàn thể đổi mới cách tuyên truyền."
    )
    page.get_by_label("Hạn chế").fill("Một số ấp cập nhật số liệu chậm.")
    assert_fits(page, what="the form")
    screenshot(page, "report-narrative-390")
    page.get_by_role("button", name="Lưu phiên bản mới").click()
    expect(page.get_by_text("Đã lưu nội dung (phiên bản 2).")).to_be_visible()
    expect(page.get_by_text("Một số ấp cập nhật số liệu chậm.")).to_be_visible()
    page.get_by_role("button", name="Xuất báo cáo (Word và phụ lục Excel)").click()
    # The job runs (immediate in tests; the page refreshes itself while it runs).
    expect(page.get_by_role("link", name="Báo cáo (Word)")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="Phụ lục (Excel)")).to_be_visible()
    assert_fits(page, what="the report page")
    screenshot(page, "report-exported-390")
    export = Export.objects.get()
    assert export.draft is not None and export.draft.version == 2
    with page.expect_download() as download:
        page.get_by_role("link", name="Báo cáo (Word)").click()
    assert download.value.suggested_filename.endswith(".docx")
