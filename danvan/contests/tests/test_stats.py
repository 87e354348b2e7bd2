"""Statistics equal a plain recount of the raw rows; charts are safe, well-formed SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from danvan.contests import services
from danvan.contests.models import Attempt, Choice, Round, RoundQuota
from danvan.contests.stats import (
    FINISHED,
    age_band,
    contest_statistics,
    question_statistics,
    round_statistics,
)
from danvan.contests.tests.factories import make_participant, make_world, right_answers
from danvan.core import charts
from danvan.core import services as core
from danvan.core.models import Area, AreaKind, OrgKind, Role
from danvan.core.tests.factories import make_staff
from danvan.core.text import VN_TZ

SVG = "{http://www.w3.org/2000/svg}"


# --- A small world with finished, expired and running attempts ---------------------


def _take(rnd: Round, participant: Any, *, right: int, at: datetime, late: bool = False) -> Attempt:
    attempt = services.start_attempt(rnd, participant, now=at)
    correct = right_answers(attempt)
    answers: dict[str, list[int]] = {}
    for i, (qid, cids) in enumerate(attempt.paper):
        if i < right:
            answers[str(qid)] = correct[str(qid)]
        else:  # a wrong choice
            wrong = [c for c in cids if c not in correct[str(qid)]]
            answers[str(qid)] = wrong[:1]
    if late:
        services.save_answers(attempt, answers, now=at + timedelta(seconds=5))
        services.submit_attempt(attempt.token, {}, 7, now=attempt.hard_deadline() + timedelta(1))
    else:
        services.submit_attempt(attempt.token, answers, 100, now=at + timedelta(seconds=90))
    attempt.refresh_from_db()
    return attempt


@pytest.fixture
def world(db: Any) -> Any:
    w = make_world(question_count=4, max_attempts=3)
    now = timezone.now()
    Round.objects.filter(pk=w.round.pk).update(opens_at=now - timedelta(days=3))
    w.round.refresh_from_db()
    union = core.create_organization(
        name="Hội LHPN xã Phụng Hiệp", kind=OrgKind.WOMEN, area=w.commune
    )
    ref = w.round.opens_at.astimezone(VN_TZ).date()
    people = [
        make_participant(w.contest, w.hamlet, birth_date=date(ref.year - 17, 1, 1), sex="male"),
        make_participant(
            w.contest, w.hamlet, organization=union, occupation="student", sex="female"
        ),
        make_participant(w.contest, w.commune, birth_date=None, sex="", occupation="farmer"),
        make_participant(
            w.contest, w.other_commune, birth_date=date(ref.year - 70, 6, 1), occupation="retired"
        ),
        make_participant(w.contest, w.other_commune, birth_date=date(ref.year - 40, 6, 1)),
    ]
    d2, d1, d0 = now - timedelta(days=2), now - timedelta(days=1), now - timedelta(minutes=30)
    _take(w.round, people[0], right=1, at=d2)
    _take(w.round, people[0], right=4, at=d1)  # a better second attempt
    _take(w.round, people[1], right=4, at=d1)
    _take(w.round, people[2], right=2, at=d0, late=True)  # expired: saved answers count
    _take(w.round, people[3], right=0, at=d0)
    services.start_attempt(w.round, people[4], now=now)  # still running
    w.people = people
    return w


def _commune_of(area: Any) -> Any:
    return Area.objects.get_parent(area) if area.kind == AreaKind.HAMLET else area


def recount(rnd: Round) -> dict[str, Any]:
    """The figures counted the slow, obvious way from the raw rows."""
    rows = list(Attempt.objects.filter(round=rnd).select_related("participant__area"))
    finished = [a for a in rows if a.status in FINISHED]
    counted = [a for a in finished if a.counted]
    ref = rnd.opens_at.astimezone(VN_TZ).date()

    def group(key: Any) -> dict[Any, tuple[int, int]]:
        people: dict[Any, set[int]] = defaultdict(set)
        attempts: Counter[Any] = Counter()
        for a in finished:
            k = key(a)
            people[k].add(a.participant_id)
            attempts[k] += 1
        return {k: (len(people[k]), attempts[k]) for k in attempts}

    correct: dict[int, set[int]] = defaultdict(set)
    for cid, qid in Choice.objects.filter(correct=True).values_list("id", "question_id"):
        correct[qid].add(cid)
    drawn: Counter[int] = Counter()
    right: Counter[int] = Counter()
    for a in finished:
        for qid, _cids in a.paper:
            drawn[qid] += 1
            if set(a.answers.get(str(qid)) or []) == correct[qid]:
                right[qid] += 1
    return {
        "participants": len({a.participant_id for a in finished}),
        "attempts": len(finished),
        "per_day": group(lambda a: timezone.localtime(a.submitted_at, VN_TZ).date()),
        "communes": group(lambda a: _commune_of(a.participant.area).name),
        "hamlets": {
            k: v
            for k, v in group(
                lambda a: (
                    a.participant.area.name if a.participant.area.kind == AreaKind.HAMLET else None
                )
            ).items()
            if k is not None
        },
        "organizations": group(lambda a: a.participant.organization_id),
        "ages": group(lambda a: age_band(a.participant.birth_date, ref)),
        "sexes": group(lambda a: a.participant.sex),
        "occupations": group(lambda a: a.participant.occupation),
        "scores": Counter(a.score for a in counted),
        "perfect": sum(1 for a in counted if a.score == rnd.question_count),
        "average": sum(a.score or 0 for a in counted) / len(counted) if counted else None,
        "questions": {q: (drawn[q], right[q]) for q in drawn},
    }


def _nonzero(rows: list[Any]) -> dict[str, tuple[int, int]]:
    return {r.key: (r.participants, r.attempts) for r in rows if r.participants or r.attempts}


def test_round_statistics_equal_a_recount(world: Any) -> None:
    rnd = world.round
    stats = round_statistics(rnd)
    want = recount(rnd)

    assert stats.participants == want["participants"] == 4
    assert stats.attempts == want["attempts"] == 5
    assert stats.in_progress == 1
    assert {d.day: (d.participants, d.attempts) for d in stats.per_day} == want["per_day"]
    assert {r.label: (r.participants, r.attempts) for r in stats.communes} == want["communes"]
    assert {r.label.split(",")[0]: (r.participants, r.attempts) for r in stats.hamlets} == want[
        "hamlets"
    ]
    assert {
        (None if r.key == "none" else int(r.key)): (r.participants, r.attempts)
        for r in stats.organizations
    } == want["organizations"]
    assert _nonzero(stats.age_bands) == want["ages"]
    assert _nonzero(stats.sexes) == want["sexes"]
    assert _nonzero(stats.occupations) == want["occupations"]
    assert dict(stats.score_distribution) == {
        s: want["scores"].get(s, 0) for s in range(rnd.question_count + 1)
    }
    assert stats.scored == sum(want["scores"].values()) == 4
    assert stats.perfect == want["perfect"] == 2
    assert stats.average_score == pytest.approx(want["average"])
    assert {q.question_id: (q.drawn, q.right) for q in stats.questions} == want["questions"]
    rates = [q.rate for q in stats.questions]
    assert rates == sorted(rates), "hardest first"


def test_fixed_groups_are_listed_in_order_even_when_empty(world: Any) -> None:
    stats = round_statistics(world.round)
    assert [r.label for r in stats.age_bands][:5] == [
        "Dưới 18 tuổi",
        "18–30 tuổi",
        "31–45 tuổi",
        "46–60 tuổi",
        "Trên 60 tuổi",
    ]
    assert stats.age_bands[-1].label == "Không rõ"  # one participant gave no birth date
    assert [r.label for r in stats.sexes] == ["Nam", "Nữ", "Không khai"]
    assert "Không thuộc tổ chức nào" in [r.label for r in stats.organizations]


def test_age_bands_at_the_boundaries(db: Any) -> None:
    w = make_world()
    ref = w.round.opens_at.astimezone(VN_TZ).date()
    births = []
    for years in (18, 31, 46, 61):
        on_birthday = ref.replace(year=ref.year - years)
        births += [on_birthday, on_birthday + timedelta(days=1)]
    for born in births:
        p = make_participant(w.contest, w.hamlet, birth_date=born)
        _take(w.round, p, right=1, at=timezone.now())
    stats = round_statistics(w.round)
    want = Counter(age_band(b, ref) for b in births)
    assert {r.key: r.participants for r in stats.age_bands if r.participants} == dict(want)
    assert want == {"under_18": 1, "18_30": 2, "31_45": 2, "46_60": 2, "over_60": 1}


def test_days_are_counted_in_vietnam_time(world: Any) -> None:
    # 18:30 UTC on 1/3 is 01:30 on 2/3 in Việt Nam.
    late_evening = datetime(2025, 3, 1, 18, 30, tzinfo=UTC)
    Attempt.objects.filter(round=world.round, status__in=FINISHED).update(submitted_at=late_evening)
    stats = round_statistics(world.round)
    assert [d.day for d in stats.per_day] == [date(2025, 3, 2)]
    assert stats.per_day[0].attempts == 5


def test_a_quiet_day_is_a_zero_not_a_gap(world: Any) -> None:
    finished = list(Attempt.objects.filter(round=world.round, status__in=FINISHED))
    Attempt.objects.filter(pk=finished[0].pk).update(
        submitted_at=datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
    )
    Attempt.objects.filter(pk__in=[a.pk for a in finished[1:]]).update(
        submitted_at=datetime(2025, 3, 4, 3, 0, tzinfo=UTC)
    )
    stats = round_statistics(world.round)
    assert [(d.day.day, d.attempts) for d in stats.per_day] == [(1, 1), (2, 0), (3, 0), (4, 4)]


def test_results_are_cached_per_round(world: Any, django_assert_num_queries: Any) -> None:
    first = round_statistics(world.round)
    with django_assert_num_queries(0):
        again = round_statistics(world.round)
    assert again.attempts == first.attempts
    _take(world.round, world.people[4], right=1, at=timezone.now())
    assert round_statistics(world.round).attempts == first.attempts  # still cached (30 s)
    assert round_statistics(world.round, fresh=True).attempts == first.attempts + 1


def test_question_table_streams_and_judges_inactive_questions(world: Any) -> None:
    stats = question_statistics(world.round)
    some = stats[0]
    # Take the question out of the bank: its answers are judged from the database.
    from danvan.contests.models import Question

    Question.objects.filter(pk=some.question_id).update(active=False)
    cache.delete(f"contests:stats:questions:{world.round.pk}")
    again = {q.question_id: (q.drawn, q.right) for q in question_statistics(world.round)}
    assert again[some.question_id] == (some.drawn, some.right)


def test_contest_statistics_sum_the_rounds(world: Any) -> None:
    now = timezone.now()
    second = Round.objects.create(
        contest=world.contest,
        number=2,
        title="Tuần 2",
        opens_at=now - timedelta(hours=2),
        closes_at=now + timedelta(days=7),
        question_count=4,
    )
    for cat in world.categories:
        RoundQuota.objects.create(round=second, category=cat, count=2)
    _take(second, world.people[0], right=3, at=now - timedelta(minutes=10))
    _take(second, world.people[4], right=2, at=now - timedelta(minutes=10))

    stats = contest_statistics(world.contest)
    r1 = round_statistics(world.round)
    r2 = round_statistics(second)
    assert [r.number for r in stats.rounds] == [1, 2]
    assert [(r.participants, r.attempts) for r in stats.rounds] == [
        (r1.participants, r1.attempts),
        (r2.participants, r2.attempts),
    ]
    assert stats.attempts == r1.attempts + r2.attempts == 7
    assert stats.participant_rounds == r1.participants + r2.participants == 6
    assert stats.participants == 5  # people[0] took part in both rounds: once here
    assert stats.registered == 5
    assert stats.rounds[0].perfect == r1.perfect
    assert sum(r.attempts for r in stats.communes) == stats.attempts


def test_empty_round(db: Any) -> None:
    w = make_world()
    stats = round_statistics(w.round)
    assert (stats.participants, stats.attempts, stats.perfect) == (0, 0, 0)
    assert stats.average_score is None and stats.average_display == "—"
    assert stats.score_distribution == [(s, 0) for s in range(w.round.question_count + 1)]
    assert stats.questions == [] and stats.per_day == []


# --- The pages ---------------------------------------------------------------------


def board_admin_page(world: Any, client: Any, url: str, assert_max_num_queries: Any) -> str:
    """The page as the board administrator of the province, in at most 30 queries."""
    boss = make_staff("bdv.cantho.test", Role.BOARD_ADMIN, area=world.province)
    client.force_login(boss)
    with assert_max_num_queries(30):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()  # type: ignore[no-any-return]


def test_round_page_shows_numbers_and_charts_in_bounded_queries(
    world: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("contests_stats:round_stats", args=[world.round.pk])
    body = board_admin_page(world, client, url, django_assert_max_num_queries)
    assert body.count('role="img"') >= 8
    assert "Câu hỏi khó nhất" in body and "Phổ điểm" in body
    assert "Xã Phụng Hiệp" in body and "Ấp Phụng Thạnh" in body
    assert reverse("contests_stats:export_results", args=[world.round.pk]) in body
    with django_assert_max_num_queries(12):  # cached now
        assert client.get(url).status_code == 200


def test_contest_page_in_bounded_queries(
    world: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    url = reverse("contests_stats:contest_stats", args=[world.contest.pk])
    body = board_admin_page(world, client, url, django_assert_max_num_queries)
    assert reverse("contests_stats:round_stats", args=[world.round.pk]) in body
    assert reverse("contests_stats:export_participants", args=[world.contest.pk]) in body


def test_names_are_escaped_on_the_page(world: Any, client: Any) -> None:
    evil = core.create_organization(
        name="<script>alert(1)</script>", kind=OrgKind.YOUTH, area=world.commune
    )
    p = make_participant(world.contest, world.hamlet, organization=evil)
    _take(world.round, p, right=1, at=timezone.now())
    client.force_login(make_staff("bdv.x", Role.BOARD_ADMIN, area=world.province))
    body = client.get(reverse("contests_stats:round_stats", args=[world.round.pk])).content
    assert b"<script>alert(1)</script>" not in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body


# --- Charts ------------------------------------------------------------------------


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed XML or it raises
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    # Drawn at its width; `svg.chart { max-width: 100% }` in danvan.css fits it to the page.
    assert float(root.get("width") or 0) > 0 and root.get("viewBox")
    assert root.find(f"{SVG}title") is not None
    return root


def test_bar_chart_is_well_formed_and_escapes_text() -> None:
    svg = charts.bar_chart(
        [("<script>alert('x')</script>", 1234567), ("Ấp Phụng Thạnh & Co", 3), ("Không", 0)],
        'Theo "tổ chức" <b>',
    )
    root = _parse(svg)
    assert "<script>" not in svg and "<b>" not in svg
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>alert('x')</script>" in texts
    assert "1.234.567" in texts
    assert root.find(f"{SVG}title").text == 'Theo "tổ chức" <b>'
    assert len(root.findall(f".//{SVG}rect")) == 3
    assert len(svg) < 3000


def test_column_chart_and_histogram_are_well_formed() -> None:
    days = [(f"{d:02d}/01", d * 100) for d in range(1, 32)]
    root = _parse(charts.column_chart(days, "Lượt thi theo ngày", y_title="Lượt thi"))
    assert len(root.findall(f".//{SVG}rect")) == 31
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "3.100" in labels or "3.000" in labels or "3.200" in labels  # grouped ticks

    hist = _parse(charts.histogram([(s, s * s) for s in range(11)], "Phổ điểm"))
    titles = [t.text for t in hist.iter(f"{SVG}title")]
    assert "Điểm 10: 100 người" in titles


def test_empty_charts_say_so() -> None:
    for svg in (
        charts.bar_chart([], "Trống"),
        charts.column_chart([], "Trống"),
        charts.histogram([], "Trống"),
    ):
        root = _parse(svg)
        assert "Chưa có số liệu." in "".join(root.itertext())


def test_vietnamese_number_formatting() -> None:
    assert charts.vn_number(0) == "0"
    assert charts.vn_number(1234) == "1.234"
    assert charts.vn_number(1234567) == "1.234.567"
    assert charts.vn_number(12.5) == "12,5"


def test_pages_of_an_empty_round(db: Any, client: Any) -> None:
    w = make_world()
    client.force_login(make_staff("bdv.trong", Role.BOARD_ADMIN, area=w.province))
    for url in (
        reverse("contests_stats:round_stats", args=[w.round.pk]),
        reverse("contests_stats:contest_stats", args=[w.contest.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Chưa có" in response.content.decode()
