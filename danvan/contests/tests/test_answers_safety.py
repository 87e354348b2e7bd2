"""Answers are shown only when no round still to run can draw their question.

All rounds of a contest draw from one bank: a closed round's answers must not
give away the answers of questions an open or future round still asks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from danvan.contests.models import Attempt, Contest, Round, RoundQuota, ShowAnswers
from danvan.contests.public_helpers import participant_key, verified_key
from danvan.contests.services import start_attempt, submit_attempt
from danvan.contests.tests.factories import make_participant, make_world, right_answers

pytestmark = pytest.mark.django_db


def signed_in(contest_id: int, participant_id: int) -> Client:
    client = Client()
    session = client.session
    session[participant_key(contest_id)] = participant_id
    session[verified_key(contest_id)] = True
    session.save()
    return client


def sat(world: Any, rnd: Round | None = None) -> tuple[Client, Attempt]:
    """A participant's submitted attempt of the round (the world's first round)."""
    rnd = rnd or world.round
    p = make_participant(world.contest, world.hamlet)
    attempt = start_attempt(rnd, p)
    attempt = submit_attempt(attempt.token, right_answers(attempt), "12").attempt
    return signed_in(world.contest.pk, p.pk), attempt


def close(rnd: Round, ago: timedelta = timedelta(minutes=1)) -> None:
    Round.objects.filter(pk=rnd.pk).update(
        opens_at=timezone.now() - timedelta(days=8), closes_at=timezone.now() - ago
    )


def add_round(world: Any, number: int, opens_in: timedelta, quotas: dict[int, int]) -> Round:
    now = timezone.now()
    rnd = Round.objects.create(
        contest=world.contest,
        number=number,
        title=f"Tuần {number}",
        opens_at=now + opens_in,
        closes_at=now + opens_in + timedelta(days=7),
        question_count=4,
    )
    for index, count in quotas.items():
        RoundQuota.objects.create(round=rnd, category=world.categories[index], count=count)
    return rnd


def result(client: Client, attempt: Attempt) -> tuple[str, dict[int, dict[str, Any]]]:
    response = client.get(reverse("contests:result", args=[attempt.token]))
    assert response.status_code == 200
    return response.content.decode(), {q["id"]: q for q in response.context["questions"]}


def category_of(world: Any, qid: int) -> int:
    return next(i for i, c in enumerate(world.categories) if c.questions.filter(pk=qid).exists())


def shown(item: dict[str, Any]) -> bool:
    return "explanation" in item or any("correct" in c for c in item["choices"])


@pytest.fixture
def world() -> Any:
    return make_world(show_answers=ShowAnswers.AFTER_CLOSE)  # draws 2 + 2 from topics 1 and 2


def test_answers_an_open_round_can_draw_stay_hidden(world: Any) -> None:
    client, attempt = sat(world)
    close(world.round)
    add_round(world, 2, -timedelta(hours=1), {0: 4})  # open now, draws topic 1 only
    body, questions = result(client, attempt)
    assert len(questions) == 4
    for qid, item in questions.items():
        assert shown(item) is (category_of(world, qid) == 1), item
        if not shown(item):
            assert "right" not in item  # not even whether the answer given was right
    assert "Tuần 2" in body and "vẫn có thể ra" in body
    # Nothing of a hidden question's answer is on the page.
    marked = sum(1 for item in questions.values() for c in item["choices"] if c.get("correct"))
    assert body.count("— đáp án đúng") == marked
    assert body.count('class="explanation') == sum(shown(i) for i in questions.values())


def test_a_future_round_drawing_from_the_whole_bank_hides_them_all(world: Any) -> None:
    client, attempt = sat(world)
    close(world.round)
    add_round(world, 2, timedelta(days=1), {0: 1})  # 1 from topic 1, 3 from anywhere
    body, questions = result(client, attempt)
    assert not any(shown(item) for item in questions.values())
    assert "đáp án đúng" not in body and "Giải thích câu" not in body


def test_answers_show_once_no_such_round_remains(world: Any) -> None:
    client, attempt = sat(world)
    close(world.round, ago=timedelta(days=2))
    later = add_round(world, 2, -timedelta(days=1), {0: 2, 1: 2})
    _body, questions = result(client, attempt)
    assert not any(shown(item) for item in questions.values())
    close(later)
    body, questions = result(client, attempt)
    assert all(shown(item) for item in questions.values())
    assert "Giải thích câu" in body


def test_after_submit_still_hides_what_another_round_can_draw(world: Any) -> None:
    Round.objects.filter(pk=world.round.pk).update(show_answers=ShowAnswers.AFTER_SUBMIT)
    world.round.refresh_from_db()
    client, attempt = sat(world)
    _body, questions = result(client, attempt)  # its own round open: the organiser's choice
    assert all(shown(item) for item in questions.values())
    add_round(world, 2, timedelta(days=7), {1: 4})
    _body, questions = result(client, attempt)
    for qid, item in questions.items():
        assert shown(item) is (category_of(world, qid) == 0)


def test_the_round_pages_say_which_questions_a_round_draws(world: Any, client: Any) -> None:
    from danvan.core.models import Role
    from danvan.core.tests.factories import make_staff

    client.force_login(make_staff("bdv.tp", Role.BOARD_ADMIN, area=world.province))
    form = client.get(reverse("contests_staff:round_edit", args=[world.round.pk]))
    body = form.content.decode()
    assert "không còn đợt thi nào đang mở hoặc sắp mở có thể ra câu đó" in body
    detail = client.get(reverse("contests_staff:round_detail", args=[world.round.pk]))
    body = detail.content.decode()
    assert "Chỉ ra câu từ các chủ đề: Chủ đề 1, Chủ đề 2" in body
    add_round(world, 2, timedelta(days=7), {0: 1})
    body = client.get(reverse("contests_staff:round_detail", args=[world.round.pk])).content
    text = body.decode()
    assert "Tuần 2" in text and "cũng có thể ra" in text


# --- The demo ----------------------------------------------------------------------------


def test_the_demo_week_one_result_shows_only_safe_answers(full_demo: Any) -> None:
    from danvan.contests.demo import SLUG

    contest = Contest.objects.get(slug=SLUG)
    week1, *later = list(contest.rounds.order_by("number"))
    still_drawn = set(
        RoundQuota.objects.filter(round__in=later, count__gt=0).values_list(
            "category_id", flat=True
        )
    )
    attempt = Attempt.objects.filter(round=week1).select_related("participant").first()
    assert attempt is not None
    client = signed_in(contest.pk, attempt.participant_id)
    response = client.get(reverse("contests:result", args=[attempt.token]))
    questions = response.context["questions"]
    assert questions
    from danvan.contests.models import Question

    categories = dict(
        Question.objects.filter(pk__in=[q["id"] for q in questions]).values_list(
            "pk", "category_id"
        )
    )
    assert any(shown(q) for q in questions)  # the demo's week 1 answers are shown...
    for q in questions:
        assert not (shown(q) and categories[q["id"]] in still_drawn), q["text"]  # ...when safe
