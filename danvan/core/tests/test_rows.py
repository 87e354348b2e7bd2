"""core.rows: instances made of a written-out SELECT's rows are the ORM's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.core.models import Job, User
from danvan.core.rows import ModelRows
from danvan.core.services import create_staff_user

JOBS = ModelRows(Job)


@pytest.fixture
def job(db: Any) -> Job:
    user = create_staff_user(username="canbo.rows", full_name="Lê Văn Hàng", password="x" * 12)
    return Job.objects.create(
        kind="import",
        title="Nhập danh sách ấp",
        created_by=user,
        params={"don_vi": [1, 2], "ghi_chu": "Ấp Tân Hòa"},
        errors=[{"dong": 3, "loi": "Thiếu tên"}],
        input_file="jobs/2026/12/ds.xlsx",
        started_at=datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC),
    )


def _same(made: Any, read: Any) -> None:
    assert type(made) is type(read)
    for field in type(read)._meta.concrete_fields:
        assert getattr(made, field.attname) == getattr(read, field.attname), field.name
    assert made._state.adding is False
    assert made._state.db == "default"


def test_an_instance_of_a_row_is_the_orms(job: Job) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {JOBS.columns()} FROM core_job WHERE id = %s", [job.pk])
        made = JOBS.instance(cursor.fetchone())
    read = Job.objects.get(pk=job.pk)
    _same(made, read)
    assert made.params == {"don_vi": [1, 2], "ghi_chu": "Ấp Tân Hòa"}  # JSON decoded
    assert made.started_at == datetime(2026, 12, 6, 1, 2, 3, tzinfo=UTC)  # aware on SQLite too
    assert made.finished_at is None
    assert made.input_file.name == "jobs/2026/12/ds.xlsx"
    assert made.created_by.username == "canbo.rows"  # its relations load as the ORM's do


def test_a_statement_may_join_and_select_more_after_the_model(job: Job) -> None:
    sql = (
        f"SELECT {JOBS.columns('j')}, u.username FROM core_job j"
        " JOIN core_user u ON u.id = j.created_by_id WHERE j.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [job.pk])
        row = cursor.fetchone()
    _same(JOBS.instance(row), Job.objects.get(pk=job.pk))
    assert row[JOBS.width :] == ("canbo.rows",)


def test_the_columns_are_the_models_concrete_fields_in_order(db: Any) -> None:
    users = ModelRows(User)
    assert users.attnames == [f.attname for f in User._meta.concrete_fields]
    quote = connection.ops.quote_name
    assert users.columns("u").split(", ")[0] == f"{quote('u')}.{quote('id')}"
    assert len(users.columns().split(", ")) == users.width


def test_insert_writes_the_instance_as_save_does(job: Job) -> None:
    new = Job(kind="export", title="Xuất danh sách", created_by=job.created_by, params={"a": "ư"})
    with CaptureQueriesContext(connection) as queries:
        made = JOBS.insert(new)
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")
    assert made is new and new.pk is not None and new.pk != job.pk
    assert new._state.adding is False and new._state.db == "default"
    assert new.created_at is not None  # auto_now_add, as save() sets it
    read = Job.objects.get(pk=new.pk)
    _same(new, read)
    assert read.params == {"a": "ư"} and read.status == "queued" and read.errors == []
