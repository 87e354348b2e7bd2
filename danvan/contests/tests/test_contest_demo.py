"""The demo contest over the demo district: its bank, rounds, people and attempts."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from danvan.contests.demo import SLUG, load_bank_file, load_contest_demo
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Award,
    Category,
    Choice,
    Contest,
    ContestStatus,
    Participant,
    Prize,
    PrizeKind,
    Question,
    Round,
    RoundQuota,
)
from danvan.core.tests.helpers import row_counts
from danvan.core.text import fold


def test_bank_file_is_well_formed() -> None:
    data = load_bank_file()
    assert data["source"]
    assert len(data["categories"]) >= 3
    questions = [q for c in data["categories"] for q in c["questions"]]
    assert len(questions) >= 45
    folded = [fold(q["text"]) for q in questions]
    assert len(set(folded)) == len(folded), "two questions are the same"
    multiple = 0
    for q in questions:
        assert q["text"].strip() and q["explanation"].strip(), q["text"]
        assert len(q["choices"]) == 4, q["text"]
        assert len({fold(c) for c in q["choices"]}) == 4, q["text"]
        assert q["correct"] and set(q["correct"]) <= {0, 1, 2, 3}, q["text"]
        assert len(set(q["correct"])) == len(q["correct"]) < 4, q["text"]
        multiple += len(q["correct"]) > 1
    assert multiple >= 3


@pytest.mark.django_db
def test_demo_contest(demo: Any) -> None:
    contest = load_contest_demo()
    assert contest.slug == SLUG
    assert contest.status == ContestStatus.PUBLISHED
    assert contest.organization.name == "Ban Dân vận Thành ủy Cần Thơ"
    assert contest.target_area.code == "92" and contest.target_area.valid_to is None
    assert not contest.require_cccd and contest.retention_days == 180
    assert "<script" not in contest.rules and "180 ngày" in contest.rules
    assert "10 câu hỏi" in contest.rules and "<strong>" in contest.intro

    # The bank.
    questions = Question.objects.filter(contest=contest)
    assert questions.count() >= 45
    assert Category.objects.filter(contest=contest).count() >= 3
    for q in questions.prefetch_related("choices"):
        choices = list(q.choices.all())
        assert len(choices) == 4, q.text
        right = sum(c.correct for c in choices)
        assert right >= 1, q.text
        assert q.multiple == (right > 1), q.text
        assert q.explanation.strip(), q.text
    assert questions.filter(multiple=True).count() >= 3
    folded = list(questions.values_list("text_folded", flat=True))
    assert len(set(folded)) == len(folded)

    # Three weekly rounds: one over, one open, one to come; quotas the bank can meet.
    now = timezone.now()
    rounds = list(Round.objects.filter(contest=contest).order_by("number"))
    assert [r.number for r in rounds] == [1, 2, 3]
    assert rounds[0].closes_at < now
    assert rounds[1].opens_at <= now < rounds[1].closes_at and rounds[1].is_open
    assert rounds[2].opens_at > now
    for rnd in rounds:
        assert rnd.question_count == 10 and rnd.max_attempts == 3
        assert rnd.time_limit_seconds == 600
        quotas = list(RoundQuota.objects.filter(round=rnd))
        assert sum(q.count for q in quotas) == rnd.question_count
        for quota in quotas:
            assert quota.count <= questions.filter(category=quota.category).count()
        prizes = dict(Prize.objects.filter(round=rnd).values_list("kind", "quantity"))
        assert prizes == {
            PrizeKind.FIRST: 1,
            PrizeKind.SECOND: 2,
            PrizeKind.THIRD: 3,
            PrizeKind.CONSOLATION: 5,
        }
    collective = Prize.objects.get(contest=contest, round=None)
    assert collective.kind == PrizeKind.COLLECTIVE and collective.quantity == 3

    # People and their attempts.
    participants = Participant.objects.filter(contest=contest)
    assert 100 <= participants.count() <= 150
    phones = list(participants.values_list("phone", flat=True))
    assert len(set(phones)) == len(phones)
    assert all(p.startswith("09") and len(p) == 10 and p.isdigit() for p in phones)
    assert not participants.exclude(cccd_hash="").exists()
    city = contest.target_area
    for p in participants.select_related("area"):
        assert p.area.path.startswith(city.path) and p.area.valid_to is None
        assert p.birth_date is not None and 1950 <= p.birth_date.year <= 2008
    for rnd in rounds[:2]:
        attempts = Attempt.objects.filter(round=rnd)
        assert attempts.exists()
        assert not attempts.exclude(status=AttemptStatus.SUBMITTED).exists()
        for a in attempts:
            assert a.score is not None and 0 <= a.score <= rnd.question_count
            assert len(a.paper) == rnd.question_count
            assert rnd.opens_at <= a.started_at < a.submitted_at <= rnd.closes_at
            assert a.submitted_at <= now
            assert a.prediction is not None and 100 <= a.prediction <= 150
        per_person: dict[int, int] = {}
        for pid, n in attempts.values_list("participant_id", "number"):
            per_person[pid] = max(n, per_person.get(pid, 0))
        assert max(per_person.values()) <= 3
        counted = attempts.filter(counted=True)
        assert counted.count() == len(per_person)
    assert Attempt.objects.filter(round=rounds[0]).values("participant").distinct().count() == (
        participants.count()
    )
    assert not Attempt.objects.filter(round=rounds[2]).exists()
    scores = list(Attempt.objects.filter(round__contest=contest).values_list("score", flat=True))
    average = sum(scores) / len(scores)
    assert 5.5 <= average <= 8.5

    # Loading again adds nothing.
    models = (Contest, Question, Choice, Participant, Attempt)
    counts = row_counts(*models)
    again = load_contest_demo()
    assert again.pk == contest.pk
    assert row_counts(*models) == counts


@pytest.mark.django_db
def test_demo_contest_needs_the_district() -> None:
    from danvan.core.demo import DemoError

    with pytest.raises(DemoError, match="nạp dữ liệu mẫu"):
        load_contest_demo()
    assert not Contest.objects.exists()


@pytest.mark.django_db
def test_demo_publishes_past_rounds_with_winners_and_collective_standings(
    demo: Any, client: Any
) -> None:
    contest = load_contest_demo()
    first = contest.rounds.get(number=1)
    assert first.status == "published"
    assert first.awards.filter(participant__isnull=False).count() == 11
    overall = Award.objects.filter(prize__contest=contest, round__isnull=True, area__isnull=False)
    assert overall.count() == 3
    page = client.get(contest.get_absolute_url()).content.decode()
    assert "Giải chung cuộc" in page and overall.first().published_name in page
