"""Background tasks of the surveys app: forgetting the order in which the
one-response guards were spent (`guards.shuffle_guards`), and mixing the
pending anonymous responses (`danvan.surveys.mixing`).

Mixing follows the same pattern as the shuffle below, with its own windows of
`settings.SURVEY_MIX_MINUTES` (10 by default): the first anonymous response of
a survey in a window (`response_pending`) queues ONE `mix_task` deferred to the
end of the window; when a survey stops taking responses `enqueue_release`
queues the release of everything pending, then the shuffle; the nightly
command does both as well.

When a shuffle runs:

- when a survey stops taking responses (closed, archived or back to draft by
  staff): `enqueue_shuffle`, queued once the change commits;
- while a survey runs, a few minutes after responses arrive: `response_stored`
  is called once a response is stored. Time is cut into fixed windows of
  `settings.SURVEY_SHUFFLE_MINUTES` (5 by default); the first response of a
  survey in a window queues ONE shuffle, deferred to the end of the window,
  which therefore covers every response of that window. A guard thus stays in
  storage order for at most one window (plus the worker's delay). The check
  costs a dictionary look-up in the process, and one `cache.add` per survey,
  window and process: no database statement on the submit path;
- nightly, from cron: `manage.py shuffle_survey_guards` (the safety net: a
  stopped worker, a survey that closed by its date).

The tasks run through django-tasks, the backend of the project's background
jobs (`danvan.core.jobs`), without a `Job` row: nobody started them and there
is no progress to show. A backend that cannot defer a task (the immediate
backend of the test runs) would run the shuffle inside the submit request:
there `response_stored` queues nothing and the other two ways remain.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_tasks import task

from danvan.surveys.models import Survey

DEFAULT_MINUTES = 5
MARGIN_SECONDS = 10  # run a little after the window ends (clocks of several servers)
_MAX_REMEMBERED = 10_000

# (kind, survey id) -> the last window for which this process made sure a run is queued
_windows: dict[tuple[str, int], int] = {}


def window_seconds() -> int:
    minutes = getattr(settings, "SURVEY_SHUFFLE_MINUTES", DEFAULT_MINUTES)
    return max(60, int(float(minutes) * 60))


@task()
def shuffle_guards_task(survey_id: int) -> int:
    """Shuffle the guards of one survey; nothing when it no longer exists."""
    from danvan.surveys.guards import shuffle_guards

    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return 0
    return shuffle_guards(survey)


def enqueue_shuffle(survey_id: int, *, run_after: datetime | None = None) -> None:
    """Queue a shuffle of the survey's guards once the current transaction
    commits (at once outside a transaction), not before `run_after` when the
    backend can wait."""

    def enqueue() -> None:
        job = shuffle_guards_task
        if run_after is not None and job.get_backend().supports_defer:
            job = job.using(run_after=run_after)
        job.enqueue(survey_id)

    transaction.on_commit(enqueue)


@task()
def mix_task(survey_id: int) -> int:
    """Mix the survey's pending responses (all of them once the survey no longer
    takes responses, else a batch of at least K); nothing when it is gone."""
    from danvan.surveys import mixing

    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        return 0
    return mixing.release(survey)


def enqueue_release(survey_id: int) -> None:
    """The survey stopped taking responses: once the current transaction
    commits, release every pending response, then shuffle the guards."""
    transaction.on_commit(lambda: mix_task.enqueue(survey_id))
    enqueue_shuffle(survey_id)


def _queue_once(kind: str, job: Any, survey_id: int, span: int, now: float | None) -> bool:
    """Make sure `job(survey_id)` is queued for the end of the current window of
    `span` seconds; return whether this call queued it."""
    now = time.time() if now is None else now
    window = int(now // span)
    if _windows.get((kind, survey_id)) == window:
        return False
    if len(_windows) >= _MAX_REMEMBERED:
        _windows.clear()
    _windows[(kind, survey_id)] = window
    if not job.get_backend().supports_defer:
        return False
    if not cache.add(f"surveys:{kind}:{survey_id}:{window}", 1, span * 2):
        return False  # another process queued this window's run
    due = datetime.fromtimestamp((window + 1) * span + MARGIN_SECONDS, tz=UTC)
    transaction.on_commit(lambda: job.using(run_after=due).enqueue(survey_id))
    return True


def response_stored(survey_id: int, *, now: float | None = None) -> bool:
    """Call once a response of the survey is stored (after its commit). Makes
    sure a shuffle is queued for the end of the current window; returns
    whether this call queued it. See the module docstring for the cost."""
    return _queue_once("shuffle", shuffle_guards_task, survey_id, window_seconds(), now)


def response_pending(survey_id: int, *, now: float | None = None) -> bool:
    """Call once an anonymous response of the survey waits to be mixed (after
    its commit). Makes sure a mix is queued for the end of the current mixing
    window; returns whether this call queued it."""
    from danvan.surveys import mixing

    span = mixing.window_minutes() * 60
    return _queue_once("mix", mix_task, survey_id, span, now)


def forget_windows() -> None:
    """Tests: forget which windows this process has seen."""
    _windows.clear()
