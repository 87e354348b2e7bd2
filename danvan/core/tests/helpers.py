"""What the apps' tests share beside the persona matrix (`danvan.core.testing`):
the units of a review section's test (`review_units`) and its recount (`at`,
`within`); a public form as a person sends it (`public_form`); spreadsheets in
and out (`xlsx_bytes`, `sheet_rows`); the files a write left (`files_in`); rows
that must not change (`row_counts`); a create refused out of scope
(`assert_create_refused_out_of_scope`); the SQL a block runs
(`statements_run`); races on PostgreSQL (`RACES`, `in_thread`)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.db.models import Model
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from danvan.core import restructuring
from danvan.core.antispam import HONEYPOT, form_stamp
from danvan.core.models import Area, Organization, OrgKind
from danvan.core.scope import current_path, history_map
from danvan.core.tests.factories import make_commune, make_org, make_province


@dataclass
class ReviewUnits:
    """What `review_units` makes: a commune, a commune merged into it after the
    period (`merge_old`) and a sibling commune, in a province."""

    province: Area
    commune: Area
    old: Area
    sibling: Area

    def boards(self, prefix: str = "Ban Dân vận Đảng ủy xã") -> list[Organization]:
        """The Ban Dân vận of the commune, of the old commune and of the sibling."""
        return [
            make_org(area, f"{prefix} {area.name.removeprefix('Xã ')}", OrgKind.MOBILISATION_BOARD)
            for area in (self.commune, self.old, self.sibling)
        ]

    def merge_old(self) -> None:
        """The old commune merged into the commune on 1/7/2025, once its records are made."""
        restructuring.merge_areas(
            None, [self.old], into=self.commune, effective_on=date(2025, 7, 1)
        )


def review_units() -> ReviewUnits:
    """The units of a test of a review section (`core.review`): Xã Phụng Hiệp
    (31420) of Thành phố Cần Thơ (92), Xã Tân Long (31423), merged into it by
    `merge_old`, and the sibling Xã Hòa An (31393)."""
    province = make_province("92", "Thành phố Cần Thơ")
    return ReviewUnits(
        province,
        make_commune(province, "Xã Phụng Hiệp", "31420"),
        make_commune(province, "Xã Tân Long", "31423"),
        make_commune(province, "Xã Hòa An", "31393"),
    )


def at(day: date, hour: int = 9) -> datetime:
    """`day` at `hour` o'clock in the site's time zone: when a test's row was
    written, sent or opened (a review test's rows, dated inside or outside its
    period)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def within(area: Area) -> Callable[[str], bool]:
    """Whether a unit's path lies in `area` as the units stand now (the rows of
    a commune merged into it counted in it): what the recount of a review
    section keeps, read from the raw rows::

        inside = within(area)
        briefings = [b for b in Briefing.objects.all() if inside(b.organization.area.path)]
    """
    history = history_map()
    return lambda path: current_path(path, history).startswith(area.path)


def row_counts(*models: type[Model]) -> dict[str, int]:
    """How many rows each of `models` holds, by model name: taken before and
    after what must write nothing (a demo loaded again) and compared::

        before = row_counts(Survey, Response)
        load_survey_demo()
        assert row_counts(Survey, Response) == before
    """
    return {model.__name__: model._default_manager.count() for model in models}


def public_form(fields: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """A public form (a petition, a good-deed nomination) as a person sends it:
    its `fields`, the honeypot (`antispam.HONEYPOT`) left empty and the signed
    time `t` of a form shown 30 seconds ago; `changes` add or replace any of them."""
    return {HONEYPOT: "", "t": form_stamp(at=time.time() - 30), **fields, **changes}


def assert_create_refused_out_of_scope(response: Any, model: Any, title: str) -> None:
    """The answer to a create form posted for a body and an area out of the
    user's scope: the form again (200) with both fields in error, and nothing
    titled `title` created."""
    assert response.status_code == 200
    assert not model.objects.filter(title=title).exists()
    errors = response.context["form"].errors
    assert "organization" in errors
    assert "target_area" in errors


def xlsx_bytes(rows: Iterable[Iterable[Any]], *, sheet: str | None = None) -> bytes:
    """An .xlsx file whose first sheet (titled `sheet`) holds `rows`, as an
    upload or an import job would receive it."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if sheet is not None:
        ws.title = sheet
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def files_in(root: Path) -> list[str]:
    """Every file under `root` (the test's MEDIA_ROOT, `media_root`), as
    storage names, sorted: what a write left behind, or did not."""
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


def sheet_rows(data: bytes, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """The rows (their values) of the sheet titled `sheet` (the first one by
    default) of the .xlsx file `data`, as a download or an export gives it."""
    book = load_workbook(io.BytesIO(data))
    ws = book.worksheets[0] if sheet is None else book[sheet]
    return list(ws.iter_rows(values_only=True))


@contextmanager
def statements_run() -> Iterator[list[str]]:
    """The SQL statements the block sends on the default connection, in order
    (as written, without their parameters), listed as they run::

        with statements_run() as seen:
            start_attempt(rnd, person.pk)
        assert any("synchronous_commit" in sql for sql in seen)
    """
    seen: list[str] = []

    def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        yield seen


RACES = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs concurrent writers: SQLite serialises every write transaction "
        "(IMMEDIATE), so there is no race to test; CI runs this file on PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]
"""`pytestmark = RACES` for a module of races (threads from `in_thread`): run on
PostgreSQL only, each test in real transactions."""


def in_thread(
    act: Callable[[], Any], name: str | None = None
) -> tuple[threading.Thread, list[Any]]:
    """Start act() in a thread (named `name`) with its own database connections,
    closed at the end. Its result or the exception it raised lands in the list
    (for the races on PostgreSQL: join the thread before reading it)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(act())
        except BaseException as exc:
            outcome.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread, outcome
