"""Survey results: every figure equals a recount in plain Python over the Answer
rows; averages, grids, numbers, crosstabs, the diacritics-insensitive text
search, the date and unit filters, the 5-second cache, bounded queries."""

from __future__ import annotations

import secrets
import statistics
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from danvan.core.cache import LocalCache
from danvan.core.models import Role
from danvan.core.tests.factories import make_staff
from danvan.surveys import crosstabs, result_types, results, texts
from danvan.surveys.models import AGREEMENT_SCALE, Answer, Kind, Question, Response, Survey
from danvan.surveys.services import today_vn
from danvan.surveys.tests.factories import (
    Units,
    make_survey,
    question_of,
    store_response,
)

pytestmark = pytest.mark.django_db


def empty_caches() -> None:
    """The shared cache and the copies the processes keep (figures, drawn pages)."""
    cache.clear()
    LocalCache.clear_all()


def submit(survey: Survey, answers: dict[int, Any], *, days_ago: int = 0) -> Response:
    response = store_response(survey, answers, browser_token=secrets.token_urlsafe(24))
    if days_ago:
        Response.objects.filter(pk=response.pk).update(
            received_on=today_vn() - timedelta(days=days_ago)
        )
    return response


def q(survey: Survey, kind: str) -> Question:
    return question_of(survey, kind)


# Twelve respondents: (single, multiple, dropdown, rating, agreement, grid, number,
# short text, long text, days ago, hamlet?)   None = skipped.
PEOPLE: list[tuple[Any, ...]] = [
    (0, [0, 1], 0, 5, 4, [4, 3], 4, "Làm lại cây cầu ở ấp", "Cần đèn đường", 0, "h"),
    (0, [0], 1, 4, 3, [3, 3], 5, "Sửa CẦU Phụng Thạnh", "", 0, "h"),
    (1, [2], 2, 3, 2, [2, None], 2, "", "Nước sạch về tận nhà", 1, "o"),
    (2, [1, 2], 0, 2, 1, [1, 0], 7, "Nạo vét kênh", "", 1, "h"),
    (
        {"choice": -1, "other": "Nghe qua Zalo của ấp"},
        [0],
        1,
        5,
        4,
        [4, 4],
        3,
        "",
        "",
        2,
        "o",
    ),
    (1, {"choices": [-1], "other": "Sân chơi cho trẻ em"}, 2, 1, 0, [0, 1], 6, "", "", 3, "h"),
    (0, [0, 1, 2], 0, 4, 3, [3, 2], 4, "cau moi", "", 5, "o"),
    (None, None, None, None, None, None, None, "", "", 5, None),
    (2, [2], 1, 5, 4, [4, 4], 10, "", "Đề nghị công khai", 8, "h"),
    (1, [1], 2, 3, 2, [2, 2], 1, "", "", 9, "o"),
    (0, [0], 0, 4, 3, [None, 3], 4, "", "", 10, "h"),
    (2, [0, 2], 1, 2, 2, [1, 1], 8, "", "", 12, "h"),
]


def row_answers(s: Survey, row: tuple[Any, ...]) -> dict[int, Any]:
    """The answers of one of the PEOPLE to the questions of `s` from the single
    choice to the short text."""
    single, multiple, dropdown, rating, agreement, grid, number, short, *_ = row
    return {
        q(s, Kind.SINGLE).pk: single,
        q(s, Kind.MULTIPLE).pk: multiple,
        q(s, Kind.DROPDOWN).pk: dropdown,
        q(s, Kind.RATING).pk: rating,
        q(s, Kind.AGREEMENT).pk: agreement,
        q(s, Kind.GRID).pk: grid,
        q(s, Kind.NUMBER).pk: number,
        q(s, Kind.SHORT_TEXT).pk: short,
    }


def answers_of(s: Survey, units: Units, row: tuple[Any, ...]) -> dict[int, Any]:
    """The answers of one of the PEOPLE to the survey `s`."""
    *_, number, _short, long_, _ago, where = row
    hamlet = {"h": units.hamlet, "o": units.other_hamlet, None: None}[where]
    return {
        **row_answers(s, row),
        q(s, Kind.LONG_TEXT).pk: long_,
        q(s, Kind.DATE).pk: "15/03/2025" if number and number % 2 else "",
        q(s, Kind.UNIT).pk: hamlet.pk if hamlet else None,
    }


@pytest.fixture
def survey(units: Units) -> Survey:
    s = make_survey(units=units)
    for row in PEOPLE:
        submit(s, answers_of(s, units, row), days_ago=row[9])
    return s


def by_question(found: list[result_types.QuestionResult]) -> dict[int, result_types.QuestionResult]:
    return {r.question_id: r for r in found}


# --- Recount ------------------------------------------------------------------------


def recount(survey: Survey, response_ids: set[Any] | None = None) -> dict[str, Any]:
    """Everything the results show, counted in plain Python over the Answer rows."""
    rows = list(
        Answer.objects.filter(response__survey=survey).values(
            "response_id", "question_id", "choice", "row", "number", "text", "area_id"
        )
    )
    if response_ids is not None:
        rows = [r for r in rows if r["response_id"] in response_ids]
    answered: dict[int, set[Any]] = defaultdict(set)
    choices: dict[int, Counter[Any]] = defaultdict(Counter)
    grid: dict[int, dict[int, Counter[int]]] = defaultdict(lambda: defaultdict(Counter))
    numbers: dict[int, list[float]] = defaultdict(list)
    areas: dict[int, Counter[int]] = defaultdict(Counter)
    texts: Counter[int] = Counter()
    for r in rows:
        answered[r["question_id"]].add(r["response_id"])
        if r["row"] is not None and r["choice"] is not None:
            grid[r["question_id"]][r["row"]][r["choice"]] += 1
        elif r["choice"] is not None:
            choices[r["question_id"]][r["choice"]] += 1
        if r["number"] is not None:
            numbers[r["question_id"]].append(r["number"])
        if r["area_id"] is not None:
            areas[r["question_id"]][r["area_id"]] += 1
        if r["text"]:
            texts[r["question_id"]] += 1
    total = (
        len(response_ids)
        if response_ids is not None
        else Response.objects.filter(survey=survey).count()
    )
    return {
        "total": total,
        "answered": {k: len(v) for k, v in answered.items()},
        "choices": choices,
        "grid": grid,
        "numbers": numbers,
        "areas": areas,
        "texts": texts,
    }


def assert_matches_recount(
    survey: Survey, found: result_types.SurveyResults, raw: dict[str, Any]
) -> None:
    assert found.total == raw["total"]
    for r in found:
        question = Question.objects.get(pk=r.question_id)
        answered = raw["answered"].get(r.question_id, 0)
        assert r.answered == answered, r.text
        assert r.responses == raw["total"]
        assert r.text_count == raw["texts"].get(r.question_id, 0)
        if r.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.DROPDOWN, Kind.AGREEMENT):
            labels = result_types.choices_of(question)
            expected = raw["choices"][r.question_id]
            got = {o.label: o.count for o in r.options}
            for index, n in expected.items():
                label = result_types.OTHER_LABEL if index == -1 else labels[index]
                assert got[label] == n, (r.text, label)
            assert sum(got.values()) == sum(expected.values())
            for o in r.options:
                assert o.percent == pytest.approx(100 * o.count / answered if answered else 0)
        if r.kind == Kind.AGREEMENT:
            values = [c + 1 for c, n in raw["choices"][r.question_id].items() for _ in range(n)]
            assert r.average == pytest.approx(statistics.mean(values))
        if r.kind == Kind.RATING:
            values = raw["numbers"][r.question_id]
            assert r.average == pytest.approx(statistics.mean(values))
            got = {o.label: o.count for o in r.options}
            for value, n in Counter(values).items():
                assert got[result_types.decimal_vi(value)] == n
        if r.kind == Kind.GRID:
            for i, row in enumerate(r.grid):
                counts = raw["grid"][r.question_id][i]
                assert row.counts == [counts.get(c, 0) for c in range(len(AGREEMENT_SCALE))]
                assert row.answered == sum(counts.values())
                values = [c + 1 for c, n in counts.items() for _ in range(n)]
                assert row.average == pytest.approx(statistics.mean(values))
        if r.kind == Kind.NUMBER:
            values = raw["numbers"][r.question_id]
            assert r.numbers is not None
            assert r.numbers.count == len(values)
            assert r.numbers.mean == pytest.approx(statistics.mean(values))
            assert r.numbers.minimum == min(values)
            assert r.numbers.maximum == max(values)
            assert r.numbers.median == pytest.approx(statistics.median(values))
        if r.kind == Kind.UNIT:
            assert sum(o.count for o in r.options) == sum(raw["areas"][r.question_id].values())


def test_results_equal_a_recount_from_raw_answers(survey: Survey) -> None:
    found = results.survey_results(survey)
    assert [r.number for r in found] == list(range(1, len(Kind) + 1))
    assert_matches_recount(survey, found, recount(survey))


def test_known_figures(survey: Survey) -> None:
    found = by_question(results.survey_results(survey))
    assert found[q(survey, Kind.SINGLE).pk].answered == 11  # one person skipped everything
    assert found[q(survey, Kind.SINGLE).pk].skipped == 1
    single = {o.label: o.count for o in found[q(survey, Kind.SINGLE).pk].options}
    assert single == {
        "Loa phát thanh của ấp": 4,
        "Họp tổ nhân dân": 3,
        "Mạng xã hội": 3,
        "Khác": 1,
    }
    # Multiple choice: the percentages are of respondents, they add up to more than 100%.
    multiple = found[q(survey, Kind.MULTIPLE).pk]
    assert sum(o.percent for o in multiple.options) > 100
    assert {o.label: o.count for o in multiple.options}["Đường giao thông nông thôn"] == 6
    rating = found[q(survey, Kind.RATING).pk]
    assert rating.average == pytest.approx(38 / 11)
    assert rating.average_display == "3,45"
    assert [o.label for o in rating.options] == ["1", "2", "3", "4", "5"]
    agreement = found[q(survey, Kind.AGREEMENT).pk]
    assert agreement.average == pytest.approx((28 + 11) / 11)  # indexes + 1
    grid = found[q(survey, Kind.GRID).pk]
    assert [row.answered for row in grid.grid] == [10, 10]
    number = found[q(survey, Kind.NUMBER).pk]
    assert number.numbers is not None
    assert (number.numbers.minimum, number.numbers.maximum, number.numbers.median) == (1, 10, 4)
    # "Khác" answers are listed with the written answers.
    assert "Nghe qua Zalo của ấp" in found[q(survey, Kind.SINGLE).pk].texts
    assert found[q(survey, Kind.SHORT_TEXT).pk].text_count == 4


# --- Text search --------------------------------------------------------------------


def test_text_search_ignores_case_and_diacritics(survey: Survey) -> None:
    short = q(survey, Kind.SHORT_TEXT).pk
    for query in ("cầu", "CAU", "Cau", "  cau  "):
        found = texts.search_texts(survey, query)
        assert found[short].count == 3, query  # cây cầu, CẦU, cau moi
        assert set(found[short].texts) == {"Làm lại cây cầu ở ấp", "Sửa CẦU Phụng Thạnh", "cau moi"}
    found = texts.search_texts(survey, "zalo")
    assert list(found) == [q(survey, Kind.SINGLE).pk]  # "Khác" answers are searched too
    assert texts.search_texts(survey, "đèn ĐƯỜNG")[q(survey, Kind.LONG_TEXT).pk].count == 1
    assert texts.search_texts(survey, "không có ai viết thế này") == {}
    assert texts.search_texts(survey, "   ") == {}


# --- Filters --------------------------------------------------------------------------


def test_date_filter(survey: Survey) -> None:
    today = today_vn()
    start, end = today - timedelta(days=5), today - timedelta(days=1)
    kept = set(
        Response.objects.filter(
            survey=survey, received_on__gte=start, received_on__lte=end
        ).values_list("pk", flat=True)
    )
    assert len(kept) == 6
    found = results.survey_results(survey, date_from=start, date_to=end)
    assert found.total == 6
    assert_matches_recount(survey, found, recount(survey, kept))
    assert results.survey_results(survey, date_from=today + timedelta(days=1)).total == 0


def test_unit_filter(survey: Survey, units: Units) -> None:
    unit = q(survey, Kind.UNIT)
    in_hamlet = set(
        Answer.objects.filter(question=unit, area=units.hamlet).values_list(
            "response_id", flat=True
        )
    )
    found = results.survey_results(survey, area=units.hamlet)
    assert found.total == len(in_hamlet) == 7
    assert_matches_recount(survey, found, recount(survey, in_hamlet))
    # A commune keeps its hamlets; another commune keeps nothing.
    assert results.survey_results(survey, area=units.commune).total == 11
    assert results.survey_results(survey, area=units.other_commune).total == 0
    # Both filters at once.
    both = results.survey_results(
        survey, area=units.hamlet, date_from=today_vn() - timedelta(days=3)
    )
    assert both.total == 4


def test_unit_filter_without_a_unit_question_keeps_nothing(units: Units) -> None:
    s = make_survey(units=units, kinds=[Kind.SINGLE])
    submit(s, {q(s, Kind.SINGLE).pk: 0})
    assert results.survey_results(s).total == 1
    assert results.survey_results(s, area=units.commune).total == 0


# --- Crosstabs ------------------------------------------------------------------------


def per_response(survey: Survey, question: Question, field: str = "choice") -> dict[Any, set[Any]]:
    out: dict[Any, set[Any]] = defaultdict(set)
    for rid, value in Answer.objects.filter(question=question).values_list("response_id", field):
        out[rid].add(value)
    return out


def test_crosstab_by_a_choice_question_equals_a_recount(survey: Survey) -> None:
    question, by = q(survey, Kind.MULTIPLE), q(survey, Kind.DROPDOWN)
    table = crosstabs.crosstab(survey, question, by)
    rows, cols = per_response(survey, question), per_response(survey, by)
    both = set(rows) & set(cols)
    assert table.total == len(both)
    labels = [*result_types.choices_of(question), result_types.OTHER_LABEL]
    assert [r.label for r in table.rows] == labels
    assert table.columns == result_types.choices_of(by)
    for i, row in enumerate(table.rows):
        key = -1 if row.label == result_types.OTHER_LABEL else i
        for j, n in enumerate(row.counts):
            assert n == sum(1 for rid in both if key in rows[rid] and j in cols[rid])
        assert row.total == sum(1 for rid in both if key in rows[rid])
    for j, n in enumerate(table.column_totals):
        assert n == sum(1 for rid in both if j in cols[rid])
    # Shares are of the column's respondents.
    first = table.rows[0]
    assert first.cells[0][1] == result_types.percent_vi(
        100 * first.counts[0] / table.column_totals[0]
    )


def test_crosstab_by_unit_rolls_hamlets_up_to_communes(survey: Survey, units: Units) -> None:
    question, by = q(survey, Kind.SINGLE), q(survey, Kind.UNIT)
    table = crosstabs.crosstab(survey, question, by)
    assert table.columns == ["Xã Phụng Hiệp"]  # both hamlets are in one commune
    assert table.column_totals == [11]
    assert sum(r.counts[0] for r in table.rows) == 11
    rating = crosstabs.crosstab(survey, q(survey, Kind.RATING), by)
    assert [r.label for r in rating.rows] == ["1", "2", "3", "4", "5"]
    assert sum(r.counts[0] for r in rating.rows) == 11


def test_crosstab_refuses_unsuitable_questions(survey: Survey, units: Units) -> None:
    with pytest.raises(ValueError):
        crosstabs.crosstab(survey, q(survey, Kind.SHORT_TEXT), q(survey, Kind.SINGLE))
    with pytest.raises(ValueError):
        crosstabs.crosstab(survey, q(survey, Kind.SINGLE), q(survey, Kind.NUMBER))
    with pytest.raises(ValueError):
        crosstabs.crosstab(survey, q(survey, Kind.SINGLE), q(survey, Kind.SINGLE))
    other = make_survey(units=units)
    with pytest.raises(ValueError):
        crosstabs.crosstab(survey, q(survey, Kind.SINGLE), q(other, Kind.SINGLE))


# --- Cache ----------------------------------------------------------------------------


def test_results_are_at_most_five_seconds_stale(survey: Survey, monkeypatch: Any) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(results, "_clock", lambda: now[0])
    first = results.survey_results(survey)
    assert first.total == 12
    submit(survey, {q(survey, Kind.SINGLE).pk: 0})
    now[0] += results.REFRESH_AFTER - 0.5
    assert results.survey_results(survey).total == 12  # cached, still fresh enough
    now[0] += 0.5  # old enough to be brought up to date, before it is RESULTS_TTL old
    assert results.survey_results(survey).total == 13
    submit(survey, {q(survey, Kind.SINGLE).pk: 1})
    now[0] += results.RESULTS_TTL  # never shown older than RESULTS_TTL
    assert results.survey_results(survey).total == 14
    # Each set of filters has its own entry.
    assert results.survey_results(survey, date_from=today_vn()).total == 4


def test_one_refresh_at_a_time_others_show_the_cached_figures(
    survey: Survey, monkeypatch: Any
) -> None:
    from django.core.cache import cache

    now = [1_000_000.0]
    monkeypatch.setattr(results, "_clock", lambda: now[0])
    assert results.survey_results(survey).total == 12
    submit(survey, {q(survey, Kind.SINGLE).pk: 0})
    now[0] += results.REFRESH_AFTER + 0.5
    assert cache.add(results._lock_key(survey), 1, 60)  # another request is refreshing
    assert results.survey_results(survey).total == 12  # not a second refresh
    # Once the figures are RESULTS_TTL old a request waits for that refresh; if
    # the refresher died holding the lock, it goes on after LOCK_SECONDS.
    monkeypatch.setattr(results, "LOCK_SECONDS", 0.05)
    now[0] += results.RESULTS_TTL
    assert results.survey_results(survey).total == 13
    assert cache.add(results._lock_key(survey), 1, 60)  # the lock was given back


def test_crosstab_is_cached_too(survey: Survey, monkeypatch: Any) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(results, "_clock", lambda: now[0])
    question, by = q(survey, Kind.SINGLE), q(survey, Kind.DROPDOWN)
    assert crosstabs.crosstab(survey, question, by).total == 11
    submit(survey, {question.pk: 0, by.pk: 0})
    assert crosstabs.crosstab(survey, question, by).total == 11
    now[0] += results.RESULTS_TTL
    assert crosstabs.crosstab(survey, question, by).total == 12


# --- The page -------------------------------------------------------------------------


@pytest.fixture
def officer(units: Units) -> Any:
    return make_staff("ketqua.canbo", Role.BOARD_ADMIN, area=units.province)


def test_results_page_shows_figures_charts_and_search(
    survey: Survey, officer: Any, client: Any
) -> None:
    client.force_login(officer)
    url = reverse("surveys_results:results", args=[survey.pk])
    body = client.get(url).content.decode()
    assert "Kết quả khảo sát" in body and survey.title in body
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') >= 6
    assert "Loa phát thanh của ấp" in body
    assert "3,45" in body  # the rating average
    body = client.get(url, {"tim": "CAU"}).content.decode()
    assert "Sửa CẦU Phụng Thạnh" in body and "cau moi" in body
    assert "3 câu trả lời có cụm từ này" in body


def test_results_page_filters_and_crosstab(
    survey: Survey, officer: Any, units: Units, client: Any
) -> None:
    client.force_login(officer)
    url = reverse("surveys_results:results", args=[survey.pk])
    response = client.get(url, {"dia_ban": units.hamlet.pk})
    assert response.context["results"].total == 7
    assert "?dia_ban=" in response.content.decode()  # exports follow the filter
    response = client.get(url, {"tu": (today_vn() - timedelta(days=1)).isoformat()})
    assert response.context["results"].total == 4
    response = client.get(url, {"tu": "2025-02-01", "den": "2025-01-01"})
    assert "phải trước" in response.content.decode()
    response = client.get(
        url, {"cau": q(survey, Kind.SINGLE).pk, "theo": q(survey, Kind.DROPDOWN).pk}
    )
    table = response.context["crosstab"]["table"]
    assert table is not None and table.total == 11
    assert "Số người trả lời cả hai câu" in response.content.decode()
    # A hamlet of another survey's answers is not a choice: the filter is ignored.
    response = client.get(url, {"dia_ban": units.other_commune.pk})
    assert response.context["results"].total == 12


def test_results_page_queries_do_not_grow_with_responses(
    survey: Survey, officer: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(officer)
    url = reverse("surveys_results:results", args=[survey.pk])
    params = {"tim": "cau", "cau": q(survey, Kind.SINGLE).pk, "theo": q(survey, Kind.UNIT).pk}
    client.get(url, params)  # warm the session, the scope, the tally

    # Both measured pages bring the tally up to date with new answers.
    submit(survey, {q(survey, Kind.SINGLE).pk: 0, q(survey, Kind.NUMBER).pk: 4})
    empty_caches()
    # 54: the page, the search, the crosstab by unit (from the slices), and the
    # tally and its slices brought up to date (13 statements for the slices,
    # `slices.add`; on PostgreSQL two statements read the top answer id behind
    # the barrier).
    with django_assert_max_num_queries(54) as first:
        client.get(url, params)
    for row in PEOPLE * 3:
        submit(survey, {q(survey, Kind.SINGLE).pk: row[0], q(survey, Kind.NUMBER).pk: row[6]})
    empty_caches()
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(url, params).context["results"].total == 49
