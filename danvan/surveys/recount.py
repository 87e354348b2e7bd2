"""The plain recount of a survey's results: GROUP BY queries over its answers,
no tally. What the results page did before the tally (`danvan.surveys.tally`);
now the reference the tally and its slices are checked against, figure by
figure (tests, and bench/survey_run.py on 1M responses)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Avg, Count, Max, Min, QuerySet
from django.utils import timezone

from danvan.core.models import Area
from danvan.surveys import kinds
from danvan.surveys.models import Answer, Kind, Question, Survey
from danvan.surveys.result_types import SurveyResults
from danvan.surveys.results import TEXT_SAMPLE, _answer_filter, _assemble, responses_in
from danvan.surveys.texts import first_texts


def recount(
    survey: Survey, date_from: date | None, date_to: date | None, area: Area | None
) -> SurveyResults:
    questions = list(
        Question.objects.filter(survey_id=survey.pk)
        .select_related("section")
        .order_by("section__position", "position", "pk")
    )
    uq = next((q for q in questions if q.kind == Kind.UNIT), None)
    out = SurveyResults()
    out.computed_at = timezone.now()
    out.total = responses_in(
        survey,
        date_from=date_from,
        date_to=date_to,
        area=area,
        unit_question_id=uq.pk if uq else None,
    ).count()
    if not questions:
        return out
    answers = Answer.objects.filter(
        _answer_filter(survey, date_from, date_to, area, uq.pk if uq else None)
    )
    # Questions by the Answer column that holds their answers.
    by_column: dict[str, list[int]] = defaultdict(list)
    for q in questions:
        by_column[kinds.of(q).column].append(q.pk)

    answered = dict(
        answers.values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
        .values_list("question_id", "n")
    )

    # Choices, scale points and grid cells: one GROUP BY.
    cells: dict[int, dict[tuple[Any, Any], int]] = defaultdict(dict)
    scaled = by_column.get("choice", [])
    if scaled:
        for qid, row, choice, n in (
            answers.filter(question_id__in=scaled, choice__isnull=False)
            .values("question_id", "row", "choice")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("question_id", "row", "choice", "n")
        ):
            cells[qid][(row, choice)] = n

    # Ratings: the value given, as a number.
    rated = [q.pk for q in questions if kinds.of(q).column == "number" and kinds.of(q).category]
    ratings = _counts_by_value(answers, rated, "number")

    # Numbers and ratings: count, mean, min, max.
    summaries: dict[int, dict[str, Any]] = {}
    numeric = by_column.get("number", [])
    if numeric:
        for stat in (
            answers.filter(question_id__in=numeric, number__isnull=False)
            .values("question_id")
            .annotate(n=Count("id"), mean=Avg("number"), low=Min("number"), high=Max("number"))
            .order_by()
        ):
            summaries[stat["question_id"]] = dict(stat)

    # Units: answers per area.
    units = _counts_by_value(answers, by_column.get("area", []), "area_id")

    # Dates: answers per day.
    days: dict[int, list[tuple[Any, int]]] = defaultdict(list)
    if by_column.get("date"):
        for qid, day, n in (
            answers.filter(question_id__in=by_column["date"], date__isnull=False)
            .values("question_id", "date")
            .annotate(n=Count("id"))
            .order_by("question_id", "date")
            .values_list("question_id", "date", "n")
        ):
            days[qid].append((day, n))

    # Written answers (free text and "Khác"): how many, and the first few.
    with_other = [q.pk for q in questions if kinds.of(q).written or kinds.of(q).has_choices]
    texts_q = answers.filter(question_id__in=with_other).exclude(text="")
    text_counts = dict(
        texts_q.values("question_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("question_id", "n")
    )
    samples = first_texts(texts_q, TEXT_SAMPLE) if text_counts else {}

    out.area_ids = sorted(units[uq.pk]) if uq is not None else []
    _assemble(
        out, questions, answered, cells, ratings, summaries, units, days, text_counts, samples
    )
    medians(out, answers)
    return out


def _counts_by_value(
    answers: QuerySet[Answer], question_ids: list[int], column: str
) -> dict[int, dict[Any, int]]:
    """By question of `question_ids`: how many of its answers hold each value of
    `column` (empty ones left out). One GROUP BY."""
    counts: dict[int, dict[Any, int]] = defaultdict(dict)
    if question_ids:
        for qid, value, n in (
            answers.filter(question_id__in=question_ids, **{f"{column}__isnull": False})
            .values("question_id", column)
            .annotate(n=Count("id"))
            .order_by()
            .values_list("question_id", column, "n")
        ):
            counts[qid][value] = n
    return counts


def medians(out: SurveyResults, answers: QuerySet[Answer]) -> None:
    """The median of each number question: one or two values fetched by offset
    (one query per number question, never the whole column)."""
    for result in out:
        if result.numbers is None or not result.numbers.count:
            continue
        n = result.numbers.count
        lo, hi = (n - 1) // 2, n // 2
        middle = [
            v
            for v in answers.filter(question_id=result.question_id, number__isnull=False)
            .order_by("number")
            .values_list("number", flat=True)[lo : hi + 1]
            if v is not None
        ]
        if middle:
            result.numbers.median = sum(middle) / len(middle)
