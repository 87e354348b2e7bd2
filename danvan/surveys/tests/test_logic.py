"""Skip logic: visible_question_ids and check_show_if (pure, no database)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from danvan.surveys.logic import check_show_if, visible_question_ids


@dataclass
class Q:
    pk: int
    show_if: dict[str, Any] = field(default_factory=dict)


def test_no_conditions_all_visible() -> None:
    qs = [Q(1), Q(2), Q(3)]
    assert visible_question_ids(qs, {}) == {1, 2, 3}


def test_equals_on_single_choice() -> None:
    qs = [Q(1), Q(2, {"question": 1, "op": "equals", "value": 0})]
    assert visible_question_ids(qs, {1: {"choice": 0}}) == {1, 2}
    assert visible_question_ids(qs, {1: {"choice": 1}}) == {1}
    assert visible_question_ids(qs, {}) == {1}
    # Values from a form are strings; "0" equals 0.
    assert visible_question_ids(qs, {1: "0"}) == {1, 2}


def test_not_equals_needs_an_answer() -> None:
    qs = [Q(1), Q(2, {"question": 1, "op": "not_equals", "value": 0})]
    assert visible_question_ids(qs, {1: {"choice": 2}}) == {1, 2}
    assert visible_question_ids(qs, {1: {"choice": 0}}) == {1}
    assert visible_question_ids(qs, {}) == {1}


def test_any_of_and_multiple_choice() -> None:
    qs = [Q(1), Q(2, {"question": 1, "op": "any_of", "value": [1, 2]})]
    assert visible_question_ids(qs, {1: {"choices": [0, 2]}}) == {1, 2}
    assert visible_question_ids(qs, {1: {"choices": [0]}}) == {1}
    assert visible_question_ids(qs, {1: 3}) == {1}
    equals = [Q(1), Q(2, {"question": 1, "op": "equals", "value": 2})]
    assert visible_question_ids(equals, {1: {"choices": [0, 2]}}) == {1, 2}


def test_answered() -> None:
    qs = [Q(1), Q(2, {"question": 1, "op": "answered"})]
    assert visible_question_ids(qs, {1: "có"}) == {1, 2}
    assert visible_question_ids(qs, {1: "  "}) == {1}
    assert visible_question_ids(qs, {1: 0}) == {1, 2}  # 0 is an answer
    assert visible_question_ids(qs, {1: [None, None]}) == {1}


def test_hidden_chain_hides_dependants() -> None:
    qs = [
        Q(1),
        Q(2, {"question": 1, "op": "equals", "value": 1}),
        Q(3, {"question": 2, "op": "answered"}),
    ]
    # Q2 has a stale answer but is hidden: Q3 must be hidden too.
    assert visible_question_ids(qs, {1: {"choice": 0}, 2: "stale"}) == {1}
    assert visible_question_ids(qs, {1: {"choice": 1}, 2: "x"}) == {1, 2, 3}


def test_later_unknown_and_self_references_hide() -> None:
    qs = [
        Q(1, {"question": 2, "op": "answered"}),
        Q(2),
        Q(3, {"question": 99, "op": "answered"}),
        Q(4, {"question": 4, "op": "answered"}),
    ]
    assert visible_question_ids(qs, {1: "a", 2: "b", 4: "c"}) == {2}


def test_check_show_if_clean() -> None:
    qs = [Q(1), Q(2, {"question": 1, "op": "equals", "value": 0})]
    assert check_show_if(qs) == []


def test_check_show_if_reports_problems() -> None:
    qs = [
        Q(10, {"question": 20, "op": "answered"}),  # later
        Q(20, {"question": 10, "op": "answered"}),  # with 10: a cycle
        Q(30, {"question": 30, "op": "answered"}),  # self
        Q(40, {"question": 999, "op": "answered"}),  # unknown
        Q(50, {"question": 20, "op": "bigger", "value": 1}),  # bad operator
        Q(60, {"question": 20, "op": "any_of", "value": []}),  # empty list
        Q(70, {"question": 20, "op": "equals"}),  # no value
    ]
    errors = check_show_if(qs)
    text = "\n".join(errors)
    assert (
        "Câu 1: điều kiện hiển thị phải căn cứ vào một câu hỏi đứng trước (Câu 2 đứng sau)."
        in errors
    )
    assert "vòng tròn" in text and "Câu 1, Câu 2" in text
    assert "Câu 3: điều kiện hiển thị không được căn cứ vào chính câu này." in errors
    assert "Câu 4: điều kiện hiển thị căn cứ vào một câu hỏi không có trong phiếu." in errors
    assert any(e.startswith("Câu 5: phép so sánh") for e in errors)
    assert any(e.startswith("Câu 6:") and "ít nhất một giá trị" in e for e in errors)
    assert any(e.startswith("Câu 7:") and "chưa có giá trị" in e for e in errors)
    assert text.count("vòng tròn") == 1


def test_check_show_if_longer_cycle() -> None:
    qs = [
        Q(1, {"question": 3, "op": "answered"}),
        Q(2, {"question": 1, "op": "answered"}),
        Q(3, {"question": 2, "op": "answered"}),
    ]
    errors = check_show_if(qs)
    assert sum("vòng tròn" in e for e in errors) == 1
    assert any("Câu 1, Câu 2, Câu 3" in e for e in errors)


# --- Property test against a reference written differently -----------------------


def reference_visible(questions: list[Q], answers: dict[int, Any]) -> set[int]:
    """Recursive definition: a question is visible iff it has no rule, or its rule
    names a question placed before it that is visible and whose answer passes."""
    index = {q.pk: i for i, q in enumerate(questions)}
    by_pk = {q.pk: q for q in questions}

    def passes(rule: dict[str, Any], answer: Any) -> bool:
        if answer is None or answer == "" or answer == []:
            return False
        chosen = answer if isinstance(answer, list) else [answer]
        if rule["op"] == "answered":
            return True
        if rule["op"] == "equals":
            return rule["value"] in chosen
        if rule["op"] == "not_equals":
            return rule["value"] not in chosen
        return bool(set(chosen) & set(rule["value"]))  # any_of

    @cache
    def visible(pk: int) -> bool:
        rule = by_pk[pk].show_if
        if not rule:
            return True
        ref = rule["question"]
        if ref not in index or index[ref] >= index[pk]:
            return False
        return visible(ref) and passes(rule, answers.get(ref))

    return {q.pk for q in questions if visible(q.pk)}


@st.composite
def survey_and_answers(draw: Any) -> tuple[list[Q], dict[int, Any]]:
    n = draw(st.integers(min_value=1, max_value=9))
    pks = draw(st.lists(st.integers(1, 60), min_size=n, max_size=n, unique=True))
    values = st.integers(0, 3)
    questions = []
    for pk in pks:
        if draw(st.booleans()):
            # Any question (earlier, later, itself) or an unknown one.
            ref = draw(st.sampled_from([*pks, 999]))
            op = draw(st.sampled_from(["equals", "not_equals", "any_of", "answered"]))
            rule: dict[str, Any] = {"question": ref, "op": op}
            if op == "any_of":
                rule["value"] = draw(st.lists(values, min_size=1, max_size=3))
            elif op != "answered":
                rule["value"] = draw(values)
            questions.append(Q(pk, rule))
        else:
            questions.append(Q(pk))
    answers: dict[int, Any] = {}
    for pk in pks:
        shape = draw(st.sampled_from(["none", "int", "list"]))
        if shape == "int":
            answers[pk] = draw(values)
        elif shape == "list":
            answers[pk] = draw(st.lists(values, max_size=3, unique=True))
    return questions, answers


def as_cleaned(answer: Any) -> Any:
    """The reference takes plain values; the app takes cleaned answers."""
    if isinstance(answer, list):
        return {"choices": answer}
    return {"choice": answer}


@settings(max_examples=400, deadline=None)
@given(survey_and_answers())
def test_visible_matches_reference(case: tuple[list[Q], dict[int, Any]]) -> None:
    questions, answers = case
    cleaned = {pk: as_cleaned(a) for pk, a in answers.items()}
    assert visible_question_ids(questions, cleaned) == reference_visible(questions, answers)


@settings(max_examples=200, deadline=None)
@given(survey_and_answers())
def test_sound_logic_reports_nothing_iff_only_backward_references(
    case: tuple[list[Q], dict[int, Any]],
) -> None:
    questions, _ = case
    index = {q.pk: i for i, q in enumerate(questions)}
    backward = all(
        not q.show_if or (q.show_if["question"] in index and index[q.show_if["question"]] < i)
        for i, q in enumerate(questions)
    )
    shapes_ok = all(
        not (q.show_if.get("op") == "any_of" and not q.show_if["value"]) for q in questions
    )
    assert (check_show_if(questions) == []) == (backward and shapes_ok)


# --- Every kind of answer, not only choices -----------------------------------------
#
# Cleaned answers of every kind (see cleaning.clean_answer): a single choice
# {"choice": i} (-1 for "Khác", with its text), a multiple choice
# {"choices": [...]}, a rating or agreement (int), a number (int or float), a
# grid (a list with None for rows left empty), a text, an ISO date, a unit id.
# Conditions compare with values of the matching type, or of another type
# ("2" against 2, 2.0 against "2"), as stored conditions and answers may.

KINDS = ["single", "multiple", "rating", "number", "grid", "text", "date", "unit"]
TEXTS = ["có", " có ", "Không", "", "  ", "2"]
DATES = ["2025-03-15", "2025-12-01"]


def typed_answer(kind: str) -> Any:
    ints = st.integers(-1, 3)
    if kind == "single":
        return st.one_of(
            ints.map(lambda i: {"choice": i}),
            st.just({"choice": -1, "other": "Ý kiến khác"}),
        )
    if kind == "multiple":
        return st.lists(st.integers(-1, 3), min_size=1, max_size=3, unique=True).map(
            lambda c: {"choices": sorted(c)}
        )
    if kind == "rating":
        return st.integers(1, 5)
    if kind == "number":
        return st.one_of(st.integers(-3, 3), st.sampled_from([0.5, 2.0, 2.5, -1.0]))
    if kind == "grid":
        return st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=1, max_size=3)
    if kind == "text":
        return st.sampled_from(TEXTS)
    if kind == "date":
        return st.sampled_from(DATES)
    return st.integers(100, 102)  # unit


MIXED = [2.0, 0.5, "2", "2.0", " 1", "có", "Không", "", *DATES, 101, "101"]


def typed_value(kind: str | None) -> Any:
    """A value to compare with: mostly one such an answer may hold, sometimes any."""
    likely = {
        "text": st.sampled_from([*TEXTS, "Có"]),
        "date": st.sampled_from([*DATES, " 2025-03-15"]),
        "number": st.sampled_from([0, 2, 2.0, "2", 0.5, "0.5", -1]),
        "unit": st.sampled_from([100, 101, "101", " 102"]),
    }.get(kind or "", st.one_of(st.integers(-1, 4), st.sampled_from(["1", " 2", 1.0])))
    return st.one_of(likely, likely, st.sampled_from(MIXED))


@st.composite
def typed_survey_and_answers(draw: Any) -> tuple[list[Q], dict[int, Any]]:
    n = draw(st.integers(min_value=1, max_value=8))
    pks = draw(st.lists(st.integers(1, 60), min_size=n, max_size=n, unique=True))
    kinds = {pk: draw(st.sampled_from(KINDS)) for pk in pks}
    questions = []
    for i, pk in enumerate(pks):
        if draw(st.booleans()):
            # Mostly an earlier question (the sound case), else any or an unknown one.
            earlier = pks[:i] or pks
            ref = draw(st.one_of(st.sampled_from(earlier), st.sampled_from([*pks, 999])))
            op = draw(st.sampled_from(["equals", "not_equals", "any_of", "answered"]))
            rule: dict[str, Any] = {"question": ref, "op": op}
            if op == "any_of":
                rule["value"] = draw(st.lists(typed_value(kinds.get(ref)), min_size=1, max_size=3))
            elif op != "answered":
                rule["value"] = draw(typed_value(kinds.get(ref)))
            questions.append(Q(pk, rule))
        else:
            questions.append(Q(pk))
    answers: dict[int, Any] = {}
    for pk in pks:
        if draw(st.booleans()):
            answers[pk] = draw(typed_answer(kinds[pk]))
    return questions, answers


def plain_values(answer: Any) -> list[Any]:
    """What a condition compares: the chosen indices, the grid's filled rows, or
    the value itself."""
    if isinstance(answer, dict):
        answer = answer.get("choices", answer.get("choice"))
    if isinstance(answer, list):
        return [v for v in answer if v is not None]
    return [] if answer is None else [answer]


def same_value(a: Any, b: Any) -> bool:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        return float(a) == float(b)
    return str(a).strip() == str(b).strip()


def typed_passes(rule: dict[str, Any], answer: Any) -> bool:
    values = plain_values(answer)
    if not any(not (isinstance(v, str) and not v.strip()) for v in values):
        return False  # not answered: nothing, a blank text, a grid of empty rows
    if rule["op"] == "answered":
        return True
    hit = (
        [rule["value"]]
        if rule["op"] != "any_of"
        else rule["value"]
        if isinstance(rule["value"], list)
        else []
    )
    found = any(same_value(v, t) for v in values for t in hit)
    return not found if rule["op"] == "not_equals" else found


def typed_reference(questions: list[Q], answers: dict[int, Any]) -> set[int]:
    place = {q.pk: i for i, q in enumerate(questions)}
    shown: set[int] = set()
    for i, q in enumerate(questions):  # in order: a reference is always decided first
        rule = q.show_if
        if not rule or (
            place.get(rule["question"], i) < i
            and rule["question"] in shown
            and typed_passes(rule, answers.get(rule["question"]))
        ):
            shown.add(q.pk)
    return shown


@settings(max_examples=500, deadline=None)
@given(typed_survey_and_answers())
def test_visible_matches_reference_for_every_kind_of_answer(
    case: tuple[list[Q], dict[int, Any]],
) -> None:
    questions, answers = case
    assert visible_question_ids(questions, answers) == typed_reference(questions, answers)
