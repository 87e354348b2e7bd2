"""Statistics of a round and of a contest: who took part, where, how they scored,
which questions were hardest.

Every count is an aggregate query (GROUP BY in the database); attempts are never
loaded into Python to be counted. The one exception is the question table: the
drawn questions and the answers live in JSON on each attempt, so it streams the
attempts (`.iterator(chunk_size=2000)`, only `paper` and `answers`) and keeps
two counters per question.

Definitions (the page says them too):

* an attempt counts once it is finished: submitted, or closed at the deadline
  with what was saved ("hết giờ");
* participants are the distinct people with a finished attempt;
* per day is by the date of submission in Việt Nam time;
* the score distribution and the average use the counted attempt of each
  participant (one per person, by the round's rule);
* ages are taken on the first day of the round (of the contest for a contest).

Results are cached for 30 seconds per round (the page stays cheap while a round
is live), the question table for 60 seconds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import Avg, Case, CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from danvan.contests.bank import load_bank
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Choice,
    Contest,
    Occupation,
    Participant,
    Question,
    Round,
    Sex,
)
from danvan.core.charts import every_day
from danvan.core.models import Organization
from danvan.core.places import area_places
from danvan.core.text import VN_TZ, vn_sort_key

T = TypeVar("T")

FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)
STATS_TTL = 30
QUESTIONS_TTL = 60
CHUNK = 2000

AGE_BANDS: list[tuple[str, str]] = [
    ("under_18", "Dưới 18 tuổi"),
    ("18_30", "18–30 tuổi"),
    ("31_45", "31–45 tuổi"),
    ("46_60", "46–60 tuổi"),
    ("over_60", "Trên 60 tuổi"),
    ("unknown", "Không rõ"),
]
NO_ORGANIZATION = "Không thuộc tổ chức nào"
NO_SEX = "Không khai"


# --- Results ---------------------------------------------------------------------


def decimal_vi(value: float | None) -> str:
    """7.25 -> "7,3"; None -> "—"."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


@dataclass
class Row:
    """One group of a breakdown: how many people and how many finished attempts."""

    key: str
    label: str
    participants: int = 0
    attempts: int = 0


@dataclass
class DayRow:
    day: date
    participants: int = 0
    attempts: int = 0


@dataclass
class QuestionStat:
    question_id: int
    text: str
    category: str
    drawn: int = 0
    right: int = 0

    @property
    def wrong(self) -> int:
        return self.drawn - self.right

    @property
    def rate(self) -> float:
        """Share answered right, 0..1 (0 when never drawn)."""
        return self.right / self.drawn if self.drawn else 0.0

    @property
    def percent(self) -> str:
        return f"{100 * self.rate:.1f}%".replace(".", ",")


@dataclass
class Breakdowns:
    participants: int = 0
    attempts: int = 0
    in_progress: int = 0
    per_day: list[DayRow] = field(default_factory=list)
    communes: list[Row] = field(default_factory=list)
    hamlets: list[Row] = field(default_factory=list)
    organizations: list[Row] = field(default_factory=list)
    age_bands: list[Row] = field(default_factory=list)
    sexes: list[Row] = field(default_factory=list)
    occupations: list[Row] = field(default_factory=list)
    computed_at: datetime | None = None


@dataclass
class RoundStats(Breakdowns):
    round_id: int = 0
    question_count: int = 0
    scored: int = 0  # counted attempts: one per participant
    average_score: float | None = None
    perfect: int = 0
    score_distribution: list[tuple[int, int]] = field(default_factory=list)
    questions: list[QuestionStat] = field(default_factory=list)  # hardest first

    def hardest(self, n: int = 10) -> list[QuestionStat]:
        return self.questions[:n]

    @property
    def average_display(self) -> str:
        return decimal_vi(self.average_score)


@dataclass
class RoundSummary:
    """One round's figures on the contest page (`title` may be empty)."""

    round_id: int
    number: int
    title: str
    question_count: int
    participants: int = 0
    attempts: int = 0
    perfect: int = 0
    average_score: float | None = None

    @property
    def average_display(self) -> str:
        return decimal_vi(self.average_score)

    @property
    def label(self) -> str:
        return f"Đợt {self.number}: {self.title}" if self.title else f"Đợt {self.number}"


@dataclass
class ContestStats(Breakdowns):
    contest_id: int = 0
    registered: int = 0
    participant_rounds: int = 0  # the rounds' participants summed (a person once per round)
    rounds: list[RoundSummary] = field(default_factory=list)


# --- Breakdowns (shared by rounds and contests) ------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def age_band_expression(ref: date) -> Case:
    """The age band of the attempt's participant on `ref` (as a SQL CASE)."""
    born = "participant__birth_date"
    return Case(
        When(**{f"{born}__isnull": True}, then=Value("unknown")),
        When(**{f"{born}__gt": _years_before(ref, 18)}, then=Value("under_18")),
        When(**{f"{born}__gt": _years_before(ref, 31)}, then=Value("18_30")),
        When(**{f"{born}__gt": _years_before(ref, 46)}, then=Value("31_45")),
        When(**{f"{born}__gt": _years_before(ref, 61)}, then=Value("46_60")),
        default=Value("over_60"),
        output_field=CharField(),
    )


def age_band(birth_date: date | None, ref: date) -> str:
    """The same band in Python (used by exports and tests)."""
    if birth_date is None:
        return "unknown"
    age = ref.year - birth_date.year - ((ref.month, ref.day) < (birth_date.month, birth_date.day))
    if age < 18:
        return "under_18"
    if age <= 30:
        return "18_30"
    if age <= 45:
        return "31_45"
    if age <= 60:
        return "46_60"
    return "over_60"


def _grouped(finished: QuerySet[Attempt], key: str) -> list[dict[str, Any]]:
    return list(
        finished.values(key)
        .annotate(attempts=Count("id"), participants=Count("participant", distinct=True))
        .order_by()
    )


def _by_size(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-r.participants, -r.attempts, vn_sort_key(r.label)))


def _fixed(choices: list[tuple[str, str]], found: dict[str, Row]) -> list[Row]:
    rows = [found.pop(key, Row(key, label)) for key, label in choices]
    return rows + list(found.values())


def _fill(out: Breakdowns, finished: QuerySet[Attempt], ref: date) -> None:
    """Per day, per place, per organisation, by age band, sex and occupation."""
    found = {
        r["day"]: DayRow(r["day"], r["participants"], r["attempts"])
        for r in finished.annotate(day=TruncDate("submitted_at", tzinfo=VN_TZ))
        .values("day")
        .annotate(attempts=Count("id"), participants=Count("participant", distinct=True))
        .order_by("day")
        if r["day"] is not None
    }
    # Every day from the first to the last: a quiet day is a zero, not a gap.
    out.per_day = [
        found.get(day) or DayRow(day)
        for day, _n in every_day([(d, r.attempts) for d, r in found.items()])
    ]

    by_area = _grouped(finished, "participant__area")
    places = area_places(r["participant__area"] for r in by_area)
    communes: dict[int, Row] = {}
    hamlets: dict[int, Row] = {}
    for r in by_area:
        place = places.get(r["participant__area"])
        if place is None:
            continue
        c = communes.setdefault(place.commune_id, Row(str(place.commune_id), place.commune))
        c.participants += r["participants"]
        c.attempts += r["attempts"]
        if place.hamlet_id is not None:
            h = hamlets.setdefault(
                place.hamlet_id, Row(str(place.hamlet_id), f"{place.hamlet}, {place.commune}")
            )
            h.participants += r["participants"]
            h.attempts += r["attempts"]
    out.communes = _by_size(communes.values())
    out.hamlets = _by_size(hamlets.values())

    by_org = _grouped(finished, "participant__organization")
    org_ids = [r["participant__organization"] for r in by_org if r["participant__organization"]]
    org_names = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    out.organizations = _by_size(
        Row(
            str(r["participant__organization"] or "none"),
            org_names.get(r["participant__organization"], NO_ORGANIZATION),
            r["participants"],
            r["attempts"],
        )
        for r in by_org
    )

    bands = {
        r["band"]: Row(r["band"], dict(AGE_BANDS)[r["band"]], r["participants"], r["attempts"])
        for r in finished.annotate(band=age_band_expression(ref))
        .values("band")
        .annotate(attempts=Count("id"), participants=Count("participant", distinct=True))
        .order_by()
    }
    out.age_bands = _fixed(AGE_BANDS[:-1], bands)  # "Không rõ" only when there are some

    sex_labels = dict(Sex.choices)
    sexes = {
        r["participant__sex"] or "": Row(
            r["participant__sex"] or "",
            sex_labels.get(r["participant__sex"], NO_SEX),
            r["participants"],
            r["attempts"],
        )
        for r in _grouped(finished, "participant__sex")
    }
    out.sexes = _fixed(list(Sex.choices), sexes)

    occ_labels = dict(Occupation.choices)
    occupations = {
        r["participant__occupation"]: Row(
            r["participant__occupation"],
            occ_labels.get(r["participant__occupation"], r["participant__occupation"]),
            r["participants"],
            r["attempts"],
        )
        for r in _grouped(finished, "participant__occupation")
    }
    out.occupations = _fixed(list(Occupation.choices), occupations)


def _cached(key: str, ttl: int, fresh: bool, compute: Callable[[], T]) -> T:
    """`compute()`, kept `ttl` seconds in the cache under `key`; `fresh` recomputes."""
    if not fresh:
        cached = cache.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
    value = compute()
    cache.set(key, value, ttl)
    return value


def _local_date(dt: datetime) -> date:
    return timezone.localtime(dt, VN_TZ).date()


# --- Rounds ------------------------------------------------------------------------


def _round_key(round_id: int) -> str:
    return f"contests:stats:round:{round_id}"


def _questions_key(round_id: int) -> str:
    return f"contests:stats:questions:{round_id}"


def forget_round_statistics(rnd: Round | int) -> None:
    round_id = rnd if isinstance(rnd, int) else rnd.pk
    cache.delete_many([_round_key(round_id), _questions_key(round_id)])


def round_statistics(rnd: Round, *, fresh: bool = False) -> RoundStats:
    """The statistics of one round (cached 30 s; `fresh` recomputes)."""
    return _cached(_round_key(rnd.pk), STATS_TTL, fresh, lambda: _round_statistics(rnd, fresh))


def _round_statistics(rnd: Round, fresh: bool) -> RoundStats:
    now = timezone.now()
    attempts = Attempt.objects.filter(round_id=rnd.pk)
    finished = attempts.filter(status__in=FINISHED)
    is_finished = Q(status__in=FINISHED)
    is_counted = Q(counted=True) & is_finished
    totals = attempts.aggregate(
        attempts=Count("id", filter=is_finished),
        participants=Count("participant", distinct=True, filter=is_finished),
        in_progress=Count("id", filter=Q(status=AttemptStatus.IN_PROGRESS, deadline__gt=now)),
        scored=Count("id", filter=is_counted),
        average=Avg("score", filter=is_counted),
        perfect=Count("id", filter=is_counted & Q(score__gte=rnd.question_count)),
    )
    out = RoundStats(
        round_id=rnd.pk,
        question_count=rnd.question_count,
        participants=totals["participants"],
        attempts=totals["attempts"],
        in_progress=totals["in_progress"],
        scored=totals["scored"],
        average_score=totals["average"],
        perfect=totals["perfect"],
        computed_at=now,
    )
    _fill(out, finished, _local_date(rnd.opens_at))
    counts = dict(
        finished.filter(counted=True)
        .values("score")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("score", "n")
    )
    top = max([rnd.question_count, *(s for s in counts if s is not None)])
    out.score_distribution = [(s, counts.get(s, 0)) for s in range(top + 1)]
    out.questions = question_statistics(rnd, fresh=fresh)
    return out


def question_statistics(rnd: Round, *, fresh: bool = False) -> list[QuestionStat]:
    """Per drawn question: how often drawn and answered right in finished
    attempts, hardest first. Streams the attempts; cached 60 s."""
    return _cached(_questions_key(rnd.pk), QUESTIONS_TTL, fresh, lambda: _question_statistics(rnd))


def _question_statistics(rnd: Round) -> list[QuestionStat]:
    bank = load_bank(rnd.contest_id)
    drawn: Counter[int] = Counter()
    right: Counter[int] = Counter()
    # Questions no longer in the (active) bank: tally the answer sets, judge them after.
    unknown: dict[int, Counter[frozenset[int]]] = defaultdict(Counter)
    rows = (
        Attempt.objects.filter(round_id=rnd.pk, status__in=FINISHED)
        .values_list("paper", "answers")
        .iterator(chunk_size=CHUNK)
    )
    for paper, answers in rows:
        answers = answers or {}
        for item in paper or []:
            qid = item[0]
            drawn[qid] += 1
            chosen = frozenset(answers.get(str(qid)) or ())
            question = bank.questions.get(qid)
            if question is not None:
                if question.correct and chosen == question.correct:
                    right[qid] += 1
            elif chosen:
                unknown[qid][chosen] += 1
    if unknown:
        correct: dict[int, set[int]] = defaultdict(set)
        for cid, qid in Choice.objects.filter(
            question_id__in=list(unknown), correct=True
        ).values_list("id", "question_id"):
            correct[qid].add(cid)
        for qid, tally in unknown.items():
            want = frozenset(correct.get(qid, ()))
            if want:
                right[qid] += tally.get(want, 0)
    texts = {
        pk: (text, category)
        for pk, text, category in Question.objects.filter(pk__in=list(drawn)).values_list(
            "pk", "text", "category__name"
        )
    }
    out = [
        QuestionStat(
            qid,
            texts.get(qid, ("(câu hỏi đã xóa)", ""))[0],
            texts.get(qid, ("", ""))[1],
            n,
            right[qid],
        )
        for qid, n in drawn.items()
    ]
    out.sort(key=lambda q: (q.rate, -q.drawn, q.question_id))
    return out


# --- Contests ----------------------------------------------------------------------


def _contest_key(contest_id: int) -> str:
    return f"contests:stats:contest:{contest_id}"


def contest_statistics(contest: Contest, *, fresh: bool = False) -> ContestStats:
    """The whole contest: every round's figures side by side, the totals summed
    over the rounds, and the breakdowns over all finished attempts (a person who
    took part in several rounds is one participant). Cached 30 s."""
    return _cached(_contest_key(contest.pk), STATS_TTL, fresh, lambda: _contest_statistics(contest))


def _contest_statistics(contest: Contest) -> ContestStats:
    now = timezone.now()
    attempts = Attempt.objects.filter(round__contest_id=contest.pk)
    finished = attempts.filter(status__in=FINISHED)
    is_finished = Q(attempts__status__in=FINISHED)
    is_counted = Q(attempts__counted=True) & is_finished
    rounds = [
        RoundSummary(
            round_id=r.pk,
            number=r.number,
            title=r.title,
            question_count=r.question_count,
            participants=r.n_participants,  # type: ignore[attr-defined]
            attempts=r.n_attempts,  # type: ignore[attr-defined]
            perfect=r.n_perfect,  # type: ignore[attr-defined]
            average_score=r.avg_score,  # type: ignore[attr-defined]
        )
        for r in Round.objects.filter(contest_id=contest.pk)
        .annotate(
            n_attempts=Count("attempts", filter=is_finished),
            n_participants=Count("attempts__participant", distinct=True, filter=is_finished),
            n_perfect=Count(
                "attempts", filter=is_counted & Q(attempts__score__gte=F("question_count"))
            ),
            avg_score=Avg("attempts__score", filter=is_counted),
        )
        .order_by("number")
    ]
    totals = attempts.aggregate(
        participants=Count("participant", distinct=True, filter=Q(status__in=FINISHED)),
        in_progress=Count("id", filter=Q(status=AttemptStatus.IN_PROGRESS, deadline__gt=now)),
    )
    out = ContestStats(
        contest_id=contest.pk,
        registered=Participant.objects.filter(contest_id=contest.pk).count(),
        participants=totals["participants"],
        attempts=sum(r.attempts for r in rounds),
        participant_rounds=sum(r.participants for r in rounds),
        in_progress=totals["in_progress"],
        rounds=rounds,
        computed_at=now,
    )
    _fill(out, finished, _local_date(contest.starts_at))
    return out
