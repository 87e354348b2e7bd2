"""Model instances from the rows of a written-out SELECT, for a hot path.

`Model.objects.raw(sql)` makes instances of any statement, but spends about
700 Python calls a statement working out, from the cursor's description,
which column is which field and how to convert it. A hot path whose statement
is fixed (the signed-in user of every staff request, the attempt a submit
locks) knows that already: `ModelRows(model)` writes the model's columns once
(`columns()`, for the SELECT list, with a table alias if the statement joins)
and makes an instance of the first values of a row (`instance(row)`),
converting them as the ORM does for the connection (SQLite's datetimes made
aware, JSON decoded), with `Model.from_db`, as the ORM makes them. The
statement may select more columns after the model's; they are the caller's.
`insert(instance)` writes a new row in one written-out INSERT (no signals).

    USERS = ModelRows(User)
    cursor.execute(f"SELECT {USERS.columns()} FROM core_user WHERE id = %s", [pk])
    user = USERS.instance(cursor.fetchone())
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models


@dataclass(frozen=True)
class _Conversions:
    # (position, converters, column) of the fields whose database values the ORM
    # converts on this connection (none on PostgreSQL but JSON).
    converted: list[tuple[int, list[Any], Any]]


class ModelRows:
    """The concrete fields of `model`, in order: their columns for a SELECT
    and the instance of a row's first values."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._columns: dict[tuple[str, str], str] = {}
        self._conversions: dict[str, _Conversions] = {}

    def columns(self, table: str = "", using: str = "default") -> str:
        """The SELECT list of the fields' columns (of the table alias `table`, if given)."""
        key = (using, table)
        found = self._columns.get(key)
        if found is None:
            quote = connections[using].ops.quote_name
            prefix = f"{quote(table)}." if table else ""
            found = self._columns[key] = ", ".join(
                prefix + quote(str(f.column)) for f in self.fields
            )
        return found

    def _conversions_of(self, using: str) -> _Conversions:
        found = self._conversions.get(using)
        if found is None:
            connection = connections[using]
            table = self.model._meta.db_table
            converted = []
            for i, field in enumerate(self.fields):
                column = field.get_col(table)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if converters:
                    converted.append((i, converters, column))
            found = self._conversions[using] = _Conversions(converted)
        return found

    def instance(self, row: Sequence[Any], using: str = "default") -> Any:
        """The instance of the model made of `row`'s first `width` values, as
        the ORM makes it when it reads them from `using`."""
        values = list(row[: self.width])
        conversions = self._conversions_of(using)
        if conversions.converted:
            connection = connections[using]
            for i, converters, column in conversions.converted:
                for convert in converters:
                    values[i] = convert(values[i], column, connection)
        return self.model.from_db(using, self.attnames, values)

    def insert(self, instance: Any, using: str = "default") -> Any:
        """Write the new `instance` in one written-out INSERT, its primary key
        returned by the database and set, as `save()` leaves it (`pre_save`
        values too: `auto_now_add`). For a hot path's model with no `save()` of
        its own and nothing listening to its signals: none are sent."""
        connection = connections[using]
        meta = self.model._meta
        pk = meta.pk
        assert pk is not None
        fields = [f for f in self.fields if f is not pk or instance.pk is not None]
        values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(meta.db_table),
            ", ".join(quote(str(f.column)) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        with connection.cursor() as cursor:
            if connection.features.can_return_columns_from_insert:
                cursor.execute(f"{sql} RETURNING {quote(str(pk.column))}", values)
                (new_pk,) = cursor.fetchone()
            else:
                cursor.execute(sql, values)
                new_pk = connection.ops.last_insert_id(cursor, meta.db_table, str(pk.column))
        if instance.pk is None:
            setattr(instance, pk.attname, new_pk)
        instance._state.adding = False
        instance._state.db = using
        return instance
