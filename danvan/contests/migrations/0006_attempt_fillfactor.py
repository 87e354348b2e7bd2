"""Room on each page of the attempts table (PostgreSQL's fillfactor 80): an
attempt's row is rewritten several times (autosaves, submit, rank) and a new
version that fits on its own page, with no indexed column changed, is a HOT
update: no index is touched. Autosaves (answers) and the ranks written at
closing are such updates. Applies to pages written from now on."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def set_fillfactor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE contests_attempt SET (fillfactor = 80)")


def reset_fillfactor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE contests_attempt RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("contests", "0005_vietnamese_field_names")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
