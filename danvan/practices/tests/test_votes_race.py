"""Votes racing, with real concurrent transactions on PostgreSQL: 1,000 people
voting for one entry at once are 1,000 votes, and one person's vote sent 50
times at once is one vote (the unique row per entry, person and window, and
the counter raised in the same transaction).

Threads are released together by a barrier; each has its own database
connection, given back to the pool after every vote as a request's is, and
closed when the thread ends. SQLite runs one writer at a time (IMMEDIATE
transactions), so there is no race to see there: CI runs this file on
PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import connection
from django.utils import timezone

from danvan.core.tests.factories import make_commune, make_province
from danvan.core.tests.helpers import RACES, in_thread
from danvan.practices import votes
from danvan.practices.models import Campaign, Entry, Vote
from danvan.practices.tests.factories import make_practice, move

pytestmark = RACES

THREADS = 16


def open_campaign(**fields: Any) -> tuple[Campaign, Entry, Entry]:
    """A published campaign, open now, with two entries."""
    commune = make_commune(make_province())
    practices = [
        move(make_practice(commune, title=title), "start", "propose", "recognise")
        for title in ("Hiến đất làm đường", "Đường hoa kiểu mẫu")
    ]
    now = timezone.now()
    campaign = votes.create_campaign(
        Campaign(
            title="Bình chọn đua",
            slug="binh-chon-dua",
            organization=practices[0].organization,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=2),
            **fields,
        )
    )
    votes.set_entries(campaign, practices, [])
    campaign = votes.publish_campaign(campaign)
    first, second = Entry.objects.filter(campaign=campaign).order_by("position")
    return campaign, first, second


def race(acts: list[Callable[[], Any]], threads: int) -> tuple[list[Any], int]:
    """Run `acts` spread over `threads` threads released together. Returns every
    act's result (or the exception it raised) and the most acts seen running at
    the same moment."""
    barrier = threading.Barrier(threads)
    lock = threading.Lock()
    running = {"now": 0, "most": 0}

    def run(mine: list[Callable[[], Any]]) -> list[Any]:
        barrier.wait(timeout=30)
        results: list[Any] = []
        for act in mine:
            with lock:
                running["now"] += 1
                running["most"] = max(running["most"], running["now"])
            try:
                results.append(act())
            except Exception as exc:  # reported by the test
                results.append(exc)
            finally:
                with lock:
                    running["now"] -= 1
                connection.close()  # back to the pool, as at the end of a request
        return results

    started = [
        in_thread(partial(run, acts[n::threads]), name=f"nguoi-binh-chon-{n}")
        for n in range(threads)
    ]
    for thread, _outcome in started:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread, _ in started), "a thread is stuck"
    results: list[Any] = []
    for _thread, outcome in started:
        assert len(outcome) == 1 and isinstance(outcome[0], list), outcome  # not a broken barrier
        results += outcome[0]
    return results, running["most"]


def test_a_thousand_people_at_once_are_a_thousand_votes() -> None:
    campaign, entry, other = open_campaign()
    people = [votes.voter_key(f"079085{n:06d}") for n in range(1000)]
    acts = [partial(votes.cast_vote, campaign, entry.pk, person) for person in people]
    results, most = race(acts, THREADS)
    assert most > 1, "the votes never ran at the same time"
    refused = [r for r in results if r is not True]
    assert len(results) == 1000 and not refused, refused[:3]
    entry.refresh_from_db()
    assert entry.votes == 1000
    assert Vote.objects.filter(entry=entry).count() == 1000
    assert Vote.objects.filter(entry=entry).values("voter").distinct().count() == 1000
    other.refresh_from_db()
    assert other.votes == 0 and not Vote.objects.filter(entry=other).exists()


def test_one_vote_sent_fifty_times_at_once_is_one() -> None:
    campaign, entry, _other = open_campaign()
    person = votes.voter_key("079085012345")
    results, most = race([partial(votes.cast_vote, campaign, entry.pk, person)] * 50, 50)
    assert most > 1, "the votes never ran at the same time"
    assert results.count(True) == 1 and results.count(False) == 49, results
    entry.refresh_from_db()
    assert entry.votes == 1
    assert list(Vote.objects.filter(entry=entry).values_list("voter", flat=True)) == [person]


def test_fifty_at_once_in_each_of_two_daily_windows_are_two() -> None:
    campaign, entry, _other = open_campaign(window_hours=24)
    person = votes.voter_key("079085012345")
    today = campaign.starts_at + timedelta(minutes=30)
    tomorrow = today + timedelta(hours=24)
    acts = [
        partial(votes.cast_vote, campaign, entry.pk, person, now=when)
        for when in (today, tomorrow)
        for _ in range(25)
    ]
    results, _most = race(acts, 25)
    assert results.count(True) == 2 and results.count(False) == 48, results
    entry.refresh_from_db()
    assert entry.votes == 2
    windows = Vote.objects.filter(entry=entry).order_by("window").values_list("window", flat=True)
    assert list(windows) == [0, 1]
