"""The question bank to and from Excel (danvan.contests.bank_io): the template,
the import run as a background job (all rows or none, a clear error per bad
row), the export that round-trips, and formula neutralisation."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from danvan.contests import bank_io, services
from danvan.contests.bank_io import (
    BANK_HEADER,
    TYPE_MULTIPLE,
    TYPE_SINGLE,
    cell_text,
    export_bank,
    keep_quote,
    question_template,
    unescape_cell,
)
from danvan.contests.models import Category, Choice, Contest, Question
from danvan.contests.tests import factories
from danvan.core import jobs
from danvan.core.models import Job, JobStatus, Role
from danvan.core.tests.factories import make_staff
from danvan.core.tests.helpers import xlsx_bytes

# `world` (a draft contest) and `admin` (its board administrator) come from conftest.py.
pytestmark = pytest.mark.usefixtures("media_root")


def xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    return xlsx_bytes([BANK_HEADER if header is None else header, *rows])


def row(
    text: str = "Ngày hội Đại đoàn kết toàn dân tộc là ngày nào?",
    category: str = "Mặt trận",
    kind: str = TYPE_SINGLE,
    choices: tuple[str, ...] = ("18/11", "15/10", "3/2"),
    answer: str = "A",
    explanation: str = "Ngày thành lập Mặt trận Dân tộc thống nhất Việt Nam.",
) -> list[Any]:
    cells = list(choices) + [None] * (6 - len(choices))
    return [category, text, kind, *cells, answer, explanation]


def run_import(user: Any, contest: Contest, data: bytes, capture: Any) -> Job:
    with capture(execute=True) as callbacks:
        job = jobs.start_job(
            user,
            "import_questions",
            "Nhập câu hỏi từ Excel",
            params={"contest_id": contest.pk},
            input_file=ContentFile(data, name="cau-hoi.xlsx"),
        )
        assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED  # not before commit
    assert len(callbacks) == 1
    job.refresh_from_db()
    return job


def snapshot(contest: Contest) -> list[tuple[Any, ...]]:
    """Everything a question is, by value (no ids), sorted."""
    out = []
    for q in Question.objects.filter(contest=contest).select_related("category"):
        choices = tuple(q.choices.order_by("position").values_list("text", "correct"))
        out.append((q.category.name, q.text, q.multiple, q.explanation, q.active, choices))
    return sorted(out)


# --- Import ---------------------------------------------------------------------------------


def test_good_file_imports_every_question_through_the_job(
    world: factories.World, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    contest = factories.make_contest(world.organizer, world.province)
    Category.objects.create(contest=contest, name="Mặt trận")
    assert services.load_bank(contest.pk).questions == {}
    data = xlsx(
        [
            row(),
            row(
                "  Những tổ chức nào là thành viên của Mặt trận Tổ quốc   Việt Nam? ",
                category="mặt trận",  # the same topic, however it is typed
                kind=TYPE_MULTIPLE,
                choices=("Hội Nông dân", "Đoàn Thanh niên", "Ủy ban nhân dân", "Công đoàn"),
                answer="a, b;D",
                explanation="",
            ),
            [None] * 11,  # empty rows are skipped
            row(
                "Năm 2024 có bao nhiêu xã?",
                category="Địa phương",
                kind="",  # empty type: from the number of letters
                choices=(12, 14.0, date(2024, 9, 2)),
                answer="b",
            ),
        ]
    )
    job = run_import(admin, contest, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    assert job.result["created"] == 3
    assert job.message == "Đã nhập 3 câu hỏi vào “Cuộc thi mới” (thêm 1 chủ đề mới)."
    assert sorted(Category.objects.filter(contest=contest).values_list("name", flat=True)) == [
        "Mặt trận",
        "Địa phương",
    ]
    assert snapshot(contest) == sorted(
        [
            (
                "Mặt trận",
                "Ngày hội Đại đoàn kết toàn dân tộc là ngày nào?",
                False,
                "Ngày thành lập Mặt trận Dân tộc thống nhất Việt Nam.",
                True,
                (("18/11", True), ("15/10", False), ("3/2", False)),
            ),
            (
                "Mặt trận",
                "Những tổ chức nào là thành viên của Mặt trận Tổ quốc Việt Nam?",
                True,
                "",
                True,
                (
                    ("Hội Nông dân", True),
                    ("Đoàn Thanh niên", True),
                    ("Ủy ban nhân dân", False),
                    ("Công đoàn", True),
                ),
            ),
            (
                "Địa phương",
                "Năm 2024 có bao nhiêu xã?",
                False,
                "Ngày thành lập Mặt trận Dân tộc thống nhất Việt Nam.",
                True,
                (("12", False), ("14", True), ("02/09/2024", False)),
            ),
        ]
    )
    # The cached bank sees the new questions at once.
    assert len(services.load_bank(contest.pk).questions) == 3


def test_the_templates_examples_never_import(
    world: factories.World, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    contest = factories.make_contest(world.organizer, world.province)
    template = load_workbook(io.BytesIO(question_template()))
    assert template.sheetnames == ["Câu hỏi", "Ví dụ", "Hướng dẫn"]
    # As downloaded: its examples stand where an import cannot take them.
    job = run_import(admin, contest, question_template(), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message == "File không có dòng câu hỏi nào."
    assert not Question.objects.filter(contest=contest).exists()

    # Copied onto the questions sheet by mistake: imported, and pointed out.
    job = run_import(admin, contest, xlsx(bank_io.EXAMPLES), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.errors
    assert "dòng 2, 3 trùng câu hỏi ví dụ của file mẫu" in job.message
    assert Question.objects.filter(contest=contest).count() == 2
    multiple = Question.objects.get(contest=contest, multiple=True)
    assert list(multiple.choices.filter(correct=True).values_list("position", flat=True)) == [
        0,
        2,
        3,
    ]


BAD_ROWS: list[tuple[str, list[Any], str]] = [
    ("missing answer", row(answer=""), "Dòng 3: thiếu đáp án đúng."),
    (
        "letter without a choice",
        row(answer="D"),
        "Dòng 3: đáp án đúng là D nhưng ô phương án D để trống.",
    ),
    ("one choice", row(choices=("Chỉ một",)), "Dòng 3: cần ít nhất 2 phương án (cột A và B)"),
    (
        "duplicate in the file",
        row(text="BÀI HÁT “Kết đoàn” do ai sáng tác?"),
        "Dòng 3: trùng câu hỏi với dòng 2.",
    ),
    (
        "duplicate in the bank",
        row(text="câu 1 của CHỦ ĐỀ 1?"),
        "Dòng 3: câu hỏi đã có trong ngân hàng câu hỏi của cuộc thi.",
    ),
    ("empty category", row(category="  "), "Dòng 3: thiếu chủ đề."),
    (
        "single with several letters",
        row(kind="Một đáp án", answer="A,C"),
        "Dòng 3: câu “Một đáp án” nhưng ghi 2 đáp án đúng (A, C).",
    ),
    (
        "multiple with one letter",
        row(kind="nhieu dap an", answer="B"),
        "Dòng 3: câu “Nhiều đáp án” cần ít nhất 2 đáp án đúng.",
    ),
    (
        "gap between choices",
        row(choices=("Một", "", "Ba")),
        "phương án B để trống; các phương án phải điền liền nhau từ cột A",
    ),
    ("bad letter", row(answer="G"), "Dòng 3: đáp án đúng “G” không hợp lệ"),
    ("bad type", row(kind="Tự luận"), "Dòng 3: loại “Tự luận” không hợp lệ"),
    ("missing question", row(text=""), "Dòng 3: thiếu nội dung câu hỏi."),
    ("same choice twice", row(choices=("Hà Nội", "ha noi")), "phương án B trùng với phương án A"),
]


@pytest.mark.parametrize("bad", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_bad_row_fails_the_job_and_imports_nothing(
    bad: tuple[str, list[Any], str],
    world: factories.World,
    admin: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _name, bad_row, message = bad
    contest = world.contest
    before = snapshot(contest)
    categories = Category.objects.count()
    good = row(text="Bài hát “Kết đoàn” do ai sáng tác?", choices=("Văn Cao", "Lưu Hữu Phước"))
    data = xlsx([good, bad_row, row(text="Một câu hỏi hợp lệ khác?", category="Chủ đề mới")])
    job = run_import(admin, contest, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("Có 1 dòng lỗi; chưa nhập câu hỏi nào.")
    assert len(job.errors) == 1
    assert message in job.errors[0], job.errors
    assert snapshot(contest) == before
    assert Category.objects.count() == categories


def test_every_bad_row_is_listed(
    world: factories.World, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    data = xlsx([row(answer=""), row(text="Khác?", category="", choices=("A",), answer="C")])
    job = run_import(admin, world.contest, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert job.errors == [
        "Dòng 2: thiếu đáp án đúng.",
        "Dòng 3: thiếu chủ đề; cần ít nhất 2 phương án (cột A và B); "
        "đáp án đúng là C nhưng ô phương án C để trống.",
    ]


@pytest.mark.parametrize(
    "data,message",
    [
        (xlsx([row()], header=["Câu hỏi", "Chủ đề"]), "Dòng tiêu đề chưa đủ cột"),
        (b"PK not really a workbook", "File không đọc được."),
        (xlsx([]), "File không có dòng câu hỏi nào."),
    ],
)
def test_unusable_files(
    data: bytes,
    message: str,
    world: factories.World,
    admin: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = run_import(admin, world.contest, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert message in job.message


def test_the_job_rechecks_the_scope(
    world: factories.World, django_capture_on_commit_callbacks: Any
) -> None:
    sibling = make_staff("qt.hoaan", Role.BOARD_ADMIN, area=world.other_commune)
    count = Question.objects.count()
    job = run_import(sibling, world.contest, xlsx([row()]), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.FAILED
    assert "không còn quyền quản lý" in job.message
    assert Question.objects.count() == count


def test_import_view_previews_then_starts_the_job(
    world: factories.World, admin: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(admin)
    url = reverse("contests_staff:question_import", args=[world.contest.pk])
    response = client.post(url, {"file": SimpleUploadedFile("cau-hoi.txt", b"a,b")})
    assert response.status_code == 200
    assert "Chỉ nhận file Excel (.xlsx) hoặc CSV (.csv)." in response.content.decode()

    upload = SimpleUploadedFile("cau-hoi.xlsx", xlsx([row()]))
    response = client.post(url, {"file": upload})
    assert response.status_code == 200  # the preview: nothing imported yet
    assert not Job.objects.exists()
    token = response.context["waiting"].token
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"tep": token, "nhap": "1", **_posted(response)})
    job = Job.objects.get(kind="import_questions")
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    assert job.params["contest_id"] == world.contest.pk
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.errors
    assert Question.objects.filter(contest=world.contest, text__startswith="Ngày hội").exists()
    # The job page shows the outcome to the person who started it.
    body = client.get(job.get_absolute_url()).content.decode()
    assert "Đã nhập 1 câu hỏi" in body


def _posted(preview: Any) -> dict[str, Any]:
    """What the preview form sends back unchanged: the header line and each column's role."""
    data: dict[str, Any] = {"dong_tieu_de": preview.context["preview"].layout.header}
    for column in preview.context["preview"].columns():
        data[f"cot_{column['index']}"] = column["role"]
    return data


# --- Export and round trip ------------------------------------------------------------------


TRICKY = [
    "=1+1",
    "+84 912 345 678",
    "-5 °C",
    "@SUM(A1)",
    "'=đã có dấu nháy",
    "''hai dấu nháy",
    "'bình thường",
    '=HYPERLINK("http://x","bấm")',
]


def test_export_then_import_into_a_fresh_contest_round_trips(
    world: factories.World, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    source = world.contest
    cat = Category.objects.create(contest=source, name="=Chủ đề công thức")
    q = Question.objects.create(
        contest=source,
        category=cat,
        text="-Câu hỏi bắt đầu bằng dấu trừ?",
        multiple=True,
        explanation="@giải thích",
    )
    for i, text in enumerate(TRICKY[:6]):
        Choice.objects.create(question=q, position=i, text=text, correct=i in (0, 4))
    q2 = Question.objects.create(
        contest=source, category=cat, text="Câu có phương án công thức?", explanation=""
    )
    for i, text in enumerate(TRICKY[6:]):
        Choice.objects.create(question=q2, position=i, text=text, correct=i == 1)
    inactive = Question.objects.filter(contest=source).first()
    assert inactive is not None
    Question.objects.filter(pk=inactive.pk).update(active=False)

    data = export_bank(source)
    target = factories.make_contest(world.organizer, world.province, slug="ban-sao")
    job = run_import(admin, target, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.errors
    expected = [s for s in snapshot(source) if s[1] != inactive.text]
    assert snapshot(target) == expected
    assert len(expected) == 13

    # With the inactive ones on request (imported as active).
    target2 = factories.make_contest(world.organizer, world.province, slug="ban-sao-2")
    data = export_bank(source, include_inactive=True)
    job = run_import(admin, target2, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.errors
    assert len(snapshot(target2)) == 14


def test_export_neutralises_formulas(world: factories.World) -> None:
    cat = world.categories[0]
    q = Question.objects.create(
        contest=world.contest, category=cat, text='=HYPERLINK("http://x.vn","Bấm")'
    )
    Choice.objects.create(question=q, position=0, text="=1+1", correct=True)
    Choice.objects.create(question=q, position=1, text="-1", correct=False)
    wb = load_workbook(io.BytesIO(export_bank(world.contest)))  # formulas as written
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == BANK_HEADER
    cells = [c for r in ws.iter_rows(min_row=2) for c in r if c.value is not None]
    assert cells
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells}
    # As the other exports do it: a text cell with the quote prefix (shown as
    # typed, never run), no apostrophe added to the value itself.
    by_value = {c.value: c for c in cells}
    for text in ('=HYPERLINK("http://x.vn","Bấm")', "=1+1", "-1"):
        assert by_value[text].data_type == "s" and by_value[text].quotePrefix, text
    assert not any(str(t).startswith("'") for t in texts)
    plain = by_value["Câu 1 của chủ đề 1?"]  # ordinary text untouched
    assert plain.data_type == "s" and not plain.quotePrefix
    assert wb.sheetnames == ["Câu hỏi", "Hướng dẫn"]


def test_formula_like_question_round_trips_without_a_visible_apostrophe(
    world: factories.World, admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cat = world.categories[0]
    q = Question.objects.create(contest=world.contest, category=cat, text="=SUM(A1:A3)")
    Choice.objects.create(question=q, position=0, text="+84 912 345 678", correct=True)
    Choice.objects.create(question=q, position=1, text="Bình thường", correct=False)
    data = export_bank(world.contest)
    row = next(
        r
        for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=2)
        if r[1].value == "=SUM(A1:A3)"
    )
    assert row[1].quotePrefix and row[3].value == "+84 912 345 678" and row[3].quotePrefix
    target = factories.make_contest(world.organizer, world.province, slug="ban-sao-cong-thuc")
    job = run_import(admin, target, data, django_capture_on_commit_callbacks)
    assert job.status == JobStatus.DONE, job.errors
    assert snapshot(target) == snapshot(world.contest)


def test_export_view(world: factories.World, admin: Any, client: Any) -> None:
    client.force_login(admin)
    response = client.get(reverse("contests_staff:question_export", args=[world.contest.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == bank_io.XLSX_TYPE
    assert f"ngan-hang-cau-hoi-{world.contest.slug}.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert ws.max_row == 1 + 12
    response = client.get(reverse("contests_staff:question_template"))
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).worksheets[0]["B1"].value == "Câu hỏi"


# --- keep_quote and unescape_cell ---------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("=1+1", "=1+1"),  # the cell's quote prefix protects it (test above)
        ("'=x", "''=x"),
        ("''x", "'''x"),
        ("'x", "'x"),
        ("'", "'"),
        ("Bình thường", "Bình thường"),
        ("", ""),
        (12, 12),
        (None, None),
    ],
)
def test_keep_quote(value: Any, expected: Any) -> None:
    assert keep_quote(value) == expected


@given(st.text(max_size=30))
def test_keep_quote_round_trips(text: str) -> None:
    assert unescape_cell(keep_quote(text)) == text


def test_an_older_export_with_a_visible_apostrophe_still_imports_as_meant() -> None:
    assert unescape_cell("'=1+1") == "=1+1"
    assert unescape_cell("'-5 °C") == "-5 °C"


def test_cell_text() -> None:
    assert cell_text(None) == ""
    assert cell_text(3.0) == "3"
    assert cell_text(2.5) == "2.5"
    assert cell_text("  a \n  b ") == "a b"
    assert cell_text(date(1945, 9, 2)) == "02/09/1945"
