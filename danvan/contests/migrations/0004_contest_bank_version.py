"""Contest.bank_version, replaced by the database itself with a new random token
whenever a question or a choice of the contest is inserted, updated or deleted
(whatever code does it: a staff form, an import, the admin, a shell). The bank
is cached under (contest id, bank_version), read with the rows the hot paths
read anyway, so a change is never served stale; being random, a token is never
reused (not after a rolled-back change, not after a restore)."""

from django.db import migrations, models

import danvan.contests.models

# The contest of the changed row, as an SQL expression of the trigger's OLD/NEW row.
CONTEST_OF = {
    "contests_question": "{row}.contest_id",
    "contests_choice": "(SELECT contest_id FROM contests_question WHERE id = {row}.question_id)",
}
PARENT = {"contests_question": "contest_id", "contests_choice": "question_id"}

SQLITE_NEW = "lower(hex(randomblob(16)))"
SQLITE_UP = []
for _table, _contest in CONTEST_OF.items():
    for _op, _rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
        _ids = ", ".join(_contest.format(row=row) for row in _rows)
        SQLITE_UP.append(
            f"""CREATE TRIGGER {_table}_bank_version_{_op.lower()} AFTER {_op} ON {_table}
            BEGIN UPDATE contests_contest SET bank_version = {SQLITE_NEW}
            WHERE id IN ({_ids}); END;"""
        )
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {t}_bank_version_{op};"
    for t in CONTEST_OF
    for op in ("insert", "update", "delete")
]

POSTGRES_NEW = "replace(gen_random_uuid()::text, '-', '')"
POSTGRES_UP = []
for _table, _contest in CONTEST_OF.items():
    _bump = "UPDATE contests_contest SET bank_version = " + POSTGRES_NEW + " WHERE id = {};"
    POSTGRES_UP += [
        f"""CREATE OR REPLACE FUNCTION {_table}_bank_changed() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                {_bump.format(_contest.format(row="OLD"))}
                RETURN OLD;
            END IF;
            {_bump.format(_contest.format(row="NEW"))}
            IF TG_OP = 'UPDATE' AND OLD.{PARENT[_table]} <> NEW.{PARENT[_table]} THEN
                {_bump.format(_contest.format(row="OLD"))}
            END IF;
            RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
        f"""CREATE TRIGGER {_table}_bank_version AFTER INSERT OR UPDATE OR DELETE ON {_table}
        FOR EACH ROW EXECUTE FUNCTION {_table}_bank_changed();""",
    ]
POSTGRES_DOWN = [
    stmt
    for t in CONTEST_OF
    for stmt in (
        f"DROP TRIGGER IF EXISTS {t}_bank_version ON {t};",
        f"DROP FUNCTION IF EXISTS {t}_bank_changed();",
    )
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contests", "0003_one_time_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="contest",
            name="bank_version",
            field=models.CharField(
                default=danvan.contests.models.new_bank_version, editable=False, max_length=32
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
