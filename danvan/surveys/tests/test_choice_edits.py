"""Editing the choices of a question that a later question's show-if condition
refers to: the condition follows its choice when the list is reordered, and the
edit is refused (with a Vietnamese message beside the field, the input kept)
when the choice it refers to is removed. Never a silent change of meaning."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from danvan.surveys import logic
from danvan.surveys.forms_question import choice_moves
from danvan.surveys.models import Kind, Question, Survey, SurveyStatus
from danvan.surveys.tests import factories

pytestmark = pytest.mark.django_db

# `staff`: a client signed in as `admin`, a board administrator of the survey's
# area (both from the conftest files).

CHANNELS = ["Loa phát thanh của ấp", "Họp tổ nhân dân", "Mạng xã hội"]


@pytest.fixture
def survey() -> Survey:
    """Câu 1 (single: the three channels, with "Khác"); Câu 2 shown only when
    Câu 1 is "Họp tổ nhân dân"; Câu 3 when Câu 1 is one of the loudspeaker or
    "Khác"."""
    s = factories.make_survey(
        kinds=[Kind.SINGLE, Kind.SHORT_TEXT, Kind.LONG_TEXT], sections=1, status=SurveyStatus.DRAFT
    )
    single, short, long = s.questions.order_by("position")
    short.show_if = {"question": single.pk, "op": "equals", "value": 1}
    short.save()
    long.show_if = {"question": single.pk, "op": "any_of", "value": [0, -1]}
    long.save()
    return s


def questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("position"))


def edit(staff: Any, survey: Survey, choices: list[str], *, other: bool = True) -> Any:
    single = questions(survey)[0]
    data = factories.question_post(single.section, text=single.text, choices="\n".join(choices))
    if other:
        data["other"] = "on"
    return staff.post(reverse("surveys_staff:question_edit", args=[single.pk]), data, follow=True)


def meaning(survey: Survey) -> list[tuple[str, Any]]:
    """What each condition means, in words: the labels of the choices it names."""
    single, short, long = questions(survey)
    labels = {**dict(enumerate(single.options["choices"])), -1: "Khác"}
    out: list[tuple[str, Any]] = []
    for q in (short, long):
        value = q.show_if["value"]
        out.append(
            (
                q.show_if["op"],
                [labels[v] for v in value] if isinstance(value, list) else labels[value],
            )
        )
    return out


def test_reordered_choices_keep_the_meaning_of_conditions(survey: Survey, staff: Any) -> None:
    before = meaning(survey)
    response = edit(staff, survey, ["Mạng xã hội", "Loa phát thanh của ấp", "Họp tổ nhân dân"])
    body = response.content.decode()
    assert "Đã lưu Câu 1." in body
    assert "Điều kiện hiển thị của Câu 2 được chuyển theo phương án đã đổi thứ tự" in body
    assert "Điều kiện hiển thị của Câu 3 được chuyển" in body
    _single, short, long = questions(survey)
    assert short.show_if == {"question": _single.pk, "op": "equals", "value": 2}
    assert long.show_if["value"] == [1, -1]
    assert meaning(survey) == before
    # The questionnaire page describes the same condition as before.
    assert "Chỉ hiện khi Câu 1 bằng “Họp tổ nhân dân”" in body
    # And respondents see the same thing for the same answer.
    shown = logic.visible_question_ids(questions(survey), {_single.pk: {"choice": 2}})
    assert short.pk in shown and long.pk not in shown


def test_choice_edited_in_place_or_added_keeps_conditions(survey: Survey, staff: Any) -> None:
    body = edit(staff, survey, [*CHANNELS, "Báo in"]).content.decode()
    assert "Đã lưu Câu 1." in body
    _single, short, long = questions(survey)
    assert short.show_if["value"] == 1 and long.show_if["value"] == [0, -1]
    # Same length, a typo fixed in place: the condition stays on that line.
    edit(staff, survey, ["Loa phát thanh của ấp", "Họp tổ dân phố", "Mạng xã hội", "Báo in"])
    assert meaning(survey)[0] == ("equals", "Họp tổ dân phố")
    # A text changed while lines are added cannot be followed: refused, not guessed.
    response = edit(staff, survey, ["Loa ấp", "Họp tổ dân phố", "Mạng xã hội", "Báo in", "Zalo"])
    refused = response.content.decode()
    assert "Câu 3 chỉ hiện khi câu này được trả lời “Loa phát thanh của ấp”" in refused
    assert questions(survey)[0].options["choices"][0] == "Loa phát thanh của ấp"


def test_removing_a_choice_a_condition_uses_is_refused(survey: Survey, staff: Any) -> None:
    before = [(q.options, q.show_if) for q in questions(survey)]
    response = edit(staff, survey, ["Loa phát thanh của ấp", "Mạng xã hội"])
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        "Câu 2 chỉ hiện khi câu này được trả lời “Họp tổ nhân dân”, nhưng phương án đó không "
        "còn trong danh sách mới." in body
    )
    assert "Loa phát thanh của ấp\nMạng xã hội</textarea>" in body  # input kept
    assert [(q.options, q.show_if) for q in questions(survey)] == before


def test_dropping_other_a_condition_uses_is_refused(survey: Survey, staff: Any) -> None:
    response = edit(staff, survey, CHANNELS, other=False)
    assert "Câu 3 chỉ hiện khi câu này được trả lời “Khác (người trả lời tự ghi)”" in (
        response.content.decode()
    )
    assert questions(survey)[0].options["other"] is True


def test_choice_moves() -> None:
    old = {"choices": ["A", "B", "C"], "other": True}
    assert choice_moves(old, {"choices": ["C", "a", "B"], "other": True}) == {
        0: 1,
        1: 2,
        2: 0,
        -1: -1,
    }
    assert choice_moves(old, {"choices": ["A", "C"], "other": False}) == {
        0: 0,
        1: None,
        2: 1,
        -1: None,
    }
    # Edited in place (same length, a new text at that place).
    assert choice_moves(old, {"choices": ["A", "Bê", "C"]})[1] == 1
    # Not in place when the new text at that place is an old choice.
    assert choice_moves(old, {"choices": ["A", "C", "C2"]})[1] is None
