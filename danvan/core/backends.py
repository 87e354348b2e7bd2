"""The authentication backend: Django's ModelBackend (password check, the
active flag, permissions), with the signed-in user of each request read in one
plain statement.

Every staff request loads its user (`get_user`, from the session's user id).
Through the ORM, `User.objects.get(pk=...)` builds, compiles and runs a
queryset: about a thousand Python calls, a sixth of recording a briefing. Here
the statement is written out and its row made into a `User` by
`core.rows.ModelRows`, as the ORM does: every concrete field loaded, the
same instance (the session's hash check reads its password hash; the active
flag is checked as ModelBackend checks it).

Sessions name the backend that signed them in: one signed in by Django's
ModelBackend before this backend was configured is asked to sign in again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Model

from danvan.core.rows import ModelRows

_ROWS: dict[type[Model], ModelRows] = {}


def load_user(user_id: Any) -> Any | None:
    """The user whose primary key is `user_id` (as a session keeps it), with every
    concrete field as the ORM gives it; None when there is none or the id is not one."""
    model = get_user_model()
    pk_field = model._meta.pk
    assert pk_field is not None
    try:
        pk = pk_field.to_python(user_id)
    except (ValidationError, TypeError, ValueError):
        return None
    alias = router.db_for_read(model)
    connection = connections[alias]
    low, high = connection.ops.integer_field_range(pk_field.get_internal_type())
    if (
        not isinstance(pk, int)
        or (low is not None and pk < low)
        or (high is not None and pk > high)
    ):
        return None  # (a key outside the column's range is no user, not a database error)
    rows = _ROWS.get(model)
    if rows is None:
        rows = _ROWS[model] = ModelRows(model)
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {rows.columns(using=alias)} FROM {quote(model._meta.db_table)}"
        f" WHERE {quote(str(pk_field.column))} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    return None if row is None else rows.instance(row, alias)


class StaffBackend(ModelBackend):
    """ModelBackend whose `get_user` reads the user in one plain statement."""

    def get_user(self, user_id: Any) -> Any | None:
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
