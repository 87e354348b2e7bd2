"""Organisers' own question files import (issue: "organisers' own question files
are refused"): header words recognised by their usual synonyms, title rows
above the header skipped, a column not recognised mapped on the preview page,
.csv in UTF-8 or Windows-1258, .xls refused with the way to save as .xlsx."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from danvan.contests.bank_layout import (
    ANSWER,
    CATEGORY,
    IGNORE,
    TEXT,
    XLS_REFUSED,
    recognise,
    role_of,
)
from danvan.contests.models import Category, Question
from danvan.contests.tests import factories
from danvan.core.models import Job, JobStatus
from danvan.core.tests.helpers import xlsx_bytes

pytestmark = pytest.mark.usefixtures("media_root")

TITLE = "BỘ CÂU HỎI CUỘC THI TÌM HIỂU LỊCH SỬ ĐẢNG BỘ HUYỆN PHỤNG HIỆP"
OWN_HEADER = ["STT", "Nội dung câu hỏi", "Phương án A", "Phương án B", "C", "D", "Đáp án đúng"]
OWN_ROWS = [
    [1, "Huyện Phụng Hiệp được tái lập năm nào?", "1999", "2004", "2008", "1975", "B"],
    [2, "Ngày truyền thống Mặt trận là ngày nào?", "18/11", "3/2", "19/5", "", "a"],
]


workbook = xlsx_bytes

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """Text as old Vietnamese Windows saves it: letters with their hat, breve or
    horn precomposed, the tone a combining mark after them."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def own_file() -> bytes:
    """The layout organisers keep: a title row, a blank line, no topic column."""
    return workbook([[TITLE], [], OWN_HEADER, *OWN_ROWS])


@pytest.mark.parametrize(
    "header,role",
    [
        ("STT", IGNORE),
        ("Câu hỏi", TEXT),
        ("NỘI DUNG CÂU HỎI", TEXT),
        ("Phương án A", "choice_A"),
        ("f", "choice_F"),
        ("Đáp án", ANSWER),
        ("Đáp án đúng", ANSWER),
        ("Chủ đề", CATEGORY),
        ("Ghi chú của người soạn", None),
    ],
)
def test_header_words(header: str, role: str | None) -> None:
    assert role_of(header) == role


def test_the_header_is_found_below_the_title() -> None:
    layout = recognise([(TITLE,), (), tuple(OWN_HEADER), tuple(OWN_ROWS[0])])
    assert layout.header == 2
    assert layout.columns == [IGNORE, TEXT, "choice_A", "choice_B", "choice_C", "choice_D", ANSWER]
    assert layout.missing() == []


def _upload(client: Any, contest: Any, name: str, data: bytes, **extra: Any) -> Any:
    url = reverse("contests_staff:question_import", args=[contest.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data), **extra})


def _confirm(client: Any, contest: Any, preview: Any, capture: Any, **changes: Any) -> Any:
    url = reverse("contests_staff:question_import", args=[contest.pk])
    shown = preview.context["preview"]
    data: dict[str, Any] = {
        "tep": preview.context["waiting"].token,
        "dong_tieu_de": shown.layout.header,
        "default_category": shown.default_category,
        **{f"cot_{c['index']}": c["role"] for c in shown.columns()},
        **changes,
    }
    with capture(execute=True):
        return client.post(url, data)


def test_an_organisers_table_imports_under_a_default_topic(
    world: factories.World, admin: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(admin)
    contest = world.contest
    preview = _upload(client, contest, "ngan-hang.xlsx", own_file())
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "hãy chọn chủ đề mặc định" in body  # no topic column, none chosen yet
    assert "Huyện Phụng Hiệp được tái lập năm nào?" in body  # the first rows, as imported
    assert 'name="nhap"' not in body

    # Naming the default topic: the page shows the rows under it, then imports.
    again = _confirm(
        client, contest, preview, django_capture_on_commit_callbacks, default_category="Lịch sử"
    )
    assert again.status_code == 200 and not Job.objects.exists()
    assert 'name="nhap"' in again.content.decode()
    done = _confirm(client, contest, again, django_capture_on_commit_callbacks, nhap="1")
    job = Job.objects.get(kind="import_questions")
    assert done["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    imported = Question.objects.filter(contest=contest, category__name="Lịch sử")
    assert imported.count() == 2
    front = imported.get(text__startswith="Ngày truyền thống")
    assert list(front.choices.order_by("position").values_list("text", "correct")) == [
        ("18/11", True),
        ("3/2", False),
        ("19/5", False),
    ]
    assert Category.objects.filter(contest=contest, name="Lịch sử").exists()


def test_a_column_not_recognised_is_mapped_on_the_preview(
    world: factories.World, admin: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(admin)
    data = workbook(
        [
            ["Chủ đề", "Câu hỏi", "A", "B", "Lời giải"],
            ["Mặt trận", "Mặt trận Tổ quốc Việt Nam thành lập năm nào?", "1930", "1955", "A"],
        ]
    )
    preview = _upload(client, world.contest, "mt.xlsx", data)
    body = preview.content.decode()
    assert "chưa nhận ra cột Đáp án đúng" in body
    columns = preview.context["preview"].columns()
    assert [c["header"] for c in columns] == ["Chủ đề", "Câu hỏi", "A", "B", "Lời giải"]
    assert columns[4]["role"] == IGNORE

    capture = django_capture_on_commit_callbacks
    mapped = _confirm(client, world.contest, preview, capture, cot_4=ANSWER)
    assert "chưa nhận ra" not in mapped.content.decode()
    _confirm(client, world.contest, mapped, capture, nhap="1")
    job = Job.objects.get(kind="import_questions")
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    question = Question.objects.get(contest=world.contest, text__startswith="Mặt trận Tổ quốc")
    assert question.choices.get(correct=True).text == "1930"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1258"])
def test_csv_in_utf8_or_windows_1258(
    encoding: str,
    world: factories.World,
    admin: Any,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(admin)
    text = (
        "Chủ đề;Câu hỏi;A;B;Đáp án\r\n"
        "Dân vận;Phương châm “Dân biết, dân bàn” có từ văn kiện nào?;Nghị quyết 8B;Chỉ thị 30;B\r\n"
    )
    data = windows_1258(text) if encoding == "cp1258" else text.encode(encoding)
    preview = _upload(client, world.contest, "cau-hoi.csv", data)
    assert preview.status_code == 200
    _confirm(client, world.contest, preview, django_capture_on_commit_callbacks, nhap="1")
    job = Job.objects.get(kind="import_questions")
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    question = Question.objects.get(contest=world.contest, category__name="Dân vận")
    assert question.text == "Phương châm “Dân biết, dân bàn” có từ văn kiện nào?"
    assert question.choices.get(correct=True).text == "Chỉ thị 30"


def test_xls_is_refused_with_the_way_to_save_as_xlsx(
    world: factories.World, admin: Any, client: Any
) -> None:
    client.force_login(admin)
    response = _upload(client, world.contest, "cu.xls", b"\xd0\xcf\x11\xe0 old excel")
    assert response.status_code == 200
    assert XLS_REFUSED in response.content.decode()
    assert not Job.objects.exists()


def test_the_template_examples_are_pointed_out_on_the_preview(
    world: factories.World, admin: Any, client: Any
) -> None:
    from danvan.contests.bank_io import BANK_HEADER, EXAMPLES

    client.force_login(admin)
    preview = _upload(client, world.contest, "mau.xlsx", workbook([BANK_HEADER, *EXAMPLES]))
    body = preview.content.decode()
    assert 'id="cau-vi-du"' in body and "Dòng 2, 3 trùng câu hỏi ví dụ" in body


def test_a_waiting_file_is_only_its_uploaders(
    world: factories.World, admin: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(admin)
    preview = _upload(client, world.contest, "ngan-hang.xlsx", own_file())
    token = preview.context["waiting"].token
    client.logout()
    client.force_login(admin)  # a new session: the token means nothing there
    url = reverse("contests_staff:question_import", args=[world.contest.pk])
    response = client.post(url, {"tep": token, "nhap": "1", "default_category": "X"})
    assert response.status_code == 302 and response["Location"] == url
    assert not Job.objects.exists()
