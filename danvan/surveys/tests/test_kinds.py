"""The question kinds (`danvan.surveys.kinds`): every `Kind` has its object, and
each cleans, stores and reads back from the page what it did before the kinds
became objects."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from danvan.core.models import Area, AreaKind
from danvan.core.text import fold
from danvan.surveys import cleaning, kinds, services
from danvan.surveys.models import Kind, Question, Survey
from danvan.surveys.tests.factories import (
    LONG_ANSWER,
    SHORT_ANSWER,
    make_survey,
    posted_answer,
    question_of,
    valid_answers,
)
from danvan.surveys.views_public import question_view, raw_from_post, unit_options

pytestmark = pytest.mark.django_db

SHORT, LONG = SHORT_ANSWER, LONG_ANSWER


def test_every_kind_has_its_object() -> None:
    assert set(kinds.KINDS) == set(Kind.values)
    for value, kind in kinds.KINDS.items():
        assert kind.kind == value
        assert kind.help
        assert kind.column in ("choice", "number", "text", "date", "area")
    assert kinds.kind_of("no-such-kind") is kinds.UNKNOWN


def test_traits_are_the_former_lists_of_kinds() -> None:
    def where(flag: str) -> set[str]:
        return set(kinds.kinds_where(flag))

    assert where("has_choices") == {Kind.SINGLE, Kind.MULTIPLE, Kind.DROPDOWN}
    assert where("category") == {
        Kind.SINGLE,
        Kind.MULTIPLE,
        Kind.DROPDOWN,
        Kind.AGREEMENT,
        Kind.RATING,
    }
    assert where("breaks_down") == {
        Kind.SINGLE,
        Kind.MULTIPLE,
        Kind.DROPDOWN,
        Kind.AGREEMENT,
        Kind.UNIT,
    }
    assert where("written") == {Kind.SHORT_TEXT, Kind.LONG_TEXT}
    assert where("group") == {Kind.SINGLE, Kind.MULTIPLE, Kind.RATING, Kind.AGREEMENT, Kind.GRID}
    assert where("per_row") == {Kind.GRID}
    assert where("format_hint") == {Kind.LONG_TEXT}
    assert where("uses_units") == {Kind.UNIT}
    assert {k: kinds.KINDS[k].compares for k in where("compares")} == {
        Kind.SINGLE: "choice",
        Kind.MULTIPLE: "choice",
        Kind.DROPDOWN: "choice",
        Kind.RATING: "choice",
        Kind.AGREEMENT: "choice",
        Kind.NUMBER: "number",
        Kind.SHORT_TEXT: "text",
    }
    assert {k: kinds.KINDS[k].chart for k in where("chart")} == {
        Kind.SINGLE: "bars",
        Kind.MULTIPLE: "bars",
        Kind.DROPDOWN: "bars",
        Kind.AGREEMENT: "bars",
        Kind.UNIT: "bars",
        Kind.RATING: "scores",
        Kind.GRID: "agreement",
        Kind.DATE: "days",
    }
    heads = {k: kinds.KINDS[k].table_head for k in Kind.values}
    assert {k: h for k, h in heads.items() if h != "Phương án"} == {
        Kind.RATING: "Điểm",
        Kind.UNIT: "Địa bàn",
        Kind.DATE: "Ngày",
        Kind.AGREEMENT: "Mức độ",
    }


def _hamlet(survey: Survey) -> Area:
    """The hamlet `valid_answers` answers the unit question with."""
    hamlets = Area.objects.filter(path__startswith=survey.target_area.path, kind=AreaKind.HAMLET)
    return hamlets.order_by("path")[0]


def _expected(survey: Survey, kind: str) -> tuple[Any, list[tuple[Any, ...]]]:
    """The cleaned value of `valid_answers`' answer of `kind`, and its stored rows
    (without the question id)."""
    hamlet = _hamlet(survey)
    expected: dict[str, tuple[Any, list[tuple[Any, ...]]]] = {
        Kind.SINGLE: ({"choice": 1}, [(1, None, None, "", "", None, None)]),
        Kind.MULTIPLE: (
            {"choices": [0, 2]},
            [(0, None, None, "", "", None, None), (2, None, None, "", "", None, None)],
        ),
        Kind.DROPDOWN: ({"choice": 2}, [(2, None, None, "", "", None, None)]),
        Kind.RATING: (4, [(None, None, 4.0, "", "", None, None)]),
        Kind.AGREEMENT: (3, [(3, None, None, "", "", None, None)]),
        Kind.GRID: ([4, 2], [(4, 0, None, "", "", None, None), (2, 1, None, "", "", None, None)]),
        Kind.NUMBER: (5, [(None, None, 5.0, "", "", None, None)]),
        Kind.SHORT_TEXT: (SHORT, [(None, None, None, SHORT, fold(SHORT), None, None)]),
        Kind.LONG_TEXT: (LONG, [(None, None, None, LONG, fold(LONG), None, None)]),
        Kind.DATE: ("2025-03-15", [(None, None, None, "", "", date(2025, 3, 15), None)]),
        Kind.UNIT: (hamlet.pk, [(None, None, None, "", "", None, hamlet.pk)]),
    }
    return expected[kind]


@pytest.mark.parametrize("kind", Kind.values)
def test_clean_and_rows_round_trip(kind: str) -> None:
    survey = make_survey(kinds=[kind])
    question = question_of(survey, kind)
    question.survey = survey
    raw = valid_answers(survey)[question.pk]
    value, rows = _expected(survey, kind)

    assert cleaning.clean_answer(question, raw) == value
    assert kinds.of(question).clean(question, raw) == value
    stored = [(question.pk, *row) for row in rows]
    assert list(services._answer_rows(question, value)) == stored
    assert list(kinds.of(question).rows(question.pk, value)) == stored


@pytest.mark.parametrize("kind", [Kind.SINGLE, Kind.MULTIPLE])
def test_other_answers_round_trip(kind: str) -> None:
    survey = make_survey(kinds=[kind])
    question = question_of(survey, kind)
    if kind == Kind.SINGLE:
        raw: Any = {"choice": "other", "other": "  Tờ  rơi "}
        value: Any = {"choice": -1, "other": "Tờ rơi"}
    else:
        raw = {"choices": ["other", "2"], "other": "Tờ rơi"}
        value = {"choices": [2, -1], "other": "Tờ rơi"}
    assert cleaning.clean_answer(question, raw) == value
    rows = list(services._answer_rows(question, value))
    assert rows[-1] == (question.pk, -1, None, None, "Tờ rơi", fold("Tờ rơi"), None, None)


def _post(survey: Survey, question: Question, kind: str) -> QueryDict:
    """What the public page POSTs for `valid_answers`' answer of `kind`."""
    data = QueryDict(mutable=True)
    posted = {kind: posted_answer(question, _hamlet(survey))}
    for key, value in posted[kind].items():
        if isinstance(value, list):
            data.setlist(key, value)
        else:
            data[key] = value
    return data


@pytest.mark.parametrize("kind", Kind.values)
def test_the_page_reads_back_what_it_shows(kind: str) -> None:
    survey = make_survey(kinds=[kind])
    question = question_of(survey, kind)
    question.survey = survey
    raw = raw_from_post(question, _post(survey, question, kind))
    assert cleaning.clean_answer(question, raw) == _expected(survey, kind)[0]

    view = question_view(question, 1, raw, units=unit_options(survey))
    checked = [o.value for o in view.options if o.checked]
    shown: dict[str, Any] = {
        Kind.SINGLE: ["1"],
        Kind.MULTIPLE: ["0", "2"],
        Kind.DROPDOWN: ["2"],
        Kind.RATING: ["4"],
        Kind.AGREEMENT: ["3"],
    }
    if kind in shown:
        assert checked == shown[kind]
    elif kind == Kind.GRID:
        assert [[o.value for o in opts if o.checked] for _r, _l, opts in view.rows] == [
            ["4"],
            ["2"],
        ]
    elif kind == Kind.UNIT:
        assert view.hamlet_value == str(_expected(survey, kind)[0])
        assert not view.is_group  # the survey targets one commune: its hamlets only
    else:
        assert view.value == _post(survey, question, kind)[f"q{question.pk}"]
    assert view.is_group == (kinds.of(question).group and kind != Kind.UNIT)


def test_an_unknown_kind_is_refused_and_stores_nothing() -> None:
    survey = make_survey(kinds=[Kind.SHORT_TEXT])
    question = question_of(survey, Kind.SHORT_TEXT)
    question.kind = "no-such-kind"
    with pytest.raises(ValidationError) as excinfo:
        cleaning.clean_answer(question, "x")
    assert excinfo.value.messages == ["Loại câu hỏi không được hỗ trợ."]
    assert list(services._answer_rows(question, "x")) == []
