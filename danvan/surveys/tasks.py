"""Background tasks of the surveys app: forgetting the order in which the
one-response guards were spent (`services.shuffle_guards`).

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

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_tasks import task

from danvan.surveys.models import Survey

DEFAULT_MINUTES = 5
MARGIN_SECONDS = 10  # run a little after the window ends (clocks of several servers)
_MAX_REMEMBERED = 10_000

# survey id -> the last window for which this process made sure a shuffle is queued
_windows: dict[int, int] = {}


def window_seconds() -> int:
    minutes = getattr(settings, "SURVEY_SHUFFLE_MINUTES", DEFAULT_MINUTES)
    return max(60, int(float(minutes) * 60))


@task()
def shuffle_guards_task(survey_id: int) -> int:
    """Shuffle the guards of one survey; nothing when it no longer exists."""
    from danvan.surveys.services import shuffle_guards

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


def response_stored(survey_id: int, *, now: float | None = None) -> bool:
    """Call once a response of the survey is stored (after its commit). Makes
    sure a shuffle is queued for the end of the current window; returns
    whether this call queued it. See the module docstring for the cost."""
    span = window_seconds()
    now = time.time() if now is None else now
    window = int(now // span)
    if _windows.get(survey_id) == window:
        return False
    if len(_windows) >= _MAX_REMEMBERED:
        _windows.clear()
    _windows[survey_id] = window
    if not shuffle_guards_task.get_backend().supports_defer:
        return False
    if not cache.add(f"surveys:shuffle:{survey_id}:{window}", 1, span * 2):
        return False  # another process queued this window's shuffle
    due = datetime.fromtimestamp((window + 1) * span + MARGIN_SECONDS, tz=UTC)
    enqueue_shuffle(survey_id, run_after=due)
    return True


def forget_windows() -> None:
    """Tests: forget which windows this process has seen."""
    _windows.clear()
