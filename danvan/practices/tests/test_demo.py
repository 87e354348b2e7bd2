"""The demo practices load on the demo district, at every step, with gaps."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count

from danvan.core.models import User
from danvan.practices.coverage import commune_coverage
from danvan.practices.demo import load_practices_demo
from danvan.practices.models import DeedStatus, GoodDeed, Practice, Status


@pytest.mark.django_db
def test_the_demo_covers_the_lifecycle_and_leaves_gaps(demo: Any) -> None:
    assert load_practices_demo() == 24
    assert load_practices_demo() == 24  # once
    statuses = set(Practice.objects.values_list("status", flat=True))
    assert statuses == {
        Status.REGISTERED, Status.IN_PROGRESS, Status.PROPOSED, Status.REPLICATED,
        Status.RECOGNISED, Status.NOT_RECOGNISED, Status.STOPPED,
    }  # fmt: skip
    assert Practice.objects.filter(replicated_from__isnull=False).count() == 1
    deeds = dict(GoodDeed.objects.values_list("status").annotate(n=Count("pk")))
    assert deeds == {DeedStatus.PUBLISHED: 3, DeedStatus.PENDING: 2}
    rows = commune_coverage(User.objects.get(username="bdv.cantho"))
    assert any(r.covered for r in rows) and any(not r.covered for r in rows)


@pytest.mark.django_db
def test_the_demo_has_photos_and_an_open_campaign_with_votes(demo: Any) -> None:
    from danvan.practices.models import Campaign, Entry, Photo, PhotoStatus, Vote
    from danvan.practices.votes import phase

    load_practices_demo()
    photos = Photo.objects.all()
    assert photos.filter(practice__isnull=False).exists() and photos.filter(deed__isnull=False)
    assert set(photos.values_list("status", flat=True)) == {PhotoStatus.READY}
    campaign = Campaign.objects.get()
    assert phase(campaign) == "open"
    entries = Entry.objects.filter(campaign=campaign)
    assert entries.count() >= 10
    assert sum(e.votes for e in entries) == Vote.objects.filter(campaign=campaign).count() == 300
