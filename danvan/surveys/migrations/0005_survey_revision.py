"""Answer.area indexed only where set; Survey.revision, raised by the database itself whenever a section or a
question of the survey is inserted, updated or deleted (whatever code does it:
a form, a bulk UPDATE of positions, the admin). The respondent pages keep a
survey's questions in the process under (survey id, revision) and read the
revision with the survey on every request, so a change is never served stale."""

import django.db.models.deletion
from django.db import migrations, models

TABLES = ("surveys_section", "surveys_question")

SQLITE_UP = []
for _table in TABLES:
    for _op, _row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        SQLITE_UP.append(
            f"""CREATE TRIGGER {_table}_revision_{_op.lower()} AFTER {_op} ON {_table}
            BEGIN UPDATE surveys_survey SET revision = revision + 1
            WHERE id = {_row}.survey_id; END;"""
        )
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {t}_revision_{op};"
    for t in TABLES
    for op in ("insert", "update", "delete")
]

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION surveys_raise_revision() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            UPDATE surveys_survey SET revision = revision + 1 WHERE id = OLD.survey_id;
            RETURN OLD;
        END IF;
        UPDATE surveys_survey SET revision = revision + 1 WHERE id = NEW.survey_id;
        IF TG_OP = 'UPDATE' AND OLD.survey_id <> NEW.survey_id THEN
            UPDATE surveys_survey SET revision = revision + 1 WHERE id = OLD.survey_id;
        END IF;
        RETURN NEW;
    END; $$ LANGUAGE plpgsql;""",
    *[
        f"""CREATE TRIGGER {t}_revision AFTER INSERT OR UPDATE OR DELETE ON {t}
        FOR EACH ROW EXECUTE FUNCTION surveys_raise_revision();"""
        for t in TABLES
    ],
]
POSTGRES_DOWN = [
    *[f"DROP TRIGGER IF EXISTS {t}_revision ON {t};" for t in TABLES],
    "DROP FUNCTION IF EXISTS surveys_raise_revision();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_area_move"),
        ("surveys", "0004_fewer_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="revision",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        # Answer.area indexed only where set (one answer in a dozen names a unit).
        migrations.AlterField(
            model_name="answer",
            name="area",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="core.area",
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(
                condition=models.Q(("area__isnull", False)), fields=["area"], name="answer_area"
            ),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
