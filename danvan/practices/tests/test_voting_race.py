"""Votes racing on PostgreSQL: 1,000 people voting for one entry at once are
1,000 votes, and one person's vote sent 50 times at once is one. (SQLite runs
one writer at a time, so the race only means something on PostgreSQL; CI runs
the suite on both.)"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from danvan.core.tests.factories import make_commune, make_province
from danvan.practices import votes
from danvan.practices.models import Campaign, Entry, Vote
from danvan.practices.tests.factories import make_practice, move

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a race needs PostgreSQL's concurrent writers"
    ),
]


def _campaign() -> tuple[Campaign, Entry]:
    commune = make_commune(make_province())
    practices = [
        move(make_practice(commune, title=t), "start", "propose", "recognise") for t in "AB"
    ]
    now = timezone.now()
    campaign = votes.create_campaign(
        Campaign(title="Đua", slug="dua", organization=practices[0].organization,
                 starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1))
    )  # fmt: skip
    votes.set_entries(campaign, practices, [])
    campaign = votes.publish_campaign(campaign)
    return campaign, Entry.objects.filter(campaign=campaign).order_by("position").first()  # type: ignore[return-value]


def _race(voters: list[str], campaign: Campaign, entry: Entry, threads: int) -> list[Any]:
    """Every voter's vote, from `threads` threads released together."""
    gate = threading.Barrier(threads)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def work(mine: list[str]) -> None:
        try:
            gate.wait()
            for voter in mine:
                try:
                    result: Any = votes.cast_vote(campaign, entry.pk, voter)
                except Exception as exc:  # noqa: BLE001 - reported by the test
                    result = exc
                with lock:
                    outcomes.append(result)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(voters[n::threads],)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def test_a_thousand_people_at_once_are_a_thousand_votes() -> None:
    campaign, entry = _campaign()
    outcomes = _race([f"nguoi-{n}" for n in range(1000)], campaign, entry, threads=20)
    assert outcomes.count(True) == 1000, [o for o in outcomes if o is not True][:3]
    entry.refresh_from_db()
    assert entry.votes == 1000 == Vote.objects.filter(entry=entry).count()


def test_one_vote_sent_fifty_times_at_once_is_one() -> None:
    campaign, entry = _campaign()
    outcomes = _race(["nguoi-1"] * 50, campaign, entry, threads=25)
    assert outcomes.count(True) == 1 and outcomes.count(False) == 49, outcomes
    entry.refresh_from_db()
    assert entry.votes == 1 == Vote.objects.filter(entry=entry).count()
