"""Reordering the whole questionnaire at once (the drag and drop of the staff
questionnaire page): `staff_services.reorder_questions` and the `survey_reorder`
endpoint. The same refusals as the "Lên"/"Xuống" buttons, which stay on the page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from danvan.surveys import builder, staff_services
from danvan.surveys.models import Kind, Question, Section, Survey, SurveyStatus
from danvan.surveys.tests import factories

pytestmark = pytest.mark.django_db

# `staff`: a client signed in as `admin`, a board administrator of the survey's
# area (both from the conftest files).


@pytest.fixture
def survey() -> Survey:
    """Two sections: [single, short text] and [number, date]; the date question is
    shown only when the single choice is "Loa phát thanh của ấp"."""
    s = factories.make_survey(
        kinds=[Kind.SINGLE, Kind.SHORT_TEXT, Kind.NUMBER, Kind.DATE],
        sections=2,
        status=SurveyStatus.DRAFT,
    )
    single = factories.question_of(s, Kind.SINGLE)
    date_q = factories.question_of(s, Kind.DATE)
    date_q.show_if = {"question": single.pk, "op": "equals", "value": 0}
    date_q.save()
    return s


def layout(survey: Survey) -> list[tuple[int, list[int]]]:
    return [
        (s.pk, list(s.questions.order_by("position").values_list("pk", flat=True)))
        for s in survey.sections.order_by("position")
    ]


def kinds_by_section(survey: Survey) -> list[list[str]]:
    return [
        list(s.questions.order_by("position").values_list("kind", flat=True))
        for s in survey.sections.order_by("position")
    ]


def as_post(order: list[tuple[int, list[int]]]) -> dict[str, str]:
    return {"order": json.dumps([{"section": s, "questions": q} for s, q in order])}


def test_reorder_moves_sections_and_questions_across_sections(survey: Survey) -> None:
    (s1, (single, text)), (s2, (number, date_q)) = layout(survey)
    # Section 2 first, holding the number and the short text; the date question
    # joins the single choice it depends on, after it.
    assert (
        staff_services.reorder_questions(survey, [(s2, [number, text]), (s1, [single, date_q])])
        is True
    )
    assert [s.pk for s in survey.sections.order_by("position")] == [s2, s1]
    assert layout(survey) == [(s2, [number, text]), (s1, [single, date_q])]
    # Positions stay 1, 2, 3… everywhere.
    assert list(survey.sections.order_by("position").values_list("position", flat=True)) == [1, 2]
    for section in survey.sections.all():
        positions = section.questions.order_by("position").values_list("position", flat=True)
        assert list(positions) == [1, 2]
    # The same order again changes nothing.
    assert staff_services.reorder_questions(survey, layout(survey)) is False


def test_reorder_refuses_an_order_that_breaks_a_condition(survey: Survey) -> None:
    before = layout(survey)
    (s1, (single, text)), (s2, (number, date_q)) = before
    # The date question (shown if the single choice…) before the single choice.
    with pytest.raises(builder.BuilderError) as e:
        staff_services.reorder_questions(survey, [(s2, [number, date_q]), (s1, [single, text])])
    assert e.value.messages[0].startswith("Không đổi được thứ tự")
    assert any("đứng trước" in m for m in e.value.messages)
    assert layout(survey) == before  # nothing written


@pytest.mark.parametrize(
    "change",
    ["drop_question", "duplicate_question", "foreign_section", "drop_section", "foreign_question"],
)
def test_reorder_refuses_an_order_that_is_not_the_whole_questionnaire(
    survey: Survey, change: str
) -> None:
    before = layout(survey)
    (s1, q1), (s2, q2) = before
    other = factories.make_survey(kinds=[Kind.SINGLE], sections=1)
    other_q = other.questions.get()
    order = {
        "drop_question": [(s1, q1[:1]), (s2, q2)],
        "duplicate_question": [(s1, q1 + q2[:1]), (s2, q2)],
        "foreign_section": [(s1, q1 + q2), (other.sections.get().pk, [])],
        "drop_section": [(s1, q1 + q2)],
        "foreign_question": [(s1, q1), (s2, [*q2, other_q.pk])],
    }[change]
    with pytest.raises(builder.BuilderError) as e:
        staff_services.reorder_questions(survey, order)
    assert e.value.messages == [builder.MSG_STALE_ORDER]
    assert layout(survey) == before


def test_endpoint_answers_the_page_script_in_json(survey: Survey, staff: Any) -> None:
    url = reverse("surveys_staff:survey_reorder", args=[survey.pk])
    (s1, (single, text)), (s2, (number, date_q)) = layout(survey)
    json_accept = {"HTTP_ACCEPT": "application/json"}

    ok = staff.post(url, as_post([(s1, [single, text, number]), (s2, [date_q])]), **json_accept)
    assert ok.status_code == 200
    assert ok.json() == {"ok": True, "message": "Đã lưu thứ tự mới."}
    assert kinds_by_section(survey) == [
        [Kind.SINGLE, Kind.SHORT_TEXT, Kind.NUMBER],
        [Kind.DATE],
    ]

    refused = staff.post(
        url, as_post([(s2, [date_q]), (s1, [single, text, number])]), **json_accept
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["ok"] is False and body["errors"][0].startswith("Không đổi được thứ tự")
    assert kinds_by_section(survey)[1] == [Kind.DATE]

    bad = staff.post(url, {"order": "không phải JSON"}, **json_accept)
    assert bad.status_code == 400 and bad.json()["errors"] == [builder.MSG_STALE_ORDER]


def test_endpoint_without_script_redirects_with_a_message(survey: Survey, staff: Any) -> None:
    url = reverse("surveys_staff:survey_reorder", args=[survey.pk])
    (s1, q1), (s2, q2) = layout(survey)
    response = staff.post(url, as_post([(s1, q1 + q2), (s2, [])]), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "surveys_staff:survey_detail", args=[survey.pk]
    )
    assert "Đã lưu thứ tự mới." in response.content.decode()
    assert Section.objects.get(pk=s2).questions.count() == 0


def test_only_a_draft_is_reordered(survey: Survey, staff: Any) -> None:
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.PUBLISHED)
    before = layout(survey)
    (s1, q1), (s2, q2) = before
    response = staff.post(
        reverse("surveys_staff:survey_reorder", args=[survey.pk]),
        as_post([(s2, q2), (s1, q1)]),
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert "chỉ đổi được thứ tự khi khảo sát là bản nháp" in response.json()["errors"][0]
    assert layout(survey) == before


def test_questionnaire_page_offers_drag_and_drop_over_the_buttons(
    survey: Survey, staff: Any
) -> None:
    detail = reverse("surveys_staff:survey_detail", args=[survey.pk])
    html = staff.get(detail).content.decode()
    assert "js/survey-builder.js" in html
    assert f'data-reorder-url="{reverse("surveys_staff:survey_reorder", args=[survey.pk])}"' in html
    for q in Question.objects.filter(survey=survey):
        assert f'data-sv-question="{q.pk}"' in html
        # The keyboard way stays: a "Lên" and a "Xuống" form per question.
        assert html.count(reverse("surveys_staff:question_move", args=[q.pk])) >= 2
    for s in survey.sections.all():
        assert f'data-sv-section="{s.pk}"' in html and f'data-sv-list="{s.pk}"' in html
    # Not a draft: no drag and drop, no buttons.
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.PUBLISHED)
    html = staff.get(detail).content.decode()
    assert "survey-builder.js" not in html and "data-reorder-url" not in html
