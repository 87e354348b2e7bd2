"""Filtered results from the tally's slices (`danvan.surveys.slices`): for every
date range and unit, the figures equal the GROUP BY recount over the answers
(`recount.recount`), also after answers arrive between two refreshes; and once
the tally is up to date, a filtered page counts no answer."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.surveys import crosstabs, recount, result_types, results, tally
from danvan.surveys.models import Answer, Kind, SliceGrain, Survey, TallySlice
from danvan.surveys.services import today_vn
from danvan.surveys.tests.factories import Units, make_survey
from danvan.surveys.tests.test_results import PEOPLE, answers_of, empty_caches, q, submit

pytestmark = pytest.mark.django_db


def figures(found: result_types.SurveyResults) -> list[dict[str, Any]]:
    """Every figure of the results, the sample of written answers as a set (the
    two ways of counting list them in different orders)."""
    out = []
    for r in found:
        row = dataclasses.asdict(r)
        row["texts"] = set(row["texts"])
        out.append(row)
    return out


def assert_equal_to_recount(survey: Survey, **filters: Any) -> None:
    empty_caches()
    sliced = results.survey_results(survey, **filters)
    recounted = recount.recount(
        survey, filters.get("date_from"), filters.get("date_to"), filters.get("area")
    )
    assert sliced.total == recounted.total, filters
    assert figures(sliced) == figures(recounted), filters
    assert sliced.area_ids == recounted.area_ids
    assert sliced.unit_choices == recounted.unit_choices


def every_filter(units: Units) -> list[dict[str, Any]]:
    today = today_vn()
    days = [today - timedelta(days=n) for n in (0, 1, 2, 3, 5, 9, 12, 30)]
    ranges: list[dict[str, Any]] = [{}]
    for start in days:
        ranges.append({"date_from": start})
        ranges.append({"date_to": start})
        for end in days:
            if end >= start:
                ranges.append({"date_from": start, "date_to": end})
    places = [None, units.commune, units.hamlet, units.other_hamlet, units.other_commune]
    out = []
    for place in places:
        for dates in ranges:
            if place is None and not dates:
                continue
            out.append({**dates, **({"area": place} if place is not None else {})})
    return out


def test_filtered_results_equal_a_recount_for_every_range_and_unit(units: Units) -> None:
    s = make_survey(units=units)
    for row in PEOPLE:
        submit(s, answers_of(s, units, row), days_ago=row[9])
    for filters in every_filter(units):
        assert_equal_to_recount(s, **filters)


def test_answers_arriving_between_refreshes_are_added_to_the_slices(units: Units) -> None:
    s = make_survey(units=units)
    half = len(PEOPLE) // 2
    for row in PEOPLE[:half]:
        submit(s, answers_of(s, units, row), days_ago=row[9])
    assert_equal_to_recount(s, area=units.commune)
    assert TallySlice.objects.filter(survey=s, grain=SliceGrain.UNIT).exists()
    for row in PEOPLE[half:]:
        # Days older than SETTLE_DAYS are final: a response arrives today.
        submit(s, answers_of(s, units, row), days_ago=min(row[9], tally.SETTLE_DAYS - 1))
    # The same answers counted twice would show here; a missed one too.
    for filters in every_filter(units):
        assert_equal_to_recount(s, **filters)
    # An upsert adds to a row: no row holds the same key twice.
    keys = list(
        TallySlice.objects.filter(survey=s).values_list(
            "grain", "unit", "day", "question_id", "part", "key"
        )
    )
    assert len(keys) == len(set(keys))


def test_forgetting_the_tally_drops_the_slices_and_counts_again(units: Units) -> None:
    s = make_survey(units=units)
    for row in PEOPLE:
        submit(s, answers_of(s, units, row), days_ago=row[9])
    assert_equal_to_recount(s, area=units.hamlet)
    tally.forget(s)
    assert not TallySlice.objects.filter(survey=s).exists()
    assert_equal_to_recount(s, area=units.hamlet)
    assert_equal_to_recount(s, date_from=today_vn() - timedelta(days=3))


def test_a_filtered_page_counts_no_answer_once_the_tally_is_up_to_date(units: Units) -> None:
    s = make_survey(units=units)
    for row in PEOPLE:
        submit(s, answers_of(s, units, row), days_ago=row[9])
    results.survey_results(s)  # brings the tally up to date
    empty_caches()
    with CaptureQueriesContext(connection) as ctx:
        found = results.survey_results(
            s, area=units.commune, date_from=today_vn() - timedelta(days=9)
        )
    assert found.total == sum(1 for row in PEOPLE if row[10] and row[9] <= 9)
    counting = [
        qry["sql"]
        for qry in ctx.captured_queries
        if "GROUP BY" in qry["sql"].upper() and '"surveys_answer"' in qry["sql"]
    ]
    assert counting == []


def test_the_newest_written_answers_of_the_filter_are_listed(units: Units) -> None:
    s = make_survey(units=units)
    short = q(s, Kind.SHORT_TEXT).pk
    unit = q(s, Kind.UNIT).pk
    for n in range(results.TEXT_SAMPLE + 5):
        where = units.hamlet if n % 2 else units.other_hamlet
        submit(s, {short: f"ý kiến {n}", unit: where.pk})
    found = results.survey_results(s, area=units.hamlet)
    texts = next(r.texts for r in found if r.question_id == short)
    expected = [f"ý kiến {n}" for n in range(results.TEXT_SAMPLE + 4, -1, -1) if n % 2]
    assert texts == expected[: results.TEXT_SAMPLE]


def test_crosstab_by_unit_from_the_slices_equals_the_joined_count(
    units: Units, monkeypatch: Any
) -> None:
    s = make_survey(units=units)
    for row in PEOPLE:
        submit(s, answers_of(s, units, row), days_ago=row[9])
    by = q(s, Kind.UNIT)
    sliced_calls = []
    real_by_unit = tally.by_unit
    monkeypatch.setattr(
        tally, "by_unit", lambda *a, **k: sliced_calls.append(1) or real_by_unit(*a, **k)
    )
    for kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.DROPDOWN, Kind.RATING, Kind.AGREEMENT):
        for filters in every_filter(units)[::7]:
            empty_caches()
            sliced = crosstabs._crosstab(
                s, q(s, kind), by, filters.get("date_from"), filters.get("date_to"),
                filters.get("area"),
            )  # fmt: skip
            with monkeypatch.context() as m:
                m.setattr(crosstabs, "_sliced_by", lambda survey, by: False)
                joined = crosstabs._crosstab(
                    s, q(s, kind), by, filters.get("date_from"), filters.get("date_to"),
                    filters.get("area"),
                )  # fmt: skip
            sliced.computed_at = joined.computed_at = None
            assert sliced == joined, (kind, filters)
    assert sliced_calls  # the slices were used


def test_the_newest_written_answers_of_a_past_range_are_listed(units: Units) -> None:
    s = make_survey(units=units)
    short = q(s, Kind.SHORT_TEXT).pk
    for n in range(30):
        submit(s, {short: f"ngày {n % 3} số {n}"}, days_ago=n % 3)
    day = today_vn() - timedelta(days=2)
    found = results.survey_results(s, date_from=day, date_to=day)
    texts = next(r.texts for r in found if r.question_id == short)
    assert texts == [f"ngày 2 số {n}" for n in range(29, -1, -1) if n % 3 == 2]
    counts = tally.filtered(s, [short], q(s, Kind.UNIT).pk, date_from=day, date_to=day)
    # The written answers of that day lie between these ids: the walk starts there.
    ids = list(
        Answer.objects.filter(question_id=short, response__received_on=day)
        .exclude(text="")
        .values_list("pk", flat=True)
    )
    assert counts.bounds[short] == (min(ids), max(ids))


def test_a_burst_of_filtered_pages_shares_one_refresh(units: Units, monkeypatch: Any) -> None:
    s = make_survey(units=units)
    for row in PEOPLE:
        submit(s, answers_of(s, units, row), days_ago=row[9])
    empty_caches()
    advances = []
    real_advance = tally._advance
    monkeypatch.setattr(
        tally, "_advance", lambda *a, **k: advances.append(1) or real_advance(*a, **k)
    )
    results.survey_results(s, area=units.commune)
    results.survey_results(s, area=units.hamlet)
    results.survey_results(s, date_from=today_vn() - timedelta(days=3))
    assert len(advances) == 1
    # A refresh that began longer ago than ADVANCE_EVERY: the next page refreshes.
    cache.set(tally._advanced_key(s.pk), time.time() - tally.ADVANCE_EVERY - 0.1)
    submit(s, answers_of(s, units, PEOPLE[0]))
    found = results.survey_results(s, area=units.other_hamlet)
    assert len(advances) == 2
    assert_equal_to_recount(s, area=units.hamlet)  # the new response is counted
    assert found.total == recount.recount(s, None, None, units.other_hamlet).total
