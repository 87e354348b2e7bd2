"""In the browser (Playwright, Debian's Chromium): the commune → hamlet unit
question and the progress of a one-page survey on a 390 px phone, answers kept
across a reload; the drag and drop of the staff questionnaire page.
Screenshots go to test-artifacts/ (TEST_ARTIFACTS_DIR)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import assert_fits, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem-1"


def drag(page: Any, source: Any, target: Any, *, above: bool = True) -> None:
    """Press on `source` (a drag handle), move in steps to just above (or below)
    the middle of `target`, release."""
    a, b = source.bounding_box(), target.bounding_box()
    # Both on screen: scroll so that the higher one is near the top.
    page.evaluate("y => window.scrollBy(0, y)", min(a["y"], b["y"]) - 120)
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    y = b["y"] + (b["height"] * 0.25 if above else b["height"] * 0.75)
    page.mouse.move(b["x"] + b["width"] / 2, y, steps=12)
    page.mouse.up()


@pytest.fixture
def city_survey(live_server: Any) -> Any:
    from danvan.surveys.models import Kind, Survey
    from danvan.surveys.tests.factories import make_survey, make_units

    units = make_units()
    survey = make_survey(
        kinds=[Kind.UNIT, Kind.SINGLE, Kind.SHORT_TEXT],
        units=units,
        sections=1,
        one_section_per_page=False,
        required=True,
    )
    Survey.objects.filter(pk=survey.pk).update(target_area=units.province)
    return survey, units


def test_commune_then_hamlet_and_progress_on_a_phone(
    city_survey: Any, live_server: Any, page_phone: Any
) -> None:
    from danvan.surveys import mixing
    from danvan.surveys.models import Answer, Kind

    survey, units = city_survey
    page = page_phone
    page.goto(live_server.url + survey.get_absolute_url())
    page.get_by_role("button", name="Bắt đầu trả lời").click()
    page.wait_for_url("**/phan-1/")
    expect(page.locator("#tien-do")).to_have_text("Đã trả lời 0/3 câu")

    commune = page.get_by_label("Xã, phường, thị trấn")
    hamlet = page.get_by_label("Ấp, khu vực")
    assert commune.locator("option").all_inner_texts() == [
        "— Chọn xã, phường —",
        "Xã Hòa An",
        "Xã Phụng Hiệp",
    ]
    commune.select_option(label="Xã Phụng Hiệp")
    assert hamlet.locator("option").all_inner_texts() == [
        "— Chọn ấp, khu vực —",
        "Ấp Phụng Sơn",
        "Ấp Phụng Thạnh",
    ]
    # A commune without hamlets in the list: said, and nothing to pick.
    commune.select_option(label="Xã Hòa An")
    expect(hamlet).to_be_disabled()
    assert hamlet.locator("option").all_inner_texts() == [
        "(Xã, phường này chưa có danh sách ấp, khu vực)"
    ]
    commune.select_option(label="Xã Phụng Hiệp")
    hamlet.select_option(label="Ấp Phụng Thạnh")
    expect(page.locator("#tien-do")).to_have_text("Đã trả lời 1/3 câu")
    assert_fits(page)
    screenshot(page, "survey-unit-commune-hamlet-390")

    page.get_by_label("Họp tổ nhân dân").check()
    page.get_by_label("Một điều ông/bà muốn xã làm ngay?").fill("Sửa đường ra bến đò")
    expect(page.locator("#tien-do")).to_have_text("Đã trả lời 3/3 câu")

    # A reload before sending: what was typed is put back.
    page.reload()
    expect(page.get_by_text("Đã khôi phục các câu trả lời")).to_be_visible()
    assert commune.input_value() == str(units.commune.pk)
    assert hamlet.input_value() == str(units.hamlet.pk)
    assert page.get_by_label("Họp tổ nhân dân").is_checked()
    assert page.get_by_label("Một điều ông/bà muốn xã làm ngay?").input_value() == (
        "Sửa đường ra bến đò"
    )
    expect(page.locator("#tien-do")).to_have_text("Đã trả lời 3/3 câu")
    screenshot(page, "survey-one-page-restored-390")

    page.get_by_role("button", name="Gửi phiếu").click()
    page.wait_for_url("**/cam-on/")
    kept = page.evaluate(
        "Object.keys(sessionStorage).filter(k => k.startsWith('danvan:khao-sat:'))"
    )
    assert kept == []
    assert mixing.mix(survey, release_all=True) == 1  # in real use, with a batch of others
    answer = Answer.objects.get(question__survey=survey, question__kind=Kind.UNIT)
    assert answer.area_id == units.hamlet.pk


def test_questionnaire_drag_and_drop(live_server: Any, page_desktop: Any, browser: Any) -> None:
    from danvan.core import services as core
    from danvan.core.models import Role
    from danvan.surveys.models import Kind, SurveyStatus
    from danvan.surveys.tests.factories import make_survey, question_of

    survey = make_survey(
        kinds=[Kind.SINGLE, Kind.SHORT_TEXT, Kind.NUMBER, Kind.DATE],
        sections=2,
        status=SurveyStatus.DRAFT,
    )
    single, date_q = question_of(survey, Kind.SINGLE), question_of(survey, Kind.DATE)
    date_q.show_if = {"question": single.pk, "op": "equals", "value": 0}
    date_q.save()
    user = core.create_staff_user(username="keo.tha", full_name="Cán bộ kéo thả", password=PASSWORD)
    core.grant_role(None, user, Role.BOARD_ADMIN, area=survey.organization.area)

    def kinds() -> list[list[str]]:
        return [
            list(s.questions.order_by("position").values_list("kind", flat=True))
            for s in survey.sections.order_by("position")
        ]

    def open_questionnaire(page: Any) -> None:
        sign_in(page, live_server.url, "keo.tha", PASSWORD)
        page.goto(live_server.url + f"/quan-ly/khao-sat/{survey.pk}/")

    page = page_desktop
    open_questionnaire(page)
    status = page.locator("#sap-xep-trang-thai")
    handle = lambda pk: page.locator(f"#cau-{pk} > .sv-drag")  # noqa: E731
    number = question_of(survey, Kind.NUMBER)
    expect(handle(number.pk)).to_be_visible()
    expect(page.get_by_text("có thể kéo biểu tượng")).to_be_visible()

    # The number question (first of section 2) dragged above the first question.
    drag(page, handle(number.pk), page.locator(f"#cau-{single.pk}"))
    expect(status).to_have_text("Đã lưu thứ tự mới.")
    assert kinds() == [[Kind.NUMBER, Kind.SINGLE, Kind.SHORT_TEXT], [Kind.DATE]]
    expect(page.locator(f"#cau-{number.pk} .sv-n")).to_have_text("Câu 1.")  # redrawn
    screenshot(page, "survey-builder-dnd-1280")

    # The date question (shown if Câu 2 ...) above the question it depends on: refused.
    drag(page, handle(date_q.pk), page.locator(f"#cau-{number.pk}"))
    expect(status).to_contain_text("Không đổi được thứ tự")
    assert kinds() == [[Kind.NUMBER, Kind.SINGLE, Kind.SHORT_TEXT], [Kind.DATE]]
    expect(page.locator(f"#cau-{date_q.pk} .sv-n")).to_have_text("Câu 4.")  # back in place
    screenshot(page, "survey-builder-dnd-refused-1280")

    # Into another section: the short text after the date question.
    text = question_of(survey, Kind.SHORT_TEXT)
    drag(page, handle(text.pk), page.locator(f"#cau-{date_q.pk}"), above=False)
    expect(status).to_have_text("Đã lưu thứ tự mới.")
    assert kinds() == [[Kind.NUMBER, Kind.SINGLE], [Kind.DATE, Kind.SHORT_TEXT]]

    # A whole section: section 2 (with the date question) before section 1
    # would put the date before the question it depends on: refused too.
    first, second = survey.sections.order_by("position")
    section_handle = page.locator(f"#phan-{second.pk} .sv-section-head > .sv-drag")
    drag(page, section_handle, page.locator(f"#phan-{first.pk}"))
    expect(status).to_contain_text("Không đổi được thứ tự")
    assert [s.pk for s in survey.sections.order_by("position")] == [first.pk, second.pk]

    # Mid-drag, as the officer sees it.
    handle(text.pk).scroll_into_view_if_needed()
    box = handle(text.pk).bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 40, box["y"] - 60, steps=6)
    screenshot(page, "survey-builder-dragging-1280")
    page.keyboard.press("Escape")
    page.mouse.up()
    assert kinds() == [[Kind.NUMBER, Kind.SINGLE], [Kind.DATE, Kind.SHORT_TEXT]]

    # On a phone: the handles fit, nothing overflows, the buttons stay, and a
    # finger drags a question (touch events, as a phone sends them).
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", has_touch=True, is_mobile=True
    )
    phone = context.new_page()
    open_questionnaire(phone)
    expect(phone.get_by_role("button", name="Lên (câu 2)")).to_be_visible()
    source = phone.locator(f"#cau-{single.pk} > .sv-drag")
    expect(source).to_be_visible()
    assert_fits(phone)
    screenshot(phone, "survey-builder-390")
    source.scroll_into_view_if_needed()
    a, b = source.bounding_box(), phone.locator(f"#cau-{number.pk}").bounding_box()
    cdp = context.new_cdp_session(phone)
    x, y = a["x"] + a["width"] / 2, a["y"] + a["height"] / 2
    to = b["y"] + 10
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for i in range(1, 11):
        point = {"x": x, "y": y + (to - y) * i / 10}
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    expect(phone.locator("#sap-xep-trang-thai")).to_have_text("Đã lưu thứ tự mới.")
    assert kinds() == [[Kind.SINGLE, Kind.NUMBER], [Kind.DATE, Kind.SHORT_TEXT]]
    context.close()
