"""The helpers the apps share (issue 9): an import's template and first checks
(core/import_sheets.py), the upload form of an import (core/forms.py), a change
of status under the row's lock (core/locking.py) and what a process forgets
when rows change (core/changes.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from openpyxl import load_workbook

from danvan.core import import_sheets as sheets
from danvan.core.changes import on_rows_changed
from danvan.core.excel import workbook_bytes
from danvan.core.forms import XlsxImportForm, xlsx_template_field
from danvan.core.jobs import JobFailed
from danvan.core.locking import lock_in_status
from danvan.core.models import Area, Job, JobStatus, Role
from danvan.core.tests.factories import make_hamlet, make_phung_hiep, make_province, make_user
from danvan.core.tests.helpers import xlsx_bytes

HEADER = ["Mã", "Tên", "Ghi chú"]
WRONG = "Dòng tiêu đề không đúng mẫu."


# --- Import sheets -----------------------------------------------------------------


def test_template_holds_header_widths_and_guide() -> None:
    wb, ws = sheets.template_workbook("Dữ liệu", HEADER)
    ws.append(["1", "Mỹ Thạnh", None])
    sheets.column_widths(ws, (12, 30, 40))
    sheets.guide_sheet(wb, ["Mỗi dòng một đơn vị.", "Không đổi dòng tiêu đề."])
    read = load_workbook(io.BytesIO(workbook_bytes(wb)))
    assert read.sheetnames == ["Dữ liệu", "Hướng dẫn"]
    sheet = read["Dữ liệu"]
    assert [c.value for c in sheet[1]] == HEADER
    assert [sheet.column_dimensions[col].width for col in "ABC"] == [12, 30, 40]
    assert [row[0] for row in read["Hướng dẫn"].iter_rows(values_only=True)] == [
        "Mỗi dòng một đơn vị.",
        "Không đổi dòng tiêu đề.",
    ]


def test_sheet_body_rows_under_a_header_matched_without_diacritics() -> None:
    data = xlsx_bytes([["ma", "TÊN", "ghi chu"], ["1", "A", None], ["2", "B", "x"]])
    body = sheets.sheet_body(data, HEADER, max_rows=10, wrong_header=WRONG)
    assert [row[:2] for row in body] == [("1", "A"), ("2", "B")]


def test_sheet_body_refuses_a_wrong_header_or_an_empty_file() -> None:
    with pytest.raises(JobFailed) as wrong:
        sheets.sheet_body(
            xlsx_bytes([["Mã", "Họ tên", "Ghi chú"]]), HEADER, max_rows=10, wrong_header=WRONG
        )
    assert wrong.value.args[0] == WRONG
    with pytest.raises(JobFailed) as empty:
        sheets.sheet_body(xlsx_bytes([]), HEADER, max_rows=10, wrong_header=WRONG)
    assert empty.value.args[0] == "File không có dữ liệu."
    with pytest.raises(JobFailed):
        sheets.sheet_body(b"not a workbook", HEADER, max_rows=10, wrong_header=WRONG)


def test_sheet_body_checks_only_the_first_columns_when_asked() -> None:
    data = xlsx_bytes([["Mã", "Tên"], ["1", "A"]])
    assert len(sheets.sheet_body(data, HEADER, max_rows=10, wrong_header=WRONG, checked=2)) == 1
    with pytest.raises(JobFailed):
        sheets.sheet_body(data, HEADER, max_rows=10, wrong_header=WRONG)


def test_sheet_body_refuses_more_rows_than_allowed() -> None:
    data = xlsx_bytes([HEADER, *([str(i), "A", ""] for i in range(5))])
    assert len(sheets.sheet_body(data, HEADER, max_rows=5, wrong_header=WRONG)) == 5
    with pytest.raises(JobFailed):
        sheets.sheet_body(data, HEADER, max_rows=4, wrong_header=WRONG)


def test_row_cells_and_row_error() -> None:
    assert sheets.row_cells((" 1 ", 2, None, "x", "extra"), 3) == ["1", "2", ""]
    assert sheets.row_cells(("a",), 3) == ["a", "", ""]
    assert sheets.row_error(3, ["thiếu tên", "năm “20” không hợp lệ"]) == (
        "Dòng 3: thiếu tên; năm “20” không hợp lệ."
    )


# --- The upload form of an import ----------------------------------------------------


class ExampleImportForm(XlsxImportForm):
    file = xlsx_template_field("Mỗi dòng một người.")


def _form(name: str, size: int) -> ExampleImportForm:
    upload = SimpleUploadedFile(name, b"x" * size)
    return ExampleImportForm(data={}, files={"file": upload})


def test_import_form_takes_an_xlsx_of_at_most_5_mb() -> None:
    form = _form("danh-sach.XLSX", 100)
    assert form.is_valid()
    assert form.fields["file"].label == "File Excel (.xlsx)"
    assert form.fields["file"].help_text == "Mỗi dòng một người."
    assert _form("danh-sach.xls", 100).errors["file"] == ["Chỉ nhận file Excel định dạng .xlsx."]
    big = _form("danh-sach.xlsx", 5 * 1024 * 1024 + 1)
    assert big.errors["file"] == ["File quá lớn (tối đa 5 MB)."]


# --- A change of status under the lock -----------------------------------------------


@pytest.fixture
def job() -> Job:
    province = make_province()
    user = make_user("qt.tinh", Role.BOARD_ADMIN, area=province)
    return Job.objects.create(kind="test", title="Thử", created_by=user)


@pytest.mark.django_db
def test_lock_in_status_returns_the_row_as_stored(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(message="đã đổi")
    with transaction.atomic():
        locked = lock_in_status(job, [JobStatus.QUEUED], "Không được.")
    assert locked.pk == job.pk
    assert locked.message == "đã đổi"


@pytest.mark.django_db
def test_lock_in_status_refuses_another_status(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    with pytest.raises(ValidationError) as plain, transaction.atomic():
        lock_in_status(job, [JobStatus.QUEUED, JobStatus.RUNNING], "Công việc đã xong.")
    assert plain.value.messages == ["Công việc đã xong."]
    assert plain.value.code == "status"
    with pytest.raises(ValidationError) as named, transaction.atomic():
        lock_in_status(job, [JobStatus.QUEUED], "Không chạy lại được: công việc", name_status=True)
    assert named.value.messages == [
        "Không chạy lại được: công việc đang ở trạng thái “Hoàn thành”."
    ]


# --- What a process forgets when rows change ------------------------------------------


@pytest.fixture
def connected() -> Iterator[list[str]]:
    """The `uid`s connected by a test, disconnected after it."""
    uids: list[str] = []
    yield uids
    for uid in uids:
        post_save.disconnect(sender=Area, dispatch_uid=f"{uid}:core.Area")
        post_delete.disconnect(sender=Area, dispatch_uid=f"{uid}:core.Area:del")


@pytest.mark.django_db
def test_on_rows_changed_calls_on_save_and_delete(connected: list[str]) -> None:
    _province, _district, commune, _other = make_phung_hiep()
    calls: list[str] = []
    connected += ["test-changes-all", "test-changes-saves"]
    on_rows_changed(lambda: calls.append("all"), Area, uid="test-changes-all")
    on_rows_changed(lambda: calls.append("saves"), Area, uid="test-changes-saves", deletes=False)
    # Connecting again under the same uid keeps the first connection only.
    on_rows_changed(lambda: calls.append("again"), Area, uid="test-changes-all")
    hamlet = make_hamlet(commune, "Mỹ Thạnh")
    assert calls == ["all", "saves"] * (len(calls) // 2) and calls
    calls.clear()
    hamlet.population = 1234
    hamlet.save()
    assert calls == ["all", "saves"]
    calls.clear()
    Area.objects.filter(pk=hamlet.pk).delete()
    assert calls == ["all"]
