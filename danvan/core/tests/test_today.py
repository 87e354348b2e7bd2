"""Today is the day in Việt Nam (TIME_ZONE), not on the server's clock: a unit ended
on 1 July is no longer in force from midnight in Việt Nam, 17:00 UTC the day
before."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from danvan.core.models import Area
from danvan.core.tests.factories import make_commune, make_district, make_province

pytestmark = pytest.mark.django_db


def test_a_unit_ends_at_midnight_in_viet_nam(monkeypatch: pytest.MonkeyPatch) -> None:
    commune = make_commune(make_district(make_province()))
    Area.objects.filter(pk=commune.pk).update(valid_to=date(2025, 7, 1))
    commune.refresh_from_db()
    before = datetime(2025, 6, 30, 16, 59, tzinfo=UTC)  # 23:59 on 30 June in Việt Nam
    after = datetime(2025, 6, 30, 17, 1, tzinfo=UTC)  # 00:01 on 1 July in Việt Nam
    monkeypatch.setattr(timezone, "now", lambda: before)
    assert commune.is_current
    assert Area.objects.current().filter(pk=commune.pk).exists()
    monkeypatch.setattr(timezone, "now", lambda: after)
    assert not commune.is_current
    assert not Area.objects.current().filter(pk=commune.pk).exists()
