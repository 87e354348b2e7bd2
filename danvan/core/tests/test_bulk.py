"""core.bulk.insert_rows: plain rows in one statement, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from danvan.core.bulk import insert_rows
from danvan.core.models import MemberCount, OrgKind
from danvan.core.tests.factories import make_commune, make_org, make_period, make_province

pytestmark = pytest.mark.django_db

FIELDS = ("organization", "period", "members", "updated_at")
AT = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


@pytest.fixture
def bodies(db: Any) -> tuple[Any, Any, Any]:
    commune = make_commune(make_province("92", "Thành phố Cần Thơ"), "Xã An Bình", "30001")
    women = make_org(commune, "Hội LHPN xã An Bình", OrgKind.WOMEN)
    farmers = make_org(commune, "Hội Nông dân xã An Bình", OrgKind.FARMERS)
    return women, farmers, make_period()


def test_rows_are_written_as_given_in_one_statement(bodies: Any) -> None:
    women, farmers, period = bodies
    with CaptureQueriesContext(connection) as captured:
        insert_rows(
            MemberCount, FIELDS, [(women.pk, period.pk, 120, AT), (farmers.pk, period.pk, 0, AT)]
        )
    assert len(captured) == 1
    rows = MemberCount.objects.order_by("members").values_list(
        "organization", "period", "members", "updated_at"
    )
    assert list(rows) == [(farmers.pk, period.pk, 0, AT), (women.pk, period.pk, 120, AT)]


def test_no_rows_no_statement(bodies: Any) -> None:
    with CaptureQueriesContext(connection) as captured:
        insert_rows(MemberCount, FIELDS, [])
    assert len(captured) == 0


def test_a_row_the_database_refuses_writes_none_of_them(bodies: Any) -> None:
    women, farmers, period = bodies
    with pytest.raises(IntegrityError), transaction.atomic():  # one count a body and period
        insert_rows(
            MemberCount,
            FIELDS,
            [
                (farmers.pk, period.pk, 5, AT),
                (women.pk, period.pk, 1, AT),
                (women.pk, period.pk, 2, AT),
            ],
        )
    assert not MemberCount.objects.exists()


def test_a_row_of_the_wrong_length_is_refused_before_any_write(bodies: Any) -> None:
    women, _farmers, period = bodies
    with pytest.raises(ValueError):
        insert_rows(MemberCount, FIELDS, [(women.pk, period.pk, 1)])
    assert not MemberCount.objects.exists()


@pytest.mark.django_db(transaction=True)  # (no test transaction around it: its own)
def test_rows_written_in_batches_are_still_all_or_nothing(bodies: Any, monkeypatch: Any) -> None:
    """Where the database takes few parameters a statement (SQLite), the rows
    go in batches, in one transaction."""
    women, farmers, period = bodies
    monkeypatch.setattr(connection.ops, "bulk_batch_size", lambda fields, objs: 1)
    insert_rows(MemberCount, FIELDS, [(women.pk, period.pk, 3, AT), (farmers.pk, period.pk, 4, AT)])
    assert sorted(MemberCount.objects.values_list("members", flat=True)) == [3, 4]
    MemberCount.objects.all().delete()
    with pytest.raises(IntegrityError):
        insert_rows(
            MemberCount, FIELDS, [(women.pk, period.pk, 3, AT), (women.pk, period.pk, 4, AT)]
        )
    assert not MemberCount.objects.exists()
