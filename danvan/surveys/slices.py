"""The tally's slices: the same counts as `Tally`, per day a response was
received and per day and unit it named (`TallySlice`), so that results filtered
by dates or by unit add up rows instead of counting answers.

`add` is called by `tally._advance` under the tally's lock, with the answer-id
range it is counting (see `danvan.surveys.tally` for why the range is safe).
Nothing goes through Python: one GROUP BY over the fresh answers, joined to
their response (the day) and to the response's answer to the unit question
(the unit), fills a temporary table; the rows of both grains are added from it
with `INSERT ... SELECT ... ON CONFLICT DO UPDATE SET n = n + excluded.n`. The
upsert finds a row by columns that are never NULL (`key` holds the value as
text), which PostgreSQL and SQLite both accept. Questions that store several
answers a response (multiple choice, grid) count their respondents with one
more GROUP BY (COUNT DISTINCT) over their own answers.

A response's answers are always written in one transaction, so its unit answer
is in the same range as its other answers: the join never misses it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection

from danvan.surveys.models import (
    Answer,
    Kind,
    Question,
    Response,
    SliceGrain,
    TallyPart,
    TallySlice,
)

DELTA = "danvan_slice_delta"  # the temporary table of one `add`
MULTI_ROW = (Kind.MULTIPLE, Kind.GRID)  # kinds that store several answers a response


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _text(column: str) -> str:
    return f"COALESCE(CAST({column} AS TEXT), '')"


@dataclass
class Fresh:
    """The answers a call of `add` counted, whole survey (what `Tally` adds):
    {(question, row, choice, number, area, date): answers}, {question:
    respondents}, {question: answers with a text}."""

    values: dict[tuple[Any, ...], int] = field(default_factory=dict)
    answered: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    written: dict[int, int] = field(default_factory=dict)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))  # SQLite hands dates back as text


def add(survey_id: int, qids: list[int], unit_question_id: int | None, low: int, top: int) -> Fresh:
    """Add the answers with ids in (low, top] to the survey's slices: every step
    in the database (a GROUP BY into a temporary table, then upserts from it).
    Returns their counts for the whole survey, read from the same table."""
    fresh = Fresh()
    if not qids or top <= low:
        return fresh
    answer, response = _q(Answer._meta.db_table), _q(Response._meta.db_table)
    row, day = _q("row"), _q("date")
    marks = ", ".join(["%s"] * len(qids))
    if unit_question_id is not None:
        unit = "COALESCE(u.area_id, 0)"
        join = f"LEFT JOIN {answer} u ON u.response_id = a.response_id AND u.question_id = %s"
        join_params: list[Any] = [unit_question_id]
        group_unit = ", u.area_id"
    else:
        unit, join, join_params, group_unit = "0", "", [], ""
    source = (
        f"FROM {answer} a JOIN {response} r ON r.id = a.response_id {join} "
        f"WHERE a.question_id IN ({marks}) AND a.id > %s AND a.id <= %s"
    )
    source_params = [*join_params, *qids, low, top]
    multi = list(
        Question.objects.filter(pk__in=qids, kind__in=MULTI_ROW).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {DELTA}")
        # One row per value, day and unit: how many answers, how many with a text.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {DELTA} AS SELECT a.question_id AS question_id, "
            f"a.{row} AS vrow, a.choice AS choice, a.number AS number, a.area_id AS area, "
            f"a.{day} AS vdate, r.received_on AS day, {unit} AS unit, COUNT(*) AS n, "
            f"SUM(CASE WHEN a.text <> '' THEN 1 ELSE 0 END) AS written, "
            f"MIN(CASE WHEN a.text <> '' THEN a.id END) AS first_id, "
            f"MAX(CASE WHEN a.text <> '' THEN a.id END) AS last_id {source} "
            f"GROUP BY a.question_id, a.{row}, a.choice, a.number, a.area_id, a.{day}, "
            f"r.received_on{group_unit}",
            source_params,
        )
        key = " || '|' || ".join(_text(c) for c in ("vrow", "choice", "number", "area", "vdate"))
        values = f"question_id, '{TallyPart.VALUE}', {key}, vrow, choice, number, area, vdate"
        value_group = "question_id, vrow, choice, number, area, vdate"
        for grain, unit_col, group in (
            (SliceGrain.UNIT, "unit", ", unit"),
            (SliceGrain.DAY, "0", ""),
        ):
            _insert(
                cursor, survey_id, grain, unit_col, values, "SUM(n)", f"{value_group}, day{group}"
            )
            blank = "'', NULL, NULL, NULL, NULL, NULL"
            written = f"question_id, '{TallyPart.WRITTEN}', {blank}"
            _insert(
                cursor, survey_id, grain, unit_col, written, "SUM(written)",
                f"question_id, day{group}", having="SUM(written) > 0", bounds=True,
            )  # fmt: skip
            # A question of one answer a response: its respondents are its answers.
            answered = f"question_id, '{TallyPart.ANSWERED}', {blank}"
            single = (
                "question_id NOT IN (" + ", ".join(str(int(m)) for m in multi) + ")"
                if multi
                else ""
            )
            _insert(
                cursor, survey_id, grain, unit_col, answered, "SUM(n)",
                f"question_id, day{group}", where=single,
            )  # fmt: skip
        cursor.execute(
            f"SELECT {value_group}, SUM(n), SUM(written) FROM {DELTA} GROUP BY {value_group}"
        )
        for qid, grid_row, choice, number, area, on, n, texts in cursor.fetchall():
            fresh.values[(qid, grid_row, choice, number, area, _date(on))] = int(n)
            if texts:
                fresh.written[qid] = fresh.written.get(qid, 0) + int(texts)
            if qid not in multi:
                fresh.answered[qid] += int(n)
        cursor.execute(f"DROP TABLE {DELTA}")
        if not multi:
            return fresh
        # Several answers a response: count the respondents.
        marks_multi = ", ".join(["%s"] * len(multi))
        cursor.execute(
            f"CREATE TEMPORARY TABLE {DELTA} AS SELECT a.question_id AS question_id, "
            f"r.received_on AS day, {unit} AS unit, COUNT(DISTINCT a.response_id) AS n "
            f"{source} AND a.question_id IN ({marks_multi}) "
            f"GROUP BY a.question_id, r.received_on{group_unit}",
            [*source_params, *multi],
        )
        for grain, unit_col, group in (
            (SliceGrain.UNIT, "unit", ", unit"),
            (SliceGrain.DAY, "0", ""),
        ):
            answered = f"question_id, '{TallyPart.ANSWERED}', '', NULL, NULL, NULL, NULL, NULL"
            _insert(
                cursor, survey_id, grain, unit_col, answered, "SUM(n)", f"question_id, day{group}"
            )
        # A response has one day and one unit: its question's respondents add up.
        cursor.execute(f"SELECT question_id, SUM(n) FROM {DELTA} GROUP BY question_id")
        for qid, n in cursor.fetchall():
            fresh.answered[qid] += int(n)
        cursor.execute(f"DROP TABLE {DELTA}")
    return fresh


def _insert(
    cursor: Any,
    survey_id: int,
    grain: str,
    unit: str,
    columns: str,
    total: str,
    group: str,
    *,
    where: str = "",
    having: str = "",
    bounds: bool = False,
) -> None:
    """Add the rows of the delta table, grouped by `group`, to the slices (with
    `bounds`, the lowest and highest answer id too: the new answers' ids are
    all above the ones counted before, so an existing row keeps its lowest)."""
    table = _q(TallySlice._meta.db_table)
    columns_in = [
        "survey_id", "grain", "unit", "day", "question_id", "part", "key",
        "row", "choice", "number", "area", "date", "n",
    ]  # fmt: skip
    select = f"%s, %s, {unit}, day, {columns}, {total}"
    n = _q("n")
    update = f"{n} = {table}.{n} + excluded.{n}"
    if bounds:
        columns_in += ["first_id", "last_id"]
        select += ", MIN(first_id), MAX(last_id)"
        last = _q("last_id")
        update += f", {last} = excluded.{last}"
    unique = ", ".join(_q(c) for c in columns_in[:7])
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(_q(c) for c in columns_in)}) SELECT {select} "
        f"FROM {DELTA} WHERE {where or 'TRUE'} GROUP BY {group}"
        + (f" HAVING {having}" if having else "")
        + f" ON CONFLICT ({unique}) DO UPDATE SET {update}",
        [survey_id, grain],
    )
