"""Crosstabs of a survey's results: the answers to one question broken down by
the answers to another (a choice question, or the unit question by commune).
By the survey's unit question the counts come from the tally's slices
(`tally.by_unit`); by another question they are GROUP BY over the answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone

from danvan.core.models import Area
from danvan.core.places import area_places
from danvan.core.text import vn_sort_key
from danvan.surveys import kinds, tally
from danvan.surveys.models import Answer, Question, Survey
from danvan.surveys.result_types import (
    OTHER,
    OTHER_LABEL,
    _choice_label,
    _percent,
    choices_of,
    percent_vi,
    rating_bounds,
    rating_label,
)
from danvan.surveys.results import (
    _answer_filter,
    _cache_key,
    _cached,
    _sliced_stamp,
    _store,
    unit_question,
)


@dataclass
class CrossRow:
    label: str
    counts: list[int]
    total: int  # respondents of the row (answering both questions)
    column_bases: list[int] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[int, str]]:
        """(count, share of the column's respondents) per column."""
        return [
            (n, percent_vi(_percent(n, base)))
            for n, base in zip(self.counts, self.column_bases, strict=True)
        ]


@dataclass
class Crosstab:
    question_id: int
    by_id: int
    question_text: str
    by_text: str
    columns: list[str]
    rows: list[CrossRow]
    column_totals: list[int]  # respondents in each column (answering both questions)
    total: int  # respondents answering both questions
    computed_at: datetime | None = None

    @property
    def column_cells(self) -> list[tuple[int, str]]:
        return [(n, percent_vi(_percent(n, self.total))) for n in self.column_totals]


def can_crosstab(question: Question) -> bool:
    return kinds.of(question).category


def can_break_down_by(question: Question) -> bool:
    return kinds.of(question).breaks_down


def crosstab(
    survey: Survey,
    question: Question,
    by: Question,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    area: Area | None = None,
) -> Crosstab:
    """The answers to `question` (rows) broken down by the answers to `by`
    (columns): a choice question of the survey, or its unit question (by
    commune). A cell counts the respondents who gave both answers; its share
    is of the column's respondents. Cached `RESULTS_TTL` s."""
    if question.survey_id != survey.pk or by.survey_id != survey.pk:
        raise ValueError("Câu hỏi không thuộc cuộc khảo sát này.")
    if not can_crosstab(question) or not can_break_down_by(by) or question.pk == by.pk:
        raise ValueError("Không lập được bảng chéo cho cặp câu hỏi này.")
    key = _cache_key(
        "crosstab", survey, question.pk, by.pk, date_from, date_to, area.pk if area else None
    )
    hit = _cached(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    stamp = _sliced_stamp()
    out = _crosstab(survey, question, by, date_from, date_to, area)
    _store(key, out, stamp)
    return out


def _row_keys(question: Question) -> tuple[str, list[Any], list[str]]:
    """(Answer field, category keys, labels) of the rows."""
    if kinds.of(question).column == "number":  # ratings
        low, high = rating_bounds(question)
        keys: list[Any] = [float(v) for v in range(low, high + 1)]
        return "number", keys, [rating_label(v) for v in keys]
    labels = choices_of(question)
    keys = list(range(len(labels)))
    if kinds.of(question).has_choices and (question.options or {}).get("other"):
        keys.append(OTHER)
        labels = [*labels, OTHER_LABEL]
    return "choice", keys, labels


def _sliced_by(survey: Survey, by: Question) -> bool:
    """Whether the tally's slices hold the breakdown by `by`: the survey's unit
    question (the first one), whose answer each slice row is cut by."""
    uq = unit_question(survey)
    return uq is not None and uq.pk == by.pk


def _joined_counts(
    survey: Survey,
    question: Question,
    by: Question,
    row_field: str,
    by_units: bool,
    date_from: date | None,
    date_to: date | None,
    area: Area | None,
) -> tuple[list[tuple[Any, Any, int]], list[tuple[Any, int]], dict[Any, int], int]:
    """The crosstab's respondents counted with GROUP BY over the answers to
    `question` joined, through their response, to the answers to `by`: (row
    value, column value, n), (column value, n), {row value: n}, total."""
    by_field = "area_id" if by_units else "choice"
    joined = (
        Answer.objects.filter(_answer_filter(survey, date_from, date_to, area))
        .filter(question_id=question.pk, **{f"{row_field}__isnull": False})
        .filter(
            response__answers__question_id=by.pk,
            **{f"response__answers__{by_field}__isnull": False},
        )
    )
    other = f"response__answers__{by_field}"
    pairs = list(
        joined.values(row_field, other)
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
        .values_list(row_field, other, "n")
    )
    bases = list(
        joined.values(other)
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
        .values_list(other, "n")
    )
    row_totals = dict(
        joined.values(row_field)
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
        .values_list(row_field, "n")
    )
    total = joined.aggregate(n=Count("response_id", distinct=True))["n"] or 0
    return pairs, bases, row_totals, total


def _crosstab(
    survey: Survey,
    question: Question,
    by: Question,
    date_from: date | None,
    date_to: date | None,
    area: Area | None,
) -> Crosstab:
    row_field, row_keys, row_labels = _row_keys(question)
    by_units = kinds.of(by).column == "area"
    if by_units and _sliced_by(survey, by):
        # By the survey's unit question: added up from the tally's slices.
        questions = list(Question.objects.filter(survey_id=survey.pk).values_list("pk", flat=True))
        tally.up_to_date(survey, questions, by.pk)
        pairs, answered = tally.by_unit(
            survey, questions, by.pk, question.pk,
            date_from=date_from, date_to=date_to, area=area,
        )  # fmt: skip
        bases = list(answered.items())
        row_totals: dict[Any, int] = defaultdict(int)
        for key, _unit, n in pairs:
            row_totals[key] += n
        total = sum(answered.values())
    else:
        pairs, bases, row_totals, total = _joined_counts(
            survey, question, by, row_field, by_units, date_from, date_to, area
        )

    # Columns: the choices of `by`, or communes (a hamlet counts for its commune;
    # each response names one unit, so the sums are exact).
    column_of: dict[Any, Any]
    if by_units:
        places = area_places({a for _r, a, _n in pairs} | {a for a, _n in bases})
        column_of = {a: p.commune_id for a, p in places.items()}
        communes = {p.commune_id: p.commune for p in places.values()}
        col_keys: list[Any] = sorted(communes, key=lambda c: vn_sort_key(communes[c]))
        col_labels = [communes[c] for c in col_keys]
    else:
        by_labels = choices_of(by)
        col_keys = list(range(len(by_labels)))
        col_labels = list(by_labels)
        if kinds.of(by).has_choices and (
            (by.options or {}).get("other") or any(a == OTHER for a, _n in bases)
        ):
            col_keys.append(OTHER)
            col_labels.append(OTHER_LABEL)
        column_of = {k: k for k in col_keys}
    index = {k: i for i, k in enumerate(col_keys)}

    column_totals = [0] * len(col_keys)
    for key, n in bases:
        i = index.get(column_of.get(key))
        if i is not None:
            column_totals[i] += n
    grid: dict[Any, list[int]] = {k: [0] * len(col_keys) for k in row_keys}
    for r, c, n in pairs:
        i = index.get(column_of.get(c))
        if i is None:
            continue
        if r not in grid:
            grid[r] = [0] * len(col_keys)
            row_keys.append(r)
            row_labels.append(
                rating_label(r) if row_field == "number" else _choice_label(row_labels, r)
            )
        grid[r][i] += n
    rows = [
        CrossRow(label, grid[k], row_totals.get(k, 0), column_totals)
        for k, label in zip(row_keys, row_labels, strict=True)
    ]
    return Crosstab(
        question_id=question.pk,
        by_id=by.pk,
        question_text=question.text,
        by_text=by.text,
        columns=col_labels,
        rows=rows,
        column_totals=column_totals,
        total=total,
        computed_at=timezone.now(),
    )
