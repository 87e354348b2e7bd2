"""The staff writes of contests (staff_services): each checks the state it
changes under the row's lock, and never writes back what it did not change."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from danvan.contests import staff_services as s
from danvan.contests.models import (
    Contest,
    ContestStatus,
    Prize,
    PrizeKind,
    Question,
    Round,
    RoundStatus,
)
from danvan.contests.tests.factories import World, make_world


@pytest.fixture
def draft(db: Any) -> World:
    return make_world(status=ContestStatus.DRAFT)


def choice_rows(question: Question) -> list[tuple[str, bool]]:
    return [(c.text, c.correct) for c in question.choices.order_by("position")]


def status_of(contest: Contest) -> str:
    return Contest.objects.get(pk=contest.pk).status


def test_status_changes_follow_the_allowed_paths(draft: World) -> None:
    contest = draft.contest
    s.publish_contest(contest)
    assert contest.status == status_of(contest) == ContestStatus.PUBLISHED
    with pytest.raises(ValidationError) as refused:
        s.publish_contest(contest)
    assert refused.value.messages == ["Cuộc thi đang ở trạng thái “Đã công bố”."]
    s.archive_contest(contest)
    assert status_of(contest) == ContestStatus.ARCHIVED
    with pytest.raises(ValidationError):
        s.archive_contest(contest)
    s.unpublish_contest(contest)  # reopening: back to a draft
    assert status_of(contest) == ContestStatus.DRAFT


def test_publishing_is_refused_while_the_bank_cannot_serve_a_round(draft: World) -> None:
    Round.objects.filter(pk=draft.round.pk).update(question_count=50)
    with pytest.raises(ValidationError) as refused:
        s.publish_contest(draft.contest)
    assert refused.value.code == "problems"
    assert refused.value.messages == ["Chưa công bố được cuộc thi; hãy sửa các vấn đề bên dưới."]
    assert status_of(draft.contest) == ContestStatus.DRAFT


def test_saving_details_keeps_a_status_changed_meanwhile(draft: World) -> None:
    """An edit form read the draft; meanwhile someone published it: saving the
    details must not put the draft status back (it used to: the whole row was saved)."""
    stale = Contest.objects.get(pk=draft.contest.pk)
    s.publish_contest(Contest.objects.get(pk=draft.contest.pk))
    stale.title = "Tên mới của cuộc thi"
    s.update_contest(stale)
    fresh = Contest.objects.get(pk=draft.contest.pk)
    assert (fresh.title, fresh.status) == ("Tên mới của cuộc thi", ContestStatus.PUBLISHED)


def test_a_round_being_closed_is_not_edited(draft: World) -> None:
    stale = Round.objects.get(pk=draft.round.pk)
    Round.objects.filter(pk=draft.round.pk).update(status=RoundStatus.CLOSING)
    stale.title = "Tuần một"
    with pytest.raises(ValidationError) as refused:
        s.save_round(stale, {})
    assert refused.value.messages == [
        "Tuần một đang ở trạng thái “Đang tổng hợp kết quả”; không sửa được nữa."
    ]
    fresh = Round.objects.get(pk=draft.round.pk)
    assert (fresh.title, fresh.status) == ("Tuần 1", RoundStatus.CLOSING)


def test_round_prizes_are_refused_once_the_round_is_closed(draft: World) -> None:
    s.set_prizes(draft.contest, draft.round, {PrizeKind.FIRST: 1, PrizeKind.SECOND: 2})
    assert Prize.objects.filter(round=draft.round).count() == 2
    Round.objects.filter(pk=draft.round.pk).update(status=RoundStatus.CLOSED)
    with pytest.raises(ValidationError) as refused:
        s.set_prizes(draft.contest, draft.round, {PrizeKind.FIRST: 3})
    assert refused.value.messages == [s.MSG_PRIZES_CLOSED]
    assert Prize.objects.filter(round=draft.round).count() == 2


def test_editing_a_question_keeps_whether_it_is_in_use(draft: World) -> None:
    stale = Question.objects.filter(contest=draft.contest).first()
    assert stale is not None
    s.set_question_active(Question.objects.get(pk=stale.pk), False)
    stale.text = "Câu hỏi đã sửa?"
    s.save_question(stale, choice_rows(stale))
    fresh = Question.objects.get(pk=stale.pk)
    assert (fresh.text, fresh.active) == ("Câu hỏi đã sửa?", False)


def test_saving_a_question_keeps_choice_rows_and_renumbers(draft: World) -> None:
    question = Question.objects.filter(contest=draft.contest, multiple=False).first()
    assert question is not None
    before = list(question.choices.order_by("position").values_list("pk", "text"))
    rows = choice_rows(question)
    rows[1] = ("", False)  # B emptied: removed, C and D move up
    s.save_question(question, rows)
    after = list(question.choices.order_by("position").values_list("pk", "position", "text"))
    kept = [before[0], before[2], before[3]]
    assert after == [(pk, n, text) for n, (pk, text) in enumerate(kept)]


def test_nothing_changes_in_an_archived_contest(draft: World) -> None:
    contest, rnd = draft.contest, draft.round
    question = Question.objects.filter(contest=contest).first()
    assert question is not None
    s.archive_contest(contest)
    attempts = [
        lambda: s.update_contest(Contest.objects.get(pk=contest.pk)),
        lambda: s.set_prizes(contest, None, {PrizeKind.COLLECTIVE: 1}),
        lambda: s.save_round(Round.objects.get(pk=rnd.pk), {}),
        lambda: s.add_category(contest, "Chủ đề mới"),
        lambda: s.rename_category(draft.categories[0], "Tên khác"),
        lambda: s.save_question(question, choice_rows(question)),
        lambda: s.set_question_active(question, False),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages == [s.MSG_ARCHIVED]
    assert not Prize.objects.filter(contest=contest).exists()
    assert contest.categories.count() == len(draft.categories)
    assert Question.objects.get(pk=question.pk).active
