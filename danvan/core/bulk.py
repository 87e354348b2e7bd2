"""Rows written in bulk without a model instance each.

`bulk_create` builds a model instance per row and prepares every field of
each: for the rows a hot path writes (a briefing's attendance, say) that is
most of the time the request spends in Python. `insert_rows` writes plain
values instead, in one statement (PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db import connections, router, transaction
from django.db.models import Field, Model


def insert_rows(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (values in the order of `fields`, the model's field
    names; a foreign key's value is the related row's pk) into `model`'s
    table, all or none. The values are written as they are: not cleaned, no
    default or `auto_now` filled in (every column without a default of its
    own must be among `fields`), no signal sent (as with `bulk_create`),
    nothing returned. On PostgreSQL one `INSERT … SELECT * FROM unnest(…)`
    with an array a column; elsewhere `INSERT … VALUES` in batches."""
    if not rows:
        return
    if any(len(row) != len(fields) for row in rows):
        raise ValueError(f"every row must hold {len(fields)} values: {', '.join(fields)}")
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [cast(Field, model._meta.get_field(name)) for name in fields]
    head = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(str(field.column)) for field in columns)})"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
            cursor.execute(
                f"{head} SELECT * FROM unnest({arrays})", [list(c) for c in zip(*rows, strict=True)]
            )
            return
        prepared = [
            [
                field.get_db_prep_save(value, connection)
                for field, value in zip(columns, row, strict=True)
            ]
            for row in rows
        ]
        size = max(1, connection.ops.bulk_batch_size(columns, prepared))
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        with transaction.atomic(using=connection.alias, savepoint=False):
            for at in range(0, len(prepared), size):
                batch = prepared[at : at + size]
                cursor.execute(
                    f"{head} VALUES {', '.join([one] * len(batch))}",
                    [value for row in batch for value in row],
                )
