"""The authentication backend: Django's ModelBackend (password check, the
active flag, permissions), with the signed-in user of each request read in one
plain statement.

Every staff request loads its user (`get_user`, from the session's user id).
Through the ORM, `User.objects.get(pk=...)` builds, compiles and runs a
queryset: about a thousand Python calls, a sixth of recording a briefing. Here
the statement is written once per database alias and its row made into a
`User` by `Model.from_db`, as the ORM does: every concrete field loaded, the
same instance (the session's hash check reads its password hash; the active
flag is checked as ModelBackend checks it).

Sessions name the backend that signed them in: one signed in by Django's
ModelBackend before this backend was configured is asked to sign in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connections, router


@dataclass(frozen=True)
class _Statement:
    sql: str
    attnames: list[str]
    # (position, converters, column) of the fields whose database value the ORM
    # converts on this backend (SQLite's aware datetimes, for one); none on PostgreSQL.
    converted: list[tuple[int, list[Any], Any]]
    low: int | None
    high: int | None  # the primary key column's range: a key outside it is no user


_STATEMENTS: dict[str, _Statement] = {}


def _statement(alias: str) -> _Statement:
    """The SELECT of one user by primary key on `alias`, written once."""
    found = _STATEMENTS.get(alias)
    if found is None:
        model = get_user_model()
        connection = connections[alias]
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        pk = model._meta.pk
        assert pk is not None
        sql = "SELECT {} FROM {} WHERE {} = %s".format(
            ", ".join(quote(str(f.column)) for f in fields),
            quote(model._meta.db_table),
            quote(str(pk.column)),
        )
        converted = []
        for i, field in enumerate(fields):
            column = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if converters:
                converted.append((i, converters, column))
        low, high = connection.ops.integer_field_range(pk.get_internal_type())
        found = _STATEMENTS[alias] = _Statement(
            sql, [f.attname for f in fields], converted, low, high
        )
    return found


def load_user(user_id: Any) -> Any | None:
    """The user whose primary key is `user_id` (as a session keeps it), with every
    concrete field as the ORM gives it; None when there is none or the id is not one."""
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)  # type: ignore[union-attr]
    except (ValidationError, TypeError, ValueError):
        return None
    alias = router.db_for_read(model)
    statement = _statement(alias)
    if not isinstance(pk, int) or not (
        (statement.low is None or pk >= statement.low)
        and (statement.high is None or pk <= statement.high)
    ):
        return None
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if statement.converted:
        values = list(row)
        for i, converters, column in statement.converted:
            for convert in converters:
                values[i] = convert(values[i], column, connection)
        row = values
    return model.from_db(alias, statement.attnames, row)


class StaffBackend(ModelBackend):
    """ModelBackend whose `get_user` reads the user in one plain statement."""

    def get_user(self, user_id: Any) -> Any | None:
        user = load_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
