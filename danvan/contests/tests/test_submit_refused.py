"""A refused submit lands on an error summary at the top of the attempt, with a
link to each field in error; with JavaScript, a missing prediction is caught
before sending (issue: "a missing prediction blocks Nộp bài in silence")."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import expect

from conftest import ARTIFACTS, screenshot
from danvan.contests.models import Attempt, AttemptStatus
from danvan.contests.tests.factories import make_participant, make_world, right_answers
from danvan.contests.tests.test_public import signed_in, started, submit_form


def _summary_then_form(body: str) -> None:
    """The summary stands above the questions and links to the prediction."""
    assert 'id="loi"' in body and "data-focus-on-load" in body
    assert body.index('id="loi"') < body.index('id="attempt-form"')
    summary = body[body.index('id="loi"') : body.index('id="attempt-form"')]
    assert 'href="#id_du_doan"' in summary
    assert "Vui lòng trả lời câu hỏi dự đoán." in summary


@pytest.mark.django_db
def test_a_submit_without_prediction_shows_the_summary_at_the_top() -> None:
    world = make_world()
    client = signed_in(world, make_participant(world.contest, world.hamlet))
    attempt = started(client, world)
    response = client.post(
        attempt.get_absolute_url(), submit_form(attempt, right_answers(attempt), action="submit")
    )
    assert response.status_code == 200
    _summary_then_form(response.content.decode())
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


@pytest.mark.django_db
def test_a_first_visit_has_no_summary() -> None:
    world = make_world()
    client = signed_in(world, make_participant(world.contest, world.hamlet))
    attempt = started(client, world)
    assert 'id="loi"' not in client.get(attempt.get_absolute_url()).content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_phone_says_at_once_that_the_prediction_is_missing(
    live_server: Any, page_phone: Any
) -> None:
    world = make_world()
    client = signed_in(world, make_participant(world.contest, world.hamlet))
    attempt = started(client, world)
    page = page_phone
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(live_server.url + attempt.get_absolute_url())
    for qid, cids in right_answers(attempt).items():
        for cid in cids:
            page.locator(f'input[name="q_{qid}"][value="{cid}"]').check()

    page.get_by_role("button", name="Nộp bài").click()
    summary = page.locator("#loi")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("còn thiếu câu hỏi dự đoán")
    box = summary.bounding_box()
    assert box is not None and box["y"] < 844  # in sight, not 4,500 px down
    expect(page.locator("#id_du_doan")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "contest-attempt-prediction-missing-390")
    page.screenshot(path=str(ARTIFACTS / "contest-attempt-prediction-missing-viewport.png"))
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS

    summary.get_by_role("link").click()
    expect(page.locator("#id_du_doan")).to_be_focused()
    page.locator("#id_du_doan").fill("1250")
    page.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url("**/ket-qua/")
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.prediction == 1250
