"""A person on a 390 px phone answers a survey: Playwright driving Chromium
against the live server. Screenshots go to test-artifacts/ (TEST_ARTIFACTS_DIR)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import assert_fits, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def survey(live_server: Any) -> Any:
    from danvan.surveys.models import Kind
    from danvan.surveys.tests.factories import make_survey, question_of

    s = make_survey(required=False)
    single = question_of(s, Kind.SINGLE)
    dropdown = question_of(s, Kind.DROPDOWN)
    # The age question only for those who heard of the merger on the loudspeaker.
    dropdown.show_if = {"question": single.pk, "op": "equals", "value": 0}
    dropdown.required = True
    dropdown.save()
    return s


def test_a_person_answers_a_survey_on_a_phone(
    survey: Any, live_server: Any, page_phone: Any
) -> None:
    from danvan.surveys import mixing
    from danvan.surveys.models import Answer, Kind, Response, SpentToken
    from danvan.surveys.tests.factories import question_of

    page = page_phone
    q = {kind: question_of(survey, kind) for kind in Kind.values}

    page.goto(live_server.url + survey.get_absolute_url())
    expect(page.get_by_role("heading", name=survey.title)).to_be_visible()
    expect(page.get_by_text("Mỗi trình duyệt chỉ gửi được một phiếu.")).to_be_visible()
    assert_fits(page)
    screenshot(page, "survey-intro-390")
    page.get_by_role("button", name="Bắt đầu trả lời").click()

    # Section 1: the follow-up question appears when its answer is chosen.
    page.wait_for_url("**/phan-1/")
    expect(page.locator("#tien-do")).to_have_text("Phần 1/3")
    dropdown = page.locator(f"#cau-{q[Kind.DROPDOWN].pk}")
    expect(dropdown).to_be_hidden()
    page.get_by_label("Loa phát thanh của ấp").check()
    expect(dropdown).to_be_visible()
    page.get_by_label("Ông/bà thuộc nhóm tuổi nào?").select_option("1")
    page.get_by_label("Nước sạch").check()
    page.get_by_label("Việc làm").check()
    page.locator(f'input[name="q{q[Kind.RATING].pk}"][value="4"]').check()
    assert_fits(page)
    screenshot(page, "survey-section1-390")
    page.get_by_role("button", name="Tiếp tục").click()

    # Section 2: start answering, then go back.
    page.wait_for_url("**/phan-2/")
    expect(page.locator("#tien-do")).to_have_text("Phần 2/3")
    page.locator(f'input[name="q{q[Kind.AGREEMENT].pk}"][value="3"]').check()
    page.get_by_label("Gia đình ông/bà có bao nhiêu người?").fill("5")
    assert_fits(page)
    screenshot(page, "survey-section2-390")
    page.get_by_role("button", name="Quay lại").click()

    # Back on section 1: the answers are kept, and kept after a reload.
    page.wait_for_url("**/phan-1/")
    for _ in range(2):
        assert page.get_by_label("Loa phát thanh của ấp").is_checked()
        assert page.get_by_label("Nước sạch").is_checked()
        assert page.get_by_label("Việc làm").is_checked()
        assert page.get_by_label("Ông/bà thuộc nhóm tuổi nào?").input_value() == "1"
        assert page.locator(f'input[name="q{q[Kind.RATING].pk}"][value="4"]').is_checked()
        page.reload()
    screenshot(page, "survey-section1-back-390")
    page.get_by_role("button", name="Tiếp tục").click()

    # Section 2 again: what was typed before going back is still there.
    page.wait_for_url("**/phan-2/")
    assert page.get_by_label("Gia đình ông/bà có bao nhiêu người?").input_value() == "5"
    grid = page.locator(f"#cau-{q[Kind.GRID].pk}")
    grid.locator(f'input[name="q{q[Kind.GRID].pk}_r0"][value="4"]').check()
    grid.locator(f'input[name="q{q[Kind.GRID].pk}_r1"][value="3"]').check()
    page.get_by_label("Một điều ông/bà muốn xã làm ngay?").fill("Sửa cầu Ba Láng")
    # A wrong number: told beside the field.
    page.get_by_label("Gia đình ông/bà có bao nhiêu người?").fill("năm")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Vui lòng nhập một số, ví dụ 12.")).to_be_visible()
    assert_fits(page)
    screenshot(page, "survey-section2-error-390")
    page.get_by_label("Gia đình ông/bà có bao nhiêu người?").fill("5")
    page.get_by_role("button", name="Tiếp tục").click()

    # Section 3 and send.
    page.wait_for_url("**/phan-3/")
    page.get_by_label("Ý kiến, kiến nghị khác của ông/bà:").fill(
        "Đề nghị xã công khai tiến độ giải quyết hồ sơ đất đai trên loa phát thanh."
    )
    page.locator(f"#q{q[Kind.DATE].pk}").fill("2025-03-15")
    # The survey targets Xã Phụng Hiệp: only its hamlets are offered.
    unit = page.get_by_label("Ông/bà đang sinh sống ở ấp nào?")
    assert unit.locator("option").all_inner_texts() == [
        "— Chọn ấp, khu vực của Xã Phụng Hiệp —",
        "Ấp Phụng Sơn",
        "Ấp Phụng Thạnh",
    ]
    unit.select_option(label="Ấp Phụng Thạnh")
    assert_fits(page)
    screenshot(page, "survey-section3-390")
    page.get_by_role("button", name="Gửi phiếu").click()

    page.wait_for_url("**/cam-on/")
    expect(page.get_by_role("heading", name="Cảm ơn ông/bà đã tham gia khảo sát")).to_be_visible()
    assert_fits(page)
    screenshot(page, "survey-thanks-390")

    assert mixing.mix(survey, release_all=True) == 1  # in real use, with a batch of others
    response = Response.objects.get(survey=survey)
    assert Answer.objects.filter(response=response).count() == 13
    assert SpentToken.objects.filter(survey=survey).count() == 1

    # Back to the survey: this browser has answered.
    page.goto(live_server.url + survey.get_absolute_url())
    expect(page.get_by_text("Bạn đã gửi phiếu cho cuộc khảo sát này.")).to_be_visible()
    assert page.get_by_role("button", name="Bắt đầu trả lời").count() == 0
    screenshot(page, "survey-already-390")
