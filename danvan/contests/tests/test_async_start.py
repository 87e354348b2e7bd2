"""Starting an attempt commits without waiting for the disk (CONTEST_ASYNC_START):
the setting rides on the statement that locks the participant, is local to the
start's transaction, and can be turned off."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from danvan.contests.models import Attempt
from danvan.contests.services import start_attempt
from danvan.contests.tests.factories import make_participant, make_world
from danvan.core.tests.helpers import statements_run

pytestmark = pytest.mark.django_db(transaction=True)

ASYNC = "set_config('synchronous_commit', 'off', true)"


def started(settings: Any, enabled: bool) -> list[str]:
    settings.CONTEST_ASYNC_START = enabled
    world = make_world()
    person = make_participant(world.contest, world.hamlet)
    with statements_run() as seen:
        attempt = start_attempt(world.round, person.pk)
    assert Attempt.objects.filter(pk=attempt.pk, participant=person).exists()
    return seen


def test_a_start_commits_without_waiting_for_the_disk(settings: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    seen = started(settings, True)
    assert sum(ASYNC in sql for sql in seen) == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the connection's own setting is untouched


def test_the_setting_turns_it_off(settings: Any) -> None:
    seen = started(settings, False)
    assert not any(ASYNC in sql for sql in seen)
