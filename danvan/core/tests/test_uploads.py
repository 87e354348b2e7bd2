"""Uploaded workbooks cannot inflate the worker (danvan.core.uploads): a small
.xlsx whose shared strings inflate to tens of megabytes is refused, with a
clear message, before anything large is allocated, at every staff import."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from danvan.core import jobs, uploads
from danvan.core.imports import HAMLET_HEADER
from danvan.core.models import Area, AreaKind, Job, JobStatus, Role
from danvan.core.tests.factories import make_commune, make_province, make_user
from danvan.core.tests.helpers import xlsx_bytes

BOMB_BYTES = 60 * 1024 * 1024
PEAK_LIMIT = 20 * 1024 * 1024


pytestmark = pytest.mark.usefixtures("media_root")  # from the root conftest


workbook = xlsx_bytes


def _huge_shared_strings(size: int) -> Iterator[bytes]:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    yield f'<sst xmlns="{ns}" count="1" uniqueCount="1"><si><t>'.encode()
    chunk = b"A" * (1024 * 1024)
    for _ in range(size // len(chunk)):
        yield chunk
    yield b"</t></si></sst>"


def rezip(
    data: bytes,
    replace: dict[str, Callable[[], Iterator[bytes]]] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """The workbook `data` with some members replaced (streamed, so the test
    never holds the inflated text) or added, deflated at the highest level."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename in replace:
                continue
            target.writestr(info.filename, source.read(info.filename))
        for name, chunks in replace.items():
            with target.open(name, "w", force_zip64=True) as fh:
                for chunk in chunks():
                    fh.write(chunk)
        for name, content in (extra or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def bomb(data: bytes) -> bytes:
    """The workbook with a shared-strings part (openpyxl writes inline strings)
    whose one string inflates to BOMB_BYTES."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rels = archive.read("xl/_rels/workbook.xml.rels")
        types = archive.read("[Content_Types].xml")
    rel = (
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdS"/>'
    )
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    return rezip(
        data,
        replace={
            "xl/_rels/workbook.xml.rels": lambda: iter(
                [rels.replace(b"</Relationships>", rel + b"</Relationships>")]
            ),
            "[Content_Types].xml": lambda: iter(
                [types.replace(b"</Types>", override + b"</Types>")]
            ),
            "xl/sharedStrings.xml": lambda: _huge_shared_strings(BOMB_BYTES),
        },
    )


def peak_of(call: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_bomb_is_small_and_inflates_far() -> None:
    data = bomb(workbook([["Mã xã", "Tên"], ["31453", "Long Phú"]]))
    assert len(data) < 300 * 1024
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > BOMB_BYTES


def test_open_workbook_refuses_the_bomb_before_inflating_it() -> None:
    data = bomb(workbook([["a", "b"]]))

    def refused() -> list[str]:
        with pytest.raises(ValidationError) as exc:
            uploads.read_sheet_rows(data)
        return exc.value.messages

    messages, peak = peak_of(refused)
    assert messages == [uploads.TOO_LARGE]
    assert peak < PEAK_LIMIT


@pytest.mark.parametrize(
    "make,settings_change",
    [
        # Too much in total, although no member is compressed suspiciously well.
        (lambda base: base, {"UPLOAD_MAX_UNCOMPRESSED_BYTES": 1000}),
        (lambda base: base, {"UPLOAD_MAX_MEMBERS": 3}),
        (lambda base: rezip(base, extra={"xl/embeddings/khac.xlsx": b"PK"}), {}),
        (lambda base: rezip(base, extra={"../ngoai.xml": b"<x/>"}), {}),
    ],
)
def test_archives_beyond_the_limits_are_refused(
    make: Callable[[bytes], bytes], settings_change: dict[str, int], settings: Any
) -> None:
    for name, value in settings_change.items():
        setattr(settings, name, value)
    with pytest.raises(ValidationError) as exc:
        uploads.open_workbook(make(workbook([["a"]])))
    assert exc.value.messages == [uploads.TOO_LARGE]


def test_an_encrypted_member_is_refused() -> None:
    data = bytearray(workbook([["a"]]))
    # Set the "encrypted" flag of every entry of the central directory.
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 4)
    with pytest.raises(ValidationError) as exc:
        uploads.open_workbook(bytes(data))
    assert exc.value.messages == [uploads.TOO_LARGE]


def test_not_a_workbook_is_unreadable() -> None:
    with pytest.raises(ValidationError) as exc:
        uploads.open_workbook(b"PK not really a workbook")
    assert exc.value.messages == [uploads.UNREADABLE]


def test_rows_are_counted_while_reading_not_from_the_declared_dimensions() -> None:
    data = workbook([["tiêu đề"], *[[f"dòng {i}"] for i in range(2, 11)]])
    lying = rezip(
        data,
        replace={
            "xl/worksheets/sheet1.xml": lambda: iter(
                [_sheet_xml(data).replace(b'ref="A1:A10"', b'ref="A1:A2"')]
            )
        },
    )
    assert len(uploads.read_sheet_rows(lying)) == 10
    with pytest.raises(ValidationError) as exc:
        uploads.read_sheet_rows(lying, max_rows=5)
    assert exc.value.messages == [
        "File có dữ liệu ở dòng 6, trong khi chỉ đọc tới dòng 5; hãy chia nhỏ file."
    ]


def _sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_columns_are_cut_and_blank_trailing_rows_dropped() -> None:
    data = workbook([list(range(80)), [], [None, "x"], [], []])
    rows = uploads.read_sheet_rows(data, max_columns=3)
    assert rows == [(0, 1, 2), (None, None, None), (None, "x", None)]


def test_rows_within_keeps_line_numbers_and_refuses_values_past_the_limit() -> None:
    """Inner blank lines stay (as the blank row) so that row i is line i + 1;
    trailing blank lines are dropped, and blank lines past the limit are no
    reason to refuse, a value there is."""

    def rows(lines: list[list[str]], max_rows: int = 5) -> list[tuple[Any, ...]]:
        return uploads.rows_within(
            lines,
            max_rows,
            is_blank=lambda values: not any(v.strip() for v in values),
            blank_row=(),
            clean=lambda values: tuple(v.strip() or None for v in values),
        )

    lines = [["a", "b"], [" ", ""], ["1", " "], [], [""], [], [""]]
    assert rows(lines) == [("a", "b"), (), ("1", None)]
    assert rows([]) == []
    with pytest.raises(ValidationError) as caught:
        rows([*lines[:3], [], [], ["late"]])
    assert caught.value.code == "too_many_rows"
    assert "dòng 6" in caught.value.messages[0]


# --- Every staff import refuses the bomb ------------------------------------------


@pytest.mark.django_db
def test_hamlet_import_page_refuses_the_bomb_and_still_imports(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    commune = make_commune(make_province("93", "Tỉnh Hậu Giang"), "Xã Tân Long", "31453")
    admin = make_user("qt.tanlong", Role.BOARD_ADMIN, area=commune)
    client.force_login(admin)
    url = reverse("staff:hamlet_import")

    def upload(data: bytes) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url, {"file": SimpleUploadedFile("ap.xlsx", data)}, REMOTE_ADDR="10.0.0.1"
            )
        assert response.status_code == 302
        return Job.objects.latest("pk")

    good = workbook([HAMLET_HEADER, ["31453", "Long Phú", "Ấp", 1200]])
    job, peak = peak_of(lambda: upload(bomb(good)))
    assert peak < PEAK_LIMIT
    assert job.status == JobStatus.FAILED
    assert job.message == uploads.TOO_LARGE
    assert not Area.objects.filter(kind=AreaKind.HAMLET).exists()

    job = upload(good)
    assert job.status == JobStatus.DONE, job.message
    assert [a.name for a in Area.objects.filter(kind=AreaKind.HAMLET)] == ["Ấp Long Phú"]


@pytest.mark.django_db
def test_question_bank_import_refuses_the_bomb_and_still_imports(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from danvan.contests import bank_io
    from danvan.contests.models import ContestStatus, Question
    from danvan.contests.tests import factories
    from danvan.core.tests.factories import make_staff

    world = factories.make_world(status=ContestStatus.DRAFT)
    admin = make_staff("qt.cantho", Role.BOARD_ADMIN, area=world.province)

    def run(data: bytes) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.start_job(
                admin,
                "import_questions",
                "Nhập câu hỏi từ Excel",
                params={"contest_id": world.contest.pk},
                input_file=ContentFile(data, name="cau-hoi.xlsx"),
            )
        job.refresh_from_db()
        return job

    before = Question.objects.filter(contest=world.contest).count()
    good = workbook(
        [
            bank_io.BANK_HEADER,
            ["Mặt trận", "Câu hỏi mới về dân vận?", bank_io.TYPE_SINGLE, "Đúng", "Sai"]
            + [None] * 4
            + ["A", ""],
        ]
    )
    job, peak = peak_of(lambda: run(bomb(good)))
    assert peak < PEAK_LIMIT
    assert job.status == JobStatus.FAILED
    assert job.message == uploads.TOO_LARGE
    assert Question.objects.filter(contest=world.contest).count() == before

    job = run(good)
    assert job.status == JobStatus.DONE, job.message
    assert Question.objects.filter(contest=world.contest).count() == before + 1


def test_a_workbook_with_printer_settings_is_read() -> None:
    """Excel keeps each sheet's printer settings in a .bin part: an ordinary
    workbook, not an archive inside the archive."""
    book = Workbook()
    book.active.append(["Tên ấp", "Loại"])
    buffer = io.BytesIO()
    book.save(buffer)
    with_settings = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(with_settings, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/printerSettings/printerSettings1.bin", b"\x01" * 2000)
    uploads.check_archive(with_settings.getvalue())
    workbook = uploads.open_workbook(with_settings.getvalue())
    assert next(workbook.active.iter_rows(values_only=True)) == ("Tên ấp", "Loại")
    workbook.close()
