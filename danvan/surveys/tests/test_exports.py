"""Exports of survey results: the raw responses and the summary in Excel, the
summary in Word. Files open, headers are Vietnamese, formulas stay text."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from danvan.core import excel
from danvan.core.models import Role
from danvan.core.tests.factories import make_staff
from danvan.core.tests.helpers import sheet_rows
from danvan.surveys import exports, results
from danvan.surveys.models import Kind, Mode, OnePer, Response, Survey
from danvan.surveys.services import today_vn
from danvan.surveys.tests.factories import (
    Units,
    make_survey,
    question_of,
    store_response,
)

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://ke-gian.example","Bấm vào đây")'


def submit(survey: Survey, answers: dict[int, Any], **kwargs: Any) -> Response:
    if survey.one_per == OnePer.BROWSER:
        kwargs.setdefault("browser_token", secrets.token_urlsafe(24))
    return store_response(survey, answers, **kwargs)


@pytest.fixture
def survey(units: Units) -> Survey:
    s = make_survey(units=units)

    def q(kind: str) -> int:
        return question_of(s, kind).pk

    submit(
        s,
        {
            q(Kind.SINGLE): {"choice": -1, "other": "Nghe qua Zalo của ấp"},
            q(Kind.MULTIPLE): [0, 2],
            q(Kind.DROPDOWN): 1,
            q(Kind.RATING): 4,
            q(Kind.AGREEMENT): 3,
            q(Kind.GRID): [4, None],
            q(Kind.NUMBER): 5,
            q(Kind.SHORT_TEXT): EVIL,
            q(Kind.LONG_TEXT): "Đề nghị xã công khai tiến độ giải quyết hồ sơ đất đai.",
            q(Kind.DATE): "15/03/2025",
            q(Kind.UNIT): units.hamlet.pk,
        },
    )
    submit(s, {q(Kind.SINGLE): 0, q(Kind.NUMBER): 2.5, q(Kind.UNIT): units.other_hamlet.pk})
    old = submit(s, {q(Kind.SINGLE): 1})
    Response.objects.filter(pk=old.pk).update(received_on=today_vn() - timedelta(days=30))
    return s


def test_raw_responses_one_row_per_response_one_column_per_question(
    survey: Survey, units: Units
) -> None:
    data = exports.responses_workbook(survey)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Phiếu trả lời", "Ghi chú"]
    rows = list(wb["Phiếu trả lời"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:2] == ("STT", "Ngày nhận phiếu")
    grid = question_of(survey, Kind.GRID)
    assert f"Câu 6. {grid.text} — Cán bộ tiếp dân tận tình" in header
    assert f"Câu 6. {grid.text} — Thông tin được công khai đầy đủ" in header
    assert len(header) == 2 + len(Kind) + 1  # a grid with two rows takes two columns
    assert len(rows) == 1 + 3
    col = {h: i for i, h in enumerate(header)}

    def cell(row: tuple[Any, ...], kind: str, suffix: str = "") -> Any:
        question = question_of(survey, kind)
        number = list(survey.questions.order_by("section__position", "position")).index(question)
        return row[col[f"Câu {number + 1}. {question.text}{suffix}"]]

    full = next(r for r in rows[1:] if cell(r, Kind.NUMBER) == 5)
    assert cell(full, Kind.SINGLE) == "Khác: Nghe qua Zalo của ấp"
    assert cell(full, Kind.MULTIPLE) == "Đường giao thông nông thôn; Việc làm"
    assert cell(full, Kind.DROPDOWN) == "30 đến 59"
    assert cell(full, Kind.RATING) == 4
    assert cell(full, Kind.AGREEMENT) == "Đồng ý"
    assert cell(full, Kind.GRID, " — Cán bộ tiếp dân tận tình") == "Rất đồng ý"
    assert cell(full, Kind.GRID, " — Thông tin được công khai đầy đủ") is None
    assert cell(full, Kind.DATE) == "15/03/2025"
    assert cell(full, Kind.UNIT) == "Ấp Phụng Thạnh, Xã Phụng Hiệp"
    assert cell(full, Kind.SHORT_TEXT) == EVIL
    partial = next(r for r in rows[1:] if cell(r, Kind.NUMBER) == 2.5)
    assert cell(partial, Kind.SINGLE) == "Loa phát thanh của ấp"
    assert cell(partial, Kind.MULTIPLE) is None
    notes = [r[0] for r in sheet_rows(data, "Ghi chú")]
    assert "Phiếu ẩn danh: không có thông tin nào về người trả lời." in notes


def test_raw_responses_are_formula_safe(survey: Survey) -> None:
    ws = load_workbook(io.BytesIO(exports.responses_workbook(survey)))["Phiếu trả lời"]
    found = [c for row in ws.iter_rows() for c in row if c.value == EVIL]
    assert len(found) == 1
    assert found[0].data_type == "s"  # a string, not a formula
    assert found[0].quotePrefix


def test_raw_responses_follow_the_filters(survey: Survey, units: Units) -> None:
    assert (
        len(sheet_rows(exports.responses_workbook(survey, area=units.hamlet), "Phiếu trả lời")) == 2
    )
    recent = exports.responses_workbook(survey, date_from=today_vn() - timedelta(days=1))
    assert len(sheet_rows(recent, "Phiếu trả lời")) == 3


def test_identified_survey_export_masks_the_phone(units: Units) -> None:
    s = make_survey(mode=Mode.IDENTIFIED, one_per=OnePer.PHONE, units=units, kinds=[Kind.SINGLE])
    submit(
        s,
        {question_of(s, Kind.SINGLE).pk: 0},
        identity={"full_name": "Nguyễn Thị Mỹ Linh", "phone": "0912345678", "consent": True},
    )
    rows = sheet_rows(exports.responses_workbook(s, personal=True), "Phiếu trả lời")
    assert rows[0][:4] == ("STT", "Ngày nhận phiếu", "Họ và tên", "Số điện thoại")
    assert rows[1][2] == "Nguyễn Thị Mỹ Linh"
    assert rows[1][3] == "0912***678"
    assert "0912345678" not in str(rows)


def test_summary_workbook(survey: Survey) -> None:
    found = results.survey_results(survey)
    data = exports.summary_workbook(survey, found, "mọi phiếu đã nhận")
    rows = sheet_rows(data, "Tổng hợp")
    flat = [c for r in rows for c in r if c is not None]
    assert f"KẾT QUẢ KHẢO SÁT: {survey.title}" in flat
    assert "Tổng số phiếu: 3" in flat
    assert f"Câu 1. {question_of(survey, Kind.SINGLE).text}" in flat
    assert "Phương án" in flat and "Số người" in flat and "Tỷ lệ" in flat
    assert "Điểm trung bình: 4 (thang 1–5)" in flat
    assert f"– {EVIL}" in flat  # quoted written answers are formula-safe too
    ws = load_workbook(io.BytesIO(data))["Tổng hợp"]
    first = ws["A1"]
    assert first.font.bold


def test_summary_docx_opens_with_the_title_and_vietnamese_text(survey: Survey) -> None:
    found = results.survey_results(survey)
    data = exports.summary_docx(survey, found, "mọi phiếu đã nhận")
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "KẾT QUẢ KHẢO SÁT" in text
    assert survey.title in text
    assert "Câu 1. Ông/bà biết đến chủ trương sáp nhập xã qua kênh nào nhiều nhất?" in text
    assert "Đề nghị xã công khai tiến độ giải quyết hồ sơ đất đai." in text
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"Phương án", "Số người", "Tỷ lệ", "Loa phát thanh của ấp", "Rất đồng ý"} <= cells
    assert doc.styles["Normal"].font.name == "Times New Roman"


def test_export_views(survey: Survey, units: Units, client: Any) -> None:
    client.force_login(make_staff("xuat.canbo", Role.VIEWER, area=units.province))
    url = reverse("surveys_results:export_responses", args=[survey.pk])
    response = client.get(url, {"dia_ban": units.hamlet.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX
    assert (
        "filename*=UTF-8''Phi%E1%BA%BFu%20tr%E1%BA%A3%20l%E1%BB%9Di"
        in response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "private, no-store"
    assert len(sheet_rows(response.content, "Phiếu trả lời")) == 2
    response = client.get(reverse("surveys_results:export_summary_xlsx", args=[survey.pk]))
    assert response["Content-Type"] == excel.XLSX
    assert "Tổng số phiếu: 3" in str(sheet_rows(response.content, "Tổng hợp"))
    response = client.get(
        reverse("surveys_results:export_summary_docx", args=[survey.pk]),
        {"dia_ban": units.hamlet.pk},
    )
    assert response["Content-Type"] == exports.DOCX
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Tổng số phiếu: 1." in text
    assert "người trả lời ở Ấp Phụng Thạnh" in text


def test_names_in_the_responses_export_only_for_those_who_manage_the_survey(
    units: Units, client: Any
) -> None:
    """An identified survey's responses export carries the respondents' names and
    phones only for the roles that manage the survey (those who see the
    respondents page), and each such download is audited; whoever only views
    the survey gets the answers without them."""
    from auditlog.models import LogEntry

    s = make_survey(mode=Mode.IDENTIFIED, one_per=OnePer.PHONE, units=units, kinds=[Kind.SINGLE])
    name = "Nguyễn Thị Mỹ Linh"
    submit(
        s,
        {question_of(s, Kind.SINGLE).pk: 0},
        identity={"full_name": name, "phone": "0912345678", "consent": True},
    )
    url = reverse("surveys_results:export_responses", args=[s.pk])
    audited = LogEntry.objects.filter(object_pk=str(s.pk), action=LogEntry.Action.ACCESS)

    client.force_login(make_staff("xem.khaosat", Role.VIEWER, area=units.province))
    response = client.get(url)
    assert response.status_code == 200
    rows = sheet_rows(response.content, "Phiếu trả lời")
    assert "Họ và tên" not in rows[0] and "Số điện thoại" not in rows[0]
    assert name not in str(rows) and "0912***678" not in str(rows)
    assert len(rows) == 2  # the answers are there
    assert not audited.exists()

    manager = make_staff("quanly.khaosat", Role.BOARD_ADMIN, area=units.province)
    client.force_login(manager)
    rows = sheet_rows(client.get(url).content, "Phiếu trả lời")
    assert rows[0][2:4] == ("Họ và tên", "Số điện thoại")
    assert rows[1][2:4] == (name, "0912***678")
    (entry,) = audited
    assert entry.actor == manager
    assert "phiếu trả lời kèm họ tên" in entry.object_repr
