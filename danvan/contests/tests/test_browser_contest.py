"""A person on a 390 px phone takes a contest: Playwright driving Chromium against
the live server. Screenshots go to test-artifacts/ (TEST_ARTIFACTS_DIR)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import ARTIFACTS, assert_fits, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server: Any) -> Any:
    from danvan.contests.tests.factories import make_world

    w = make_world(show_answers="after_submit")
    w.contest.intro = (
        "<p>Cuộc thi tìm hiểu <strong>Đề án số 08-ĐA/TU</strong> về nâng cao hiệu quả "
        "công tác dân vận trong tình hình mới, dành cho cán bộ, đảng viên và Nhân dân.</p>"
    )
    w.contest.rules = "<p>Mỗi người được thi tối đa hai lượt mỗi tuần.</p>"
    w.contest.save()
    return w


def test_a_person_takes_the_contest_on_a_phone(
    world: Any, live_server: Any, page_phone: Any
) -> None:
    from danvan.contests.models import Attempt, AttemptStatus
    from danvan.contests.tests.factories import right_answers

    page = page_phone
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=world.contest.title).first.click()
    page.wait_for_url(f"**{world.contest.get_absolute_url()}")
    expect(page.get_by_role("heading", name=world.contest.title)).to_be_visible()
    assert_fits(page)
    screenshot(page, "contest-detail-390")

    page.get_by_role("link", name="Đăng ký dự thi").first.click()
    page.get_by_label("Họ và tên").fill("Trần Thị Bích Ngọc")
    page.get_by_label("Ngày sinh").fill("1990-05-17")
    page.get_by_label("Nữ").check()
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Nơi ở").select_option(str(world.hamlet.pk))
    page.get_by_label("Đối tượng").select_option("people")
    page.get_by_label("Tôi đã đọc và đồng ý").check()
    assert_fits(page)
    screenshot(page, "contest-register-390")
    page.get_by_role("button", name="Đăng ký").click()

    page.wait_for_url("**/dang-ky/xong/")
    code = page.locator("#ma-du-thi").inner_text()
    assert len(code) == 9 and code[4] == "-"
    assert_fits(page)
    screenshot(page, "contest-registered-390")
    page.get_by_role("link", name="Vào thi").click()

    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/cuoc-thi/bai/*/")
    attempt = Attempt.objects.get()
    right = right_answers(attempt)
    questions = list(right.items())

    def answer(qid: str, cids: list[int]) -> None:
        for cid in cids:
            page.locator(f'input[name="q_{qid}"][value="{cid}"]').check()

    # Answer half, see it saved, reload: the answers are still there.
    for qid, cids in questions[:2]:
        answer(qid, cids)
    # (No wait_for_function: the Content Security Policy forbids evaluating strings.)
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Đã lưu lúc"))
    timer = page.locator("#countdown").inner_text()
    assert timer[:2] in ("09", "10") and timer[2] == ":"
    assert_fits(page)
    screenshot(page, "contest-attempt-390")
    attempt.refresh_from_db()
    assert set(attempt.answers) == {qid for qid, _ in questions[:2]}

    page.reload()
    for qid, cids in questions[:2]:
        for cid in cids:
            assert page.locator(f'input[name="q_{qid}"][value="{cid}"]').is_checked()
    expect(page.locator("#answered-count")).to_have_text("2")

    for qid, cids in questions[2:]:
        answer(qid, cids)
    page.get_by_label("Câu hỏi dự đoán").fill("1250")
    # Scrolled down to the buttons, the clock is still in sight.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = page.locator("#countdown").bounding_box()
    assert box is not None and 0 <= box["y"] < 80
    page.screenshot(path=str(ARTIFACTS / "contest-attempt-bottom-390.png"))  # the viewport
    page.get_by_role("button", name="Nộp bài").click()

    page.wait_for_url("**/ket-qua/")
    expect(page.locator("#diem")).to_have_text("4/4")
    expect(page.get_by_text("Thời gian làm bài")).to_be_visible()
    expect(page.get_by_text("Giải thích câu").first).to_be_visible()
    assert_fits(page)
    screenshot(page, "contest-result-390")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.prediction == 1250
    # The local copy of the answers is gone once the attempt is over.
    assert page.evaluate("window.localStorage.length") == 0

    page.get_by_role("link", name="Bảng xếp hạng").click()
    expect(page.get_by_text("Trần T. B. Ngọc")).to_be_visible()
    assert_fits(page)
    screenshot(page, "contest-leaderboard-390")

    # Their personal data, then signing out and back in with the access code.
    page.goto(live_server.url + world.contest.get_absolute_url())
    page.get_by_role("link", name="Dữ liệu cá nhân của bạn").click()
    expect(page.get_by_text("Trần Thị Bích Ngọc")).to_be_visible()
    assert_fits(page)
    screenshot(page, "contest-my-data-390")
    page.get_by_role("link", name="Về trang cuộc thi").click()
    page.get_by_role("button", name="Thoát (dùng máy chung)").click()
    page.get_by_role("link", name="Đăng nhập lại").click()
    page.get_by_role("textbox", name="Mã dự thi").fill(code.lower())
    assert_fits(page)
    screenshot(page, "contest-signin-390")
    page.get_by_role("button", name="Đăng nhập").first.click()
    expect(page.get_by_text("Xin chào Trần Thị Bích Ngọc!")).to_be_visible()
    expect(page.get_by_text(code)).to_be_visible()


def test_the_contest_works_without_javascript(world: Any, live_server: Any, browser: Any) -> None:
    from danvan.contests.models import Attempt
    from danvan.contests.tests.factories import right_answers

    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="vi-VN"
    )
    page = context.new_page()
    page.goto(live_server.url + world.contest.get_absolute_url() + "dang-ky/")
    page.get_by_label("Họ và tên").fill("lê văn tám")
    page.get_by_label("Ngày sinh").fill("1985-01-02")
    page.get_by_label("Nam", exact=True).check()
    page.get_by_label("Số điện thoại").fill("0987654321")
    page.get_by_label("Nơi ở").select_option(str(world.commune.pk))
    page.get_by_label("Đối tượng").select_option("farmer")
    page.get_by_role("button", name="Đăng ký").click()
    # Consent is never pre-ticked: the form comes back with the message and the values.
    expect(page.get_by_text("Bạn cần đánh dấu đồng ý")).to_be_visible()
    assert page.get_by_label("Họ và tên").input_value() == "lê văn tám"
    screenshot(page, "contest-register-error-390")
    page.get_by_label("Tôi đã đọc và đồng ý").check()
    page.get_by_role("button", name="Đăng ký").click()
    page.get_by_role("link", name="Vào thi").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()

    attempt = Attempt.objects.get()
    (qid, cids), *_rest = right_answers(attempt).items()
    page.locator(f'input[name="q_{qid}"][value="{cids[0]}"]').check()
    page.get_by_role("button", name="Lưu tạm").click()
    expect(page.get_by_text("Đã lưu tạm")).to_be_visible()
    assert page.locator(f'input[name="q_{qid}"][value="{cids[0]}"]').is_checked()
    page.get_by_label("Câu hỏi dự đoán").fill("300")
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    assert page.locator("#diem").inner_text().endswith("/4")
    assert_fits(page)
    context.close()
