"""Results of a survey: counts, percentages, averages, medians, the newest
written answers.

The figures come from the survey's tally (`danvan.surveys.tally`): exact counts
brought up to date incrementally, a few hundred rows whatever the number of
responses; filtered by dates or unit, from its slices (the same counts per day
and unit, `danvan.surveys.slices`). Answers are never counted for a page: a
handful of queries whatever the number of responses. Beside this module:
`result_types` (what a result is made of, and its labels), `crosstabs` (one
question broken down by another), `texts` (search and the list of written
answers) and `recount` (the plain GROUP BY the tally is checked against).

Definitions (the results page says them too):

* the base of a question's percentages is the number of respondents who
  answered it (skipped or hidden by skip logic: not counted). A multiple-choice
  question's percentages can add up to more than 100%;
* rating: the average of the values given; agreement and grid rows: the
  average on the five-point scale, 1 = "Rất không đồng ý" … 5 = "Rất đồng ý";
* "Khác" (other) is the choice -1; what people wrote there is listed with the
  free-text answers;
* filters: responses received from `date_from` to `date_to` inclusive; a unit
  keeps the responses whose answer to the survey's unit question lies in it
  (a commune keeps its hamlets).

Results are cached per (survey, filters) for at most `RESULTS_TTL` seconds, so
they are at most that stale while responses come in; unfiltered ones are
brought up to date by one request at a time once `REFRESH_AFTER` s old (see
`_tallied`); filtered ones share one refresh per `tally.ADVANCE_EVERY` s. The
written answers listed are the newest by answer id.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from danvan.core.cache import LocalCache
from danvan.core.charts import every_day
from danvan.core.models import Area
from danvan.core.places import area_places
from danvan.core.text import vn_sort_key
from danvan.surveys import kinds, tally
from danvan.surveys.models import Answer, Kind, Question, Response, Survey
from danvan.surveys.result_types import QuestionResult, SurveyResults

RESULTS_TTL = 5  # seconds: the issue asks for results at most 5 s stale
REFRESH_AFTER = 3  # seconds: unfiltered figures this old are brought up to date
LOCK_SECONDS = 180  # the longest a refresh may hold the lock (a first count of 1M responses)
LOCK_POLL = 0.02  # seconds between looks while another request refreshes
TEXT_SAMPLE = 20  # free-text answers listed per question on the results page
SEARCH_LIMIT = 50  # answers listed per question when searching


def _clock() -> float:
    """Wall-clock seconds (a function, so tests can move time forward)."""
    return time.time()


# --- Filters -----------------------------------------------------------------------


def unit_question(survey: Survey) -> Question | None:
    """The survey's (first) unit question, used by the unit filter and crosstabs."""
    return (
        Question.objects.filter(survey_id=survey.pk, kind=Kind.UNIT)
        .order_by("section__position", "position")
        .first()
    )


def responses_in(
    survey: Survey,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    area: Area | None = None,
    unit_question_id: int | None = None,
) -> QuerySet[Response]:
    """The survey's responses kept by the filters (a lazy queryset)."""
    qs = Response.objects.filter(survey_id=survey.pk)
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    if area is not None:
        if unit_question_id is None:
            uq = unit_question(survey)
            unit_question_id = uq.pk if uq else None
        if unit_question_id is None:
            return qs.none()
        in_unit = Answer.objects.filter(
            question_id=unit_question_id, area__path__startswith=area.path
        ).values("response_id")
        qs = qs.filter(pk__in=in_unit)
    return qs


_LOOK_UP = -1


def _answer_filter(
    survey: Survey,
    date_from: date | None,
    date_to: date | None,
    area: Area | None,
    unit_question_id: int | None = _LOOK_UP,
) -> Q:
    """The same filters, as a condition on Answer rows (through their response)."""
    q = Q(response__survey_id=survey.pk)
    if date_from:
        q &= Q(response__received_on__gte=date_from)
    if date_to:
        q &= Q(response__received_on__lte=date_to)
    if area is not None:
        if unit_question_id == _LOOK_UP:
            uq = unit_question(survey)
            unit_question_id = uq.pk if uq else None
        if unit_question_id is None:
            return Q(pk__in=[])
        q &= Q(
            response_id__in=Answer.objects.filter(
                question_id=unit_question_id, area__path__startswith=area.path
            ).values("response_id")
        )
    return q


def _cache_key(kind: str, survey: Survey, *parts: Any) -> str:
    return f"surveys:{kind}:{survey.pk}:" + ":".join("" if p is None else str(p) for p in parts)


def _cached(key: str) -> Any:
    hit = cache.get(key)
    if hit is None:
        return None
    stamp, value = hit
    # The cache's own expiry is the main guard; this one also holds for a
    # backend that keeps entries a little longer (whole seconds).
    if _clock() - stamp >= RESULTS_TTL:
        return None
    return value


def _store(key: str, value: Any, stamp: float | None = None) -> None:
    """Cache `value`, counted from figures as of `stamp` (default: now)."""
    cache.set(key, (_clock() if stamp is None else stamp, value), RESULTS_TTL)


def _sliced_stamp() -> float:
    """As of when filtered figures are complete: their refresh may have begun up
    to `tally.ADVANCE_EVERY` s before (shared by a burst of filtered pages), so
    they are cached that much shorter and stay at most `RESULTS_TTL` s stale."""
    return _clock() - tally.ADVANCE_EVERY


# --- Results -----------------------------------------------------------------------


def survey_results(
    survey: Survey,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    area: Area | None = None,
) -> SurveyResults:
    """Per question: counts and percentages, averages, grid rows, number
    statistics and a sample of the written answers, at most `RESULTS_TTL` s old.

    Unfiltered, the figures come from the survey's tally (`danvan.surveys.tally`),
    brought up to date by one request at a time; with a date or unit filter they
    are counted directly with GROUP BY queries and cached `RESULTS_TTL` s."""
    key = _cache_key("results", survey, date_from, date_to, area.pk if area else None)
    if date_from is None and date_to is None and area is None:
        return _tallied(survey, key)
    hit = _cached(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    stamp = _sliced_stamp()
    out = _from_slices(survey, date_from, date_to, area)
    _store(key, out, stamp)
    return out


def forget_cached(survey: Survey) -> None:
    cache.delete(_cache_key("results", survey, None, None, None))
    _LOCAL.clear()  # this process; the others keep theirs at most REFRESH_AFTER s


def _tallied(survey: Survey, key: str) -> SurveyResults:
    """The unfiltered results, from the cache while younger than `REFRESH_AFTER`
    seconds; then one request (the one that gets the lock) brings the tally up
    to date while the others keep showing the cached figures, until they are
    `RESULTS_TTL` old: from then on a request waits for the refresh rather than
    show older figures. So the page is at most `RESULTS_TTL` s stale and at
    most one refresh of a survey runs at a time (no stampede).

    Figures younger than `REFRESH_AFTER` are also kept in the process (`_LOCAL`),
    so most requests neither read nor unpickle them from the cache."""
    local = _LOCAL.get(key)
    if local is not None and _clock() - local[0] < REFRESH_AFTER:
        return local[1]  # type: ignore[no-any-return]
    hit = cache.get(key)
    if hit is not None:
        stamp, value = hit
        age = _clock() - stamp
        if age < REFRESH_AFTER:
            _LOCAL.set(key, hit)
            return value  # type: ignore[no-any-return]
        if age < RESULTS_TTL and not cache.add(_lock_key(survey), 1, LOCK_SECONDS):
            return value  # type: ignore[no-any-return]  # someone else is refreshing
        if age < RESULTS_TTL:
            return _refresh_locked(survey, key)
    waited_until = time.monotonic() + LOCK_SECONDS
    while not cache.add(_lock_key(survey), 1, LOCK_SECONDS):
        time.sleep(LOCK_POLL)
        hit = cache.get(key)
        if hit is not None and _clock() - hit[0] < RESULTS_TTL:
            return hit[1]  # type: ignore[no-any-return]
        if time.monotonic() > waited_until:
            break  # the refresher died holding the lock: go on without it
    return _refresh_locked(survey, key)


def _lock_key(survey: Survey) -> str:
    return f"surveys:tally-lock:{survey.pk}"


# Unfiltered figures kept in the process while younger than REFRESH_AFTER.
_LOCAL = LocalCache(ttl=REFRESH_AFTER, size=64)


def _refresh_locked(survey: Survey, key: str) -> SurveyResults:
    try:
        stamp = _clock()  # the figures hold everything sent before this instant
        out = _from_tally(survey)
        cache.set(key, (stamp, out), LOCK_SECONDS)
        _LOCAL.set(key, (stamp, out))
        return out
    finally:
        cache.delete(_lock_key(survey))


def _questions(survey: Survey) -> list[Question]:
    return list(
        Question.objects.filter(survey_id=survey.pk)
        .select_related("section")
        .order_by("section__position", "position", "pk")
    )


def _unit_question_of(questions: list[Question]) -> Question | None:
    return next((q for q in questions if q.kind == Kind.UNIT), None)


def _from_tally(survey: Survey) -> SurveyResults:
    questions = _questions(survey)
    uq = _unit_question_of(questions)
    counts = tally.refresh(survey, [q.pk for q in questions], uq.pk if uq else None)
    samples = _newest_texts([qid for qid, n in counts.written.items() if n], TEXT_SAMPLE)
    return _from_counts(questions, counts, samples)


def _from_slices(
    survey: Survey, date_from: date | None, date_to: date | None, area: Area | None
) -> SurveyResults:
    """The filtered results, added up from the tally's slices (`tally.filtered`)."""
    questions = _questions(survey)
    uq = _unit_question_of(questions)
    uq_id = uq.pk if uq else None
    qids = [q.pk for q in questions]
    tally.up_to_date(survey, qids, uq_id)
    counts = tally.filtered(
        survey,
        qids,
        uq_id,
        date_from=date_from,
        date_to=date_to,
        area=area,
    )
    written = [qid for qid, n in counts.written.items() if n]
    where = _answer_filter(survey, date_from, date_to, area, uq_id)
    samples = _newest_texts(written, TEXT_SAMPLE, where, counts.bounds)
    return _from_counts(questions, counts, samples)


def _from_counts(
    questions: list[Question], counts: tally.Counts, samples: dict[int, list[str]]
) -> SurveyResults:
    out = SurveyResults()
    out.tallied = True
    out.computed_at = timezone.now()
    out.total = counts.total
    cells: dict[int, dict[tuple[Any, Any], int]] = defaultdict(dict)
    ratings: dict[int, dict[Any, int]] = defaultdict(dict)
    summaries: dict[int, dict[str, Any]] = {}
    units: dict[int, dict[int, int]] = defaultdict(dict)
    days: dict[int, list[tuple[Any, int]]] = defaultdict(list)
    histograms: dict[int, dict[float, int]] = {}
    for q in questions:
        values = counts.values.get(q.pk, {})
        kind = kinds.of(q)
        if kind.column == "choice":
            for (row, choice, _number, _area, _day), n in values.items():
                if choice is not None:
                    cells[q.pk][(row, choice)] = cells[q.pk].get((row, choice), 0) + n
        elif kind.column == "number":
            histogram: dict[float, int] = defaultdict(int)
            for (_row, _choice, number, _area, _day), n in values.items():
                if number is not None:
                    histogram[number] += n
            if kind.category:
                ratings[q.pk] = dict(histogram)
            if histogram:
                total = sum(histogram.values())
                summaries[q.pk] = {
                    "n": total,
                    "mean": sum(v * n for v, n in histogram.items()) / total,
                    "low": min(histogram),
                    "high": max(histogram),
                }
                histograms[q.pk] = histogram
        elif kind.column == "area":
            for (_row, _choice, _number, area_id, _day), n in values.items():
                if area_id is not None:
                    units[q.pk][area_id] = units[q.pk].get(area_id, 0) + n
        elif kind.column == "date":
            per_day: dict[Any, int] = defaultdict(int)
            for (_row, _choice, _number, _area, day), n in values.items():
                if day is not None:
                    per_day[day] += n
            days[q.pk] = every_day(sorted(per_day.items()), longest=92)
    uq = _unit_question_of(questions)
    out.area_ids = sorted(units[uq.pk]) if uq is not None else []
    _assemble(
        out, questions, counts.answered, cells, ratings, summaries, units, days,
        counts.written, samples,
    )  # fmt: skip
    for result in out:
        if result.numbers is not None:
            counted = histograms.get(result.question_id)
            if counted:
                result.numbers.median = _histogram_median(counted)
    return out


def _histogram_median(histogram: dict[float, int]) -> float:
    """The median of the values counted in `histogram` (value -> how many)."""
    n = sum(histogram.values())
    lo, hi = (n - 1) // 2, n // 2
    picked: list[float] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        if seen <= lo < seen + count:
            picked.append(value)
        if seen <= hi < seen + count:
            picked.append(value)
            break
        seen += count
    return sum(picked) / len(picked)


def _newest_texts(
    question_ids: list[int],
    limit: int,
    where: Q | None = None,
    bounds: dict[int, tuple[int, int]] | None = None,
) -> dict[int, list[str]]:
    """The newest `limit` written answers of each question (kept by the filter
    `where` when given): a walk down the `answer_written` index per question,
    newest first, that stops at the `limit`-th answer kept. `bounds` (from the
    slices) narrows the walk to the id range in which the filter's written
    answers lie, so a past week does not walk through every newer answer."""
    out: dict[int, list[str]] = {}
    for qid in question_ids:
        qs = Answer.objects.filter(question_id=qid).exclude(text="")
        if bounds and qid in bounds:
            low, high = bounds[qid]
            qs = qs.filter(id__gte=low, id__lte=high)
        if where is not None:
            qs = qs.filter(where)
        out[qid] = list(qs.order_by("-id").values_list("text", flat=True)[:limit])
    return out


def _assemble(
    out: SurveyResults,
    questions: list[Question],
    answered: dict[int, int],
    cells: dict[int, dict[tuple[Any, Any], int]],
    ratings: dict[int, dict[Any, int]],
    summaries: dict[int, dict[str, Any]],
    units: dict[int, dict[int, int]],
    days: dict[int, list[tuple[Any, int]]],
    text_counts: dict[int, int],
    samples: dict[int, list[str]],
) -> None:
    """The questions' results from the counts (whichever way they were counted)."""
    places = area_places(a for per_q in units.values() for a in per_q)
    out.unit_choices = _unit_choices(out.area_ids, places)
    for number, q in enumerate(questions, start=1):
        result = QuestionResult(
            question_id=q.pk,
            number=number,
            section=q.section.title,
            kind=q.kind,
            kind_label=q.get_kind_display(),
            text=q.text,
            responses=out.total,
            answered=answered.get(q.pk, 0),
            text_count=text_counts.get(q.pk, 0),
            texts=samples.get(q.pk, []),
        )
        figures = kinds.Figures(
            cells.get(q.pk, {}),
            ratings.get(q.pk, {}),
            summaries.get(q.pk),
            units.get(q.pk, {}),
            days.get(q.pk, []),
            places,
        )
        kinds.of(q).fill(result, q, figures)
        out.append(result)


def _unit_choices(area_ids: list[int], places: dict[int, Any]) -> list[tuple[int, str]]:
    communes: dict[int, str] = {}
    hamlets: dict[int, set[tuple[int, str]]] = {}
    for area_id in area_ids:
        p = places.get(area_id)
        if p is None:
            continue
        communes[p.commune_id] = p.commune
        if p.hamlet_id is not None:
            hamlets.setdefault(p.commune_id, set()).add((p.hamlet_id, p.hamlet))
    out: list[tuple[int, str]] = []
    for cid in sorted(communes, key=lambda c: vn_sort_key(communes[c])):
        out.append((cid, communes[cid]))
        for hid, name in sorted(hamlets.get(cid, set()), key=lambda h: vn_sort_key(h[1])):
            out.append((hid, f"— {name}"))
    return out


def questions_of(survey: Survey, kinds: Iterable[str]) -> list[Question]:
    return list(
        Question.objects.filter(survey_id=survey.pk, kind__in=list(kinds)).order_by(
            "section__position", "position", "pk"
        )
    )
