"""On a 390 px phone: a citizen sends a petition without giving a name, keeps
the code, and later follows the answer with it (no JavaScript needed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import assert_fits, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_petition_sent_and_followed_on_a_phone(
    live_server: Any, page_phone: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from danvan.core import antispam, services
    from danvan.core.models import OrgKind
    from danvan.core.tests.factories import make_commune, make_hamlet, make_province
    from danvan.outreach import petitions
    from danvan.outreach.models import Petition

    monkeypatch.setattr(antispam, "MIN_SECONDS", 0)  # a test types faster than a person
    commune = make_commune(make_province())
    hamlet = make_hamlet(commune, "Ấp Phụng Thạnh")
    committee = services.create_organization(
        name="UBND xã Phụng Hiệp", kind=OrgKind.GOVERNMENT, area=commune
    )
    page = page_phone
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Gửi kiến nghị, phản ánh").first.click()
    page.get_by_label("Nội dung kiến nghị, phản ánh").fill(
        "Cầu khỉ ấp bị gãy, học sinh đi lại nguy hiểm."
    )
    page.get_by_label("Lĩnh vực").select_option("infrastructure")
    page.get_by_label("Nơi xảy ra (xã, ấp)").select_option(str(hamlet.pk))
    assert_fits(page, what="the form")
    screenshot(page, "petition-new-390")
    page.get_by_role("button", name="Gửi kiến nghị").click()
    # Consent is needed: the form comes back with what was typed.
    expect(page.get_by_text("Cần bạn đồng ý thì mới gửi được.").first).to_be_visible()
    assert "Cầu khỉ" in page.get_by_label("Nội dung kiến nghị, phản ánh").input_value()
    page.get_by_label("Tôi đồng ý").check()
    page.get_by_role("button", name="Gửi kiến nghị").click()
    code = page.locator("#ma-tra-cuu").inner_text().strip()
    petition = Petition.objects.get()
    assert code == petitions.display_code(petition.code) and petition.raiser_name == ""
    # The unit answers; the citizen looks it up with the code.
    deadline = timezone.localdate() + timedelta(days=10)
    petitions.move_petition(petition, "assign", agency=committee, deadline=deadline)
    petitions.move_petition(petition, "answer", answer="Đã dựng cầu tạm, làm cầu mới trong tháng.")
    page.get_by_role("link", name="Tra cứu kiến nghị").first.click()
    page.get_by_label("Mã tra cứu").fill(code)
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_text("Đã dựng cầu tạm, làm cầu mới trong tháng.")).to_be_visible()
    expect(page.get_by_text("Đã trả lời").first).to_be_visible()
    assert_fits(page)
    screenshot(page, "petition-track-390")
