"""The results tally: exact counts behind a survey's unfiltered results page,
brought up to date incrementally, so the page never aggregates every answer.

What is kept (`Tally` rows, a few hundred a survey):

* per question, how many responses answered it;
* per question and value (grid row, choice, number, unit, date), how many
  answers hold it; a number question keeps one row per distinct value, from
  which its mean, minimum, maximum and median are exact;
* per question, how many answers carry a text (free text or "Khác");
* per day, how many responses were received (days that can no longer change).

How it moves forward (`refresh`): `TallyState.watermark` is the highest answer
id already counted. A refresh reads the current top answer id and counts only
the answers of the survey between the watermark and that top (a range of the
primary key: the answers that arrived since the last refresh), in one pass
that fills the slices (`danvan.surveys.slices`: the same counts per day
received and per unit named, behind filtered pages) and hands back the
whole-survey counts, which are added in here. One refresher at a time: the
state row is locked (`SELECT ... FOR UPDATE`) while the counts are merged and
the watermark moved, in one transaction. A filtered page (`filtered`, `by_unit`)
runs the same refresh, then adds up the slices it needs.

Why the top id is safe to use: answer ids come from a sequence when a response
is written, and transactions commit in any order, so an id below the highest
committed one can still be in flight. On PostgreSQL every response is written
holding a shared advisory lock of its survey (`services.submit_response`); the
refresher takes that lock exclusively for the instant it reads the top id, so
no response of the survey is in flight at that moment, and every response
written later gets higher ids. A response's answers are written in one
transaction, so they are always counted together. SQLite writes one
transaction at a time: an uncommitted answer always has a higher id than any
committed one.

Responses that answered nothing have no answer row: the total number of
responses is counted per received day. Days at least `SETTLE_DAYS` old are
final (a response's day is set when it is written) and kept in the tally; the
recent days are counted at each refresh (an index range of two days).

Deletions: the app never deletes single responses (they go with their survey,
and the tally with it; a question can only be deleted from a draft, and its
tally rows go with it). Code that deletes responses must call `forget(survey)`
afterwards: the next refresh then counts everything again from the start.

Nothing here records a time of day: when the figures were computed lives in
the cache entry of the results (see `results.survey_results`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Min, Sum

from danvan.core.models import Area
from danvan.core.text import VN_TZ
from danvan.surveys import slices
from danvan.surveys.models import (
    Answer,
    Response,
    SliceGrain,
    Survey,
    Tally,
    TallyPart,
    TallySlice,
    TallyState,
)

SETTLE_DAYS = 2  # a day this many days back or more takes no new response
# PostgreSQL advisory lock key of a survey's write barrier: (namespace << 32) | survey id.
BARRIER_NAMESPACE = 0x53_56  # "SV"


def barrier_key(survey_id: int) -> int:
    return (BARRIER_NAMESPACE << 32) | int(survey_id)


def _today() -> date:
    from django.utils import timezone

    return timezone.now().astimezone(VN_TZ).date()


def _top_answer_id(survey_id: int) -> int:
    """The highest answer id such that no answer of the survey with a lower id
    can still appear (see the module docstring)."""
    table = connection.ops.quote_name(Answer._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(f"SELECT max(id) FROM {table}")
            row = cursor.fetchone()
            return int(row[0] or 0) if row else 0
        key = barrier_key(survey_id)
        # A session lock, held for two statements only (not to the end of any
        # transaction the caller may be in). The second statement's snapshot is
        # taken after the lock was granted: it sees every finished response.
        cursor.execute("SELECT pg_advisory_lock(%s::bigint)", [key])
        try:
            cursor.execute(
                f"SELECT (SELECT max(id) FROM {table}), pg_advisory_unlock(%s::bigint)", [key]
            )
            row = cursor.fetchone()
        except BaseException:
            try:
                cursor.execute("SELECT pg_advisory_unlock(%s::bigint)", [key])
            except Exception:
                connection.close()  # never hand a pooled connection back holding it
            raise
    return int(row[0] or 0) if row else 0


def _state_for_update(survey_id: int) -> TallyState:
    qs = TallyState.objects.select_for_update()
    state = qs.filter(survey_id=survey_id).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            return TallyState.objects.create(survey_id=survey_id)
    except IntegrityError:  # created meanwhile by another refresher
        return qs.get(survey_id=survey_id)


@dataclass
class Counts:
    """The tally of a survey, read back: what `results` assembles the page from."""

    total: int = 0
    answered: dict[int, int] = field(default_factory=dict)
    # question -> {(row, choice, number, area, date): answers}
    values: dict[int, dict[tuple[Any, ...], int]] = field(default_factory=lambda: defaultdict(dict))
    written: dict[int, int] = field(default_factory=dict)
    # question -> (lowest, highest) id of the written answers counted (filtered only)
    bounds: dict[int, tuple[int, int]] = field(default_factory=dict)


Key = tuple[int | None, str, int | None, int | None, float | None, int | None, date | None]


def _key(row: Tally) -> Key:
    return (row.question_id, row.part, row.row, row.choice, row.number, row.area_id, row.date)


ADVANCE_EVERY = 1.0  # seconds: filtered pages in a burst share one refresh


def _advanced_key(survey_id: int) -> str:
    return f"surveys:tally-advanced:{survey_id}"


def up_to_date(survey: Survey, question_ids: Iterable[int], unit_question_id: int | None) -> float:
    """Bring the tally and its slices up to date, unless a refresh began less
    than `ADVANCE_EVERY` seconds ago (then its figures are used: filtered pages
    opened at once queue for the state row's lock once, not each). Returns the
    time (`time.time()`) before which every response sent is counted."""
    stamp = cache.get(_advanced_key(survey.pk))
    if stamp is not None and time.time() - float(stamp) < ADVANCE_EVERY:
        return float(stamp)
    started = time.time()
    top = _top_answer_id(survey.pk)
    with transaction.atomic():
        _advance(survey, list(question_ids), unit_question_id, top)
    cache.set(_advanced_key(survey.pk), started, 60)
    return started


def refresh(
    survey: Survey, question_ids: Iterable[int], unit_question_id: int | None = None
) -> Counts:
    """Count the answers and responses that arrived since the last refresh, and
    return the whole tally (read in the same transaction, under the lock)."""
    qids = list(question_ids)
    started = time.time()
    top = _top_answer_id(survey.pk)
    with transaction.atomic():
        rows, settle = _advance(survey, qids, unit_question_id, top)
        recent = Response.objects.filter(survey_id=survey.pk, received_on__gt=settle)
        counts = _counts(rows.values())
        counts.total += recent.aggregate(n=Count("id"))["n"] or 0
    cache.set(_advanced_key(survey.pk), started, 60)
    return counts


def filtered(
    survey: Survey,
    question_ids: Iterable[int],
    unit_question_id: int | None,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    area: Area | None = None,
) -> Counts:
    """The tally of the responses received from `date_from` to `date_to` (both
    included) that named a unit inside `area` (the area itself or below it), added
    up from the slices as the last refresh left them (call `up_to_date` first):
    exactly what a recount of those responses gives at that refresh."""
    del question_ids  # the slices hold every question; kept for symmetry with `refresh`
    with transaction.atomic():
        settle = (
            TallyState.objects.filter(survey_id=survey.pk)
            .values_list("settled_until", flat=True)
            .first()
        )
        slices = TallySlice.objects.filter(survey_id=survey.pk)
        if area is not None:
            if unit_question_id is None:
                return Counts()
            slices = slices.filter(grain=SliceGrain.UNIT, unit__in=_units_in(area))
        else:
            slices = slices.filter(grain=SliceGrain.DAY, unit=0)
        if date_from is not None:
            slices = slices.filter(day__gte=date_from)
        if date_to is not None:
            slices = slices.filter(day__lte=date_to)
        out = Counts()
        for qid, part, grid_row, choice, number, area_id, day, n, low, high in (
            slices.values("question_id", "part", "row", "choice", "number", "area", "date")
            .annotate(total=Sum("n"), low=Min("first_id"), high=Max("last_id"))
            .order_by()
            .values_list(
                "question_id",
                "part",
                "row",
                "choice",
                "number",
                "area",
                "date",
                "total",
                "low",
                "high",
            )
        ):
            if part == TallyPart.ANSWERED:
                out.answered[qid] = int(n)
            elif part == TallyPart.WRITTEN:
                out.written[qid] = int(n)
                if low is not None and high is not None:
                    out.bounds[qid] = (int(low), int(high))
            else:
                out.values[qid][(grid_row, choice, number, area_id, day)] = int(n)
        if area is not None:
            # Every response that named a unit answered the unit question once.
            out.total = out.answered.get(unit_question_id, 0)  # type: ignore[arg-type]
        else:
            out.total = _responses_between(survey, settle, date_from, date_to)
    return out


def by_unit(
    survey: Survey,
    question_ids: Iterable[int],
    unit_question_id: int,
    question_id: int,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    area: Area | None = None,
) -> tuple[list[tuple[Any, int, int]], dict[int, int]]:
    """One question's answers per unit named (the responses kept by the filters,
    after the same refresh as `refresh`): [(choice or number, unit, answers)] and
    {unit: respondents}. Responses that named no unit are left out. As
    `filtered`, from the slices as the last refresh left them."""
    del question_ids, unit_question_id  # as `filtered`
    with transaction.atomic():
        slices = TallySlice.objects.filter(
            survey_id=survey.pk, grain=SliceGrain.UNIT, question_id=question_id
        ).exclude(unit=0)
        if area is not None:
            slices = slices.filter(unit__in=_units_in(area))
        if date_from is not None:
            slices = slices.filter(day__gte=date_from)
        if date_to is not None:
            slices = slices.filter(day__lte=date_to)
        pairs: list[tuple[Any, int, int]] = []
        answered: dict[int, int] = {}
        for unit, part, choice, number, n in (
            slices.filter(part__in=[TallyPart.VALUE, TallyPart.ANSWERED])
            .values("unit", "part", "choice", "number")
            .annotate(total=Sum("n"))
            .order_by()
            .values_list("unit", "part", "choice", "number", "total")
        ):
            if part == TallyPart.ANSWERED:
                answered[unit] = int(n)
            elif choice is not None or number is not None:
                pairs.append((choice if choice is not None else number, unit, int(n)))
    return pairs, answered


def _units_in(area: Area) -> list[int]:
    """The ids of `area` and of the units below it, as a list: `unit IN (…)` of a
    few ids walks the slices' index unit by unit, where a subquery may be
    planned as a scan of every slice of the survey."""
    return list(Area.objects.filter(path__startswith=area.path).values_list("id", flat=True))


def _responses_between(
    survey: Survey, settle: date | None, date_from: date | None, date_to: date | None
) -> int:
    """Responses received in the range: the settled days from their tally rows,
    the recent ones counted (an index range of a few days)."""
    days = Tally.objects.filter(survey_id=survey.pk, part=TallyPart.DAY)
    recent = Response.objects.filter(survey_id=survey.pk)
    if settle is not None:
        recent = recent.filter(received_on__gt=settle)
    if date_from is not None:
        days = days.filter(date__gte=date_from)
        recent = recent.filter(received_on__gte=date_from)
    if date_to is not None:
        days = days.filter(date__lte=date_to)
        recent = recent.filter(received_on__lte=date_to)
    settled = days.aggregate(n=Sum("n"))["n"] or 0
    if settle is not None and date_to is not None and date_to <= settle:
        return int(settled)
    return int(settled) + recent.count()


def _advance(
    survey: Survey, qids: list[int], unit_question_id: int | None, top: int
) -> tuple[dict[Key, Tally], date]:
    """Bring the tally and its slices up to `top` (the caller's transaction);
    return the tally rows and the last settled day."""
    settle = _today() - timedelta(days=SETTLE_DAYS)
    state = _state_for_update(survey.pk)
    rows = {_key(row): row for row in Tally.objects.filter(survey_id=survey.pk)}
    delta: dict[Key, int] = defaultdict(int)
    if top > state.watermark and qids:
        # The slices and the whole-survey counts in one pass over the new answers.
        fresh = slices.add(survey.pk, qids, unit_question_id, state.watermark, top)
        for (qid, row, choice, number, area_id, day), n in fresh.values.items():
            delta[(qid, TallyPart.VALUE, row, choice, number, area_id, day)] += n
        for qid, n in fresh.answered.items():
            delta[(qid, TallyPart.ANSWERED, None, None, None, None, None)] += n
        for qid, n in fresh.written.items():
            delta[(qid, TallyPart.WRITTEN, None, None, None, None, None)] += n
        state.watermark = top
    if state.settled_until is None or state.settled_until < settle:
        days = Response.objects.filter(survey_id=survey.pk, received_on__lte=settle)
        if state.settled_until is not None:
            days = days.filter(received_on__gt=state.settled_until)
        for day, n in (
            days.values("received_on")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("received_on", "n")
        ):
            delta[(None, TallyPart.DAY, None, None, None, None, day)] += n
        state.settled_until = settle
    if delta:
        _merge(survey.pk, rows, delta)
        state.save(update_fields=["watermark", "settled_until"])
    return rows, settle


def _merge(survey_id: int, rows: dict[Key, Tally], delta: dict[Key, int]) -> None:
    """Add `delta` to the survey's tally `rows` (in place), updating the rows
    that changed and creating the new ones."""
    changed: list[Tally] = []
    created: list[Tally] = []
    for key, n in delta.items():
        if not n:
            continue
        row = rows.get(key)
        if row is not None:
            row.n += n
            changed.append(row)
        else:
            qid, part, grid_row, choice, number, area_id, day = key
            rows[key] = row = Tally(
                survey_id=survey_id,
                question_id=qid,
                part=part,
                row=grid_row,
                choice=choice,
                number=number,
                area_id=area_id,
                date=day,
                n=n,
            )
            created.append(row)
    if changed:
        Tally.objects.bulk_update(changed, ["n"], batch_size=500)
    if created:
        Tally.objects.bulk_create(created, batch_size=500)


def forget(survey: Survey) -> None:
    """Drop the survey's tally: the next refresh counts everything again. Call
    after deleting responses or answers of a survey that is not being deleted."""
    with transaction.atomic():
        TallyState.objects.filter(survey_id=survey.pk).delete()
        Tally.objects.filter(survey_id=survey.pk).delete()
        TallySlice.objects.filter(survey_id=survey.pk).delete()
    cache.delete(_advanced_key(survey.pk))
    from danvan.surveys import results

    results.forget_cached(survey)


def _counts(rows: Iterable[Tally]) -> Counts:
    out = Counts()
    for row in rows:
        if row.part == TallyPart.DAY:
            out.total += row.n
        elif row.part == TallyPart.ANSWERED and row.question_id is not None:
            out.answered[row.question_id] = row.n
        elif row.part == TallyPart.WRITTEN and row.question_id is not None:
            out.written[row.question_id] = row.n
        elif row.question_id is not None:
            out.values[row.question_id][
                (row.row, row.choice, row.number, row.area_id, row.date)
            ] = row.n
    return out


def total_settled(survey: Survey) -> int:
    """Responses counted in the settled day rows (what a refresh need not count)."""
    rows = Tally.objects.filter(survey_id=survey.pk, part=TallyPart.DAY)
    return int(sum(rows.values_list("n", flat=True)))
