"""The bank is cached in the process and in the shared cache; a change must be seen."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from danvan.contests.models import Question
from danvan.contests.services import invalidate_bank, load_bank
from danvan.contests.tests.factories import make_world


@pytest.mark.django_db
def test_a_changed_bank_is_seen_after_invalidation() -> None:
    world = make_world()
    before = load_bank(world.contest.pk)
    assert load_bank(world.contest.pk) is before  # served from this process
    question = Question.objects.filter(contest=world.contest).first()
    assert question is not None
    question.text = "Câu hỏi đã sửa?"
    question.save()
    invalidate_bank(world.contest)
    after = load_bank(world.contest.pk)
    assert after is not before
    assert after.questions[question.pk].text == "Câu hỏi đã sửa?"


@pytest.mark.django_db
def test_an_emptied_cache_never_serves_a_stale_bank() -> None:
    world = make_world()
    first = load_bank(world.contest.pk)
    cache.clear()  # e.g. Redis restarted: the version token is gone too
    Question.objects.filter(contest=world.contest).update(active=False)
    assert load_bank(world.contest.pk) is not first
    assert load_bank(world.contest.pk).questions == {}
