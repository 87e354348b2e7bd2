"""The bank is cached in the process and in the shared cache under its version,
a token the database replaces on any change of a question or a choice: a
change is seen whatever wrote it, with no call to remember."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from danvan.contests.bank import bank_version, load_bank
from danvan.contests.models import Choice, Contest, Question
from danvan.contests.tests.factories import make_world


@pytest.mark.django_db
def test_a_changed_bank_is_seen() -> None:
    world = make_world()
    before = load_bank(world.contest.pk)
    assert load_bank(world.contest.pk) is before  # served from this process
    question = Question.objects.filter(contest=world.contest).first()
    assert question is not None
    question.text = "Câu hỏi đã sửa?"
    question.save()
    after = load_bank(world.contest.pk)
    assert after is not before
    assert after.questions[question.pk].text == "Câu hỏi đã sửa?"


@pytest.mark.django_db
def test_an_emptied_cache_never_serves_a_stale_bank() -> None:
    world = make_world()
    first = load_bank(world.contest.pk)
    cache.clear()  # e.g. Redis restarted
    Question.objects.filter(contest=world.contest).update(active=False)
    assert load_bank(world.contest.pk) is not first
    assert load_bank(world.contest.pk).questions == {}


@pytest.mark.django_db
def test_a_bank_edit_from_a_shell_or_the_admin_is_seen() -> None:
    """Plain queryset writes, as a shell or the admin make them: each replaces the
    version, so the bank cached in the process and in the shared cache is not served."""
    world = make_world()
    contest = world.contest
    question = Question.objects.filter(contest=contest).first()
    assert question is not None
    versions = {bank_version(contest.pk)}
    load_bank(contest.pk)

    Question.objects.filter(pk=question.pk).update(text="Sửa từ shell?")
    assert load_bank(contest.pk).questions[question.pk].text == "Sửa từ shell?"
    versions.add(bank_version(contest.pk))

    right = Choice.objects.filter(question=question, correct=True).values_list("pk", flat=True)
    wrong = Choice.objects.filter(question=question, correct=False).first()
    assert wrong is not None
    Choice.objects.filter(pk__in=list(right)).update(correct=False)
    Choice.objects.filter(pk=wrong.pk).update(correct=True)
    assert load_bank(contest.pk).questions[question.pk].correct == frozenset([wrong.pk])
    versions.add(bank_version(contest.pk))

    Choice.objects.filter(pk=wrong.pk).delete()
    assert wrong.pk not in dict(load_bank(contest.pk).questions[question.pk].choices)
    versions.add(bank_version(contest.pk))

    Question.objects.filter(pk=question.pk).delete()
    assert question.pk not in load_bank(contest.pk).questions
    versions.add(bank_version(contest.pk))
    assert len(versions) == 5  # every change gave a new token


@pytest.mark.django_db
def test_saving_a_contest_read_earlier_keeps_the_bank_version() -> None:
    """A contest loaded before a question changed, then saved: the database's
    version stays, or the old bank would be served again under the old token."""
    world = make_world()
    stale = Contest.objects.get(pk=world.contest.pk)
    Question.objects.filter(contest=world.contest).update(explanation="Mới.")
    current = bank_version(world.contest.pk)
    assert current != stale.bank_version
    stale.title = "Tên mới"
    stale.save()
    assert bank_version(world.contest.pk) == current
