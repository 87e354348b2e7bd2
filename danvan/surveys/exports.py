"""Files of survey results and of public-opinion reports.

* `responses_workbook`: the raw responses, one row per response, one column
  per question (a grid question: one column per row). Streamed from the
  database (one query, answers in response order) and written with openpyxl's
  write-only mode. The respondent's phone of an identified survey is masked.
* `summary_workbook` / `summary_docx`: the figures of the results page (the
  same `results.survey_results`), in Excel and in Word.
* `opinion_docx`: the period's hot issues as an official report ("BÁO CÁO TÌNH
  HÌNH DƯ LUẬN XÃ HỘI"), in a sober layout (A4, Times New Roman 13, the margins
  of administrative documents).

Every text cell that a spreadsheet would read as a formula is written as text
(`danvan.core.excel.safe_cell`), so an answer "=HYPERLINK(...)" stays an answer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from danvan.core.excel import (
    add_notes,
    append_row,
    safe_cell,
    workbook_bytes,
    write_header,
)
from danvan.core.masking import mask_phone
from danvan.core.places import area_places
from danvan.core.text import format_date, format_datetime
from danvan.surveys import kinds
from danvan.surveys.models import Answer, Mode, Question, Survey
from danvan.surveys.opinion import SCORE_RULE, HotIssues
from danvan.surveys.result_types import (
    QuestionResult,
    SurveyResults,
    choices_of,
    decimal_vi,
    grid_rows_of,
    percent_vi,
)
from danvan.surveys.results import responses_in

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHUNK = 2000
SUMMARY_TEXTS = 20  # written answers quoted per question in a summary

__all__ = [
    "DOCX",
    "opinion_docx",
    "responses_workbook",
    "summary_docx",
    "summary_workbook",
]


# --- Raw responses -----------------------------------------------------------------


def _columns(questions: list[Question]) -> list[tuple[int, int | None, str]]:
    """(question id, grid row or None, header) of each answer column."""
    out: list[tuple[int, int | None, str]] = []
    for n, q in enumerate(questions, start=1):
        if kinds.of(q).per_row:
            out += [
                (q.pk, r, f"Câu {n}. {q.text} — {row}") for r, row in enumerate(grid_rows_of(q))
            ]
        else:
            out.append((q.pk, None, f"Câu {n}. {q.text}"))
    return out


def responses_workbook(
    survey: Survey,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    area: Any = None,
    personal: bool = False,
) -> bytes:
    """One row per response kept by the filters, one column per question (per grid row).
    `personal`: for an identified survey, the respondent's name and (masked) phone
    too; only for those who manage the survey, and the caller records the download
    in the audit trail (`views_results.export_responses`)."""
    questions = list(
        Question.objects.filter(survey_id=survey.pk)
        .select_related("section")
        .order_by("section__position", "position", "pk")
    )
    columns = _columns(questions)
    index = {(qid, row): i for i, (qid, row, _h) in enumerate(columns)}
    kind_of = {q.pk: kinds.of(q) for q in questions}
    labels = {q.pk: choices_of(q) for q in questions}
    identified = survey.mode == Mode.IDENTIFIED and personal
    responses = responses_in(survey, date_from=date_from, date_to=date_to, area=area)
    unit_ids = [q.pk for q in questions if kind_of[q.pk].column == "area"]
    places = area_places(
        Answer.objects.filter(question_id__in=unit_ids, response__in=responses, area__isnull=False)
        .values_list("area_id", flat=True)
        .distinct()
        .order_by()
        if unit_ids
        else []
    )
    fields = [
        "pk",
        "received_on",
        "answers__question_id",
        "answers__row",
        "answers__choice",
        "answers__number",
        "answers__text",
        "answers__date",
        "answers__area_id",
    ]
    if identified:
        fields += ["respondent__full_name", "respondent__phone"]
    rows = responses.order_by("received_on", "pk", "answers__pk").values_list(*fields)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Phiếu trả lời")
    headers: list[tuple[str, int]] = [("STT", 6), ("Ngày nhận phiếu", 14)]
    if identified:
        headers += [("Họ và tên", 24), ("Số điện thoại", 14)]
    headers += [(h, 28) for _q, _r, h in columns]
    write_header(ws, headers)
    lead = len(headers) - len(columns)

    n = 0
    current: Any = None
    line: list[Any] = []

    def flush() -> None:
        if current is not None:
            append_row(ws, line)

    for row in rows.iterator(chunk_size=CHUNK):
        pk, received_on, qid, grid_row, choice, number, text, day, area_id = row[:9]
        if pk != current:
            flush()
            current = pk
            n += 1
            line = [n, format_date(received_on)]
            if identified:
                line += [row[9] or "", mask_phone(row[10] or "")]
            line += [""] * len(columns)
        if qid is None or qid not in kind_of:
            continue
        kind = kind_of[qid]
        col = index.get((qid, grid_row if kind.per_row else None))
        if col is None:
            continue
        col += lead
        place = places.get(area_id) if area_id else None
        cell = kinds.AnswerCell(choice, number, text, day, place)
        value = kind.export_value(labels[qid], cell, line[col])
        line[col] = value if value is not None else ""
    flush()
    add_notes(
        wb,
        [
            f"Cuộc khảo sát: {survey.title}",
            f"Số phiếu: {n}",
            "Mỗi phiếu một dòng, mỗi câu hỏi một cột (câu hỏi dạng bảng: mỗi ý một cột); "
            "ô trống: người trả lời bỏ qua hoặc câu hỏi không hiện ra với họ.",
            *(
                ["Số điện thoại đã được che một phần."]
                if identified
                else [
                    "Khảo sát có danh tính: họ tên, số điện thoại người trả lời chỉ có trong "
                    "bản xuất của người quản lý khảo sát."
                ]
                if survey.mode == Mode.IDENTIFIED
                else ["Phiếu ẩn danh: không có thông tin nào về người trả lời."]
            ),
            f"Xuất lúc: {format_datetime(timezone.now())}",
        ],
    )
    return workbook_bytes(wb)


# --- Summary -----------------------------------------------------------------------


def _answered_line(r: QuestionResult) -> str:
    return f"Số người trả lời: {r.answered}/{r.responses} phiếu ({r.answered_percent})"


class Pct(float):
    """A share in percent (0–100): a percentage cell in Excel, "12,5%" in Word."""


class Dec(float):
    """A decimal figure (an average): a number cell in Excel, "3,45" in Word."""


@dataclass
class CountShare:
    """A grid cell: how many and their share of the row."""

    count: int
    share: float


def _table_rows(r: QuestionResult) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of a question's table (for Excel and Word alike)."""
    if kinds.kind_of(r.kind).per_row:
        head = ["Ý kiến", *r.scale, "Số người", "Điểm trung bình (1–5)"]
        body: list[list[Any]] = [
            [
                g.label,
                *(CountShare(n, 100 * n / g.answered if g.answered else 0) for n in g.counts),
                g.answered,
                Dec(g.average) if g.average is not None else None,
            ]
            for g in r.grid
        ]
        return head, body
    if r.numbers is not None:
        s = r.numbers
        return ["Chỉ số", "Giá trị"], [
            ["Số người trả lời", s.count],
            *(
                [label, Dec(value) if value is not None else None]
                for label, value in (
                    ("Trung bình", s.mean),
                    ("Trung vị", s.median),
                    ("Nhỏ nhất", s.minimum),
                    ("Lớn nhất", s.maximum),
                )
            ),
        ]
    if r.options:
        first = kinds.kind_of(r.kind).table_head
        return [first, "Số người", "Tỷ lệ"], [[o.label, o.count, Pct(o.percent)] for o in r.options]
    return [], []


def _xlsx_value(ws: Any, value: Any) -> Any:
    if isinstance(value, Pct):
        cell = WriteOnlyCell(ws, value=float(value) / 100)
        cell.number_format = "0.0%"
        return cell
    if isinstance(value, Dec):
        cell = WriteOnlyCell(ws, value=round(float(value), 4))
        cell.number_format = "0.00"
        return cell
    if isinstance(value, CountShare):
        return value.count
    return safe_cell(ws, value)


def _word_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Pct):
        return percent_vi(value)
    if isinstance(value, Dec):
        return decimal_vi(value)
    if isinstance(value, CountShare):
        return f"{value.count} ({percent_vi(value.share)})"
    return str(value)


def _xlsx_table(ws: Any, head: list[str], body: list[list[Any]]) -> None:
    append_row(ws, head, bold=True)
    for line in body:
        ws.append([_xlsx_value(ws, v) for v in line])
    shares = [[v for v in line if isinstance(v, CountShare)] for line in body]
    if any(shares):  # a grid: the shares of each row in a second table
        append_row(ws, ["Tỷ lệ theo từng ý", *head[1 : 1 + len(shares[0])]], bold=True)
        for line, cells in zip(body, shares, strict=True):
            ws.append([safe_cell(ws, line[0]), *(_xlsx_value(ws, Pct(c.share)) for c in cells)])


def _average_line(r: QuestionResult) -> str:
    note = kinds.kind_of(r.kind).average_note(r)
    if note and r.average is not None:
        return f"Điểm trung bình: {r.average_display} ({note})"
    return ""


def _text_line(r: QuestionResult) -> str:
    if not r.text_count:
        return ""
    what = "ý kiến ghi ở “Khác”" if kinds.kind_of(r.kind).has_choices else "câu trả lời"
    shown = min(len(r.texts), SUMMARY_TEXTS)
    return f"Có {r.text_count} {what}" + (
        f"; {shown} ý kiến mới nhất:" if shown < r.text_count else ":"
    )


def summary_workbook(survey: Survey, results: SurveyResults, filters: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tổng hợp")
    for col, width in zip("ABCDEFGHI", (48, 14, 14, 14, 14, 14, 14, 14, 14), strict=True):
        ws.column_dimensions[col].width = width
    append_row(ws, [f"KẾT QUẢ KHẢO SÁT: {survey.title}"], bold=True)
    append_row(ws, [f"Đơn vị thực hiện: {survey.organization}"])
    append_row(ws, [f"Phạm vi số liệu: {filters}"])
    append_row(ws, [f"Tổng số phiếu: {results.total}"])
    append_row(ws, [f"Số liệu lúc: {format_datetime(results.computed_at)}"])
    for r in results:
        append_row(ws, [])
        append_row(ws, [f"Câu {r.number}. {r.text}"], bold=True)
        append_row(ws, [f"({r.kind_label}) {_answered_line(r)}"])
        head, body = _table_rows(r)
        if head:
            _xlsx_table(ws, head, body)
        if _average_line(r):
            append_row(ws, [_average_line(r)])
        if _text_line(r):
            append_row(ws, [_text_line(r)])
            for text in r.texts[:SUMMARY_TEXTS]:
                append_row(ws, [f"– {text}"])
    add_notes(
        wb,
        [
            "Tỷ lệ: trên số người đã trả lời câu hỏi (câu chọn nhiều: tổng có thể quá 100%).",
            "Điểm trung bình mức độ đồng ý: 1 = rất không đồng ý … 5 = rất đồng ý.",
            f"Xuất lúc: {format_datetime(timezone.now())}",
        ],
    )
    return workbook_bytes(wb)


# --- Word helpers ------------------------------------------------------------------


def _document() -> Any:
    """A4, the margins of administrative documents, Times New Roman 13."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_after = Pt(4)
    return doc


def _para(
    doc_or_cell: Any,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    align: Any = None,
    space_after: float | None = None,
) -> Any:
    p = doc_or_cell.add_paragraph()
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        run.underline = underline
        if size:
            run.font.size = Pt(size)
    if align is not None:
        p.alignment = align
    if space_after is not None:
        p.paragraph_format.space_after = Pt(space_after)
    return p


def _table(
    doc: Any, head: list[str], body: list[list[Any]], widths: list[float] | None = None
) -> Any:
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, head, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(title))
        run.bold = True
        run.font.size = Pt(12)
    for line in body:
        cells = table.add_row().cells
        for cell, value in zip(cells, line, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run("" if value is None else str(value))
            run.font.size = Pt(12)
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = Cm(width)
    return table


def _save_document(doc: Any) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _today_line(place: str) -> str:
    today = timezone.localdate()
    return f"{place}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"


# --- Summary in Word ---------------------------------------------------------------


def summary_docx(survey: Survey, results: SurveyResults, filters: str) -> bytes:
    doc = _document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, str(survey.organization).upper(), bold=True, align=center, space_after=0)
    _para(doc, _today_line("").lstrip(", ").capitalize(), italic=True, align=center)
    _para(doc, "KẾT QUẢ KHẢO SÁT", bold=True, size=14, align=center, space_after=0)
    _para(doc, survey.title, bold=True, size=14, align=center)
    _para(doc, f"Phạm vi số liệu: {filters}.")
    _para(
        doc,
        f"Tổng số phiếu: {results.total}. Số liệu lúc {format_datetime(results.computed_at)}. "
        "Tỷ lệ tính trên số người đã trả lời từng câu.",
    )
    for r in results:
        _para(doc, f"Câu {r.number}. {r.text}", bold=True, space_after=2)
        _para(doc, f"{r.kind_label}. {_answered_line(r)}.", italic=True, size=12)
        head, body = _table_rows(r)
        if head:
            _table(doc, head, [[_word_value(v) for v in line] for line in body])
        if _average_line(r):
            _para(doc, _average_line(r) + ".")
        if _text_line(r):
            _para(doc, _text_line(r))
            for text in r.texts[:SUMMARY_TEXTS]:
                _para(doc, f"– {text}", size=12, space_after=0)
    return _save_document(doc)


# --- Public-opinion report in Word --------------------------------------------------


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def _no_borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def opinion_docx(hot: HotIssues, *, author_unit: str = "BAN DÂN VẬN") -> bytes:
    """The period's summary: header block, title, general situation, the hot
    issues table (with the trend and the follow-up), the proposals."""
    doc = _document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    scope = hot.scope_area

    header = doc.add_table(rows=1, cols=2)
    _no_borders(header)
    left, right = header.rows[0].cells
    left.width, right.width = Cm(7), Cm(9.5)
    left.paragraphs[0].text = ""
    run = left.paragraphs[0].add_run(scope.name.upper())
    run.font.size = Pt(13)
    left.paragraphs[0].alignment = center
    _para(left, author_unit, bold=True, align=center, space_after=0)
    _para(left, "*", align=center, space_after=0)
    right.paragraphs[0].text = ""
    run = right.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM")
    run.bold = True
    run.underline = True
    run.font.size = Pt(14)
    right.paragraphs[0].alignment = center
    _para(right, _today_line(scope.name), italic=True, align=center, space_after=0)

    _para(doc, "", space_after=6)
    _para(doc, "BÁO CÁO TÌNH HÌNH DƯ LUẬN XÃ HỘI", bold=True, size=14, align=center, space_after=0)
    _para(doc, hot.period.name, bold=True, align=center, space_after=0)
    _para(
        doc,
        f"(từ ngày {format_date(hot.period.start)} đến ngày {format_date(hot.period.end)})",
        italic=True,
        align=center,
    )

    _para(doc, "I. TÌNH HÌNH CHUNG", bold=True)
    _para(
        doc,
        f"Trong kỳ, trên địa bàn {scope.name} có {hot.reports} báo cáo tình hình dư luận xã hội "
        f"của cộng tác viên, cán bộ ở {hot.units} địa bàn, nêu {len(hot.issues)} vấn đề."
        + (
            f" So sánh với kỳ trước: {hot.previous_period.name}."
            if hot.previous_period
            else " Chưa có kỳ trước để so sánh."
        ),
    )

    _para(doc, "II. CÁC VẤN ĐỀ DƯ LUẬN QUAN TÂM, BỨC XÚC", bold=True)
    if hot.issues:
        body = []
        for i, issue in enumerate(hot.issues, start=1):
            notes = "; ".join(f"{format_date(f.created_at)}: {f.note}" for f in issue.follow_ups)
            body.append(
                [
                    i,
                    issue.field_label,
                    issue.topic,
                    issue.units,
                    issue.reports,
                    issue.upset,
                    issue.trend_text,
                    notes or "Chưa",
                ]
            )
        _table(
            doc,
            [
                "STT",
                "Lĩnh vực",
                "Vấn đề",
                "Số địa bàn",
                "Số báo cáo",
                "Bức xúc",
                "So với kỳ trước",
                "Theo dõi, xử lý",
            ],
            body,
            widths=[1.0, 2.2, 4.0, 1.5, 1.5, 1.4, 2.4, 3.0],
        )
        _para(doc, f"Cách xếp thứ tự: {SCORE_RULE}", italic=True, size=11)
    else:
        _para(doc, "Trong kỳ chưa có báo cáo nào được gửi.")

    _para(doc, "III. ĐỀ XUẤT, KIẾN NGHỊ", bold=True)
    any_proposal = False
    for i, issue in enumerate(hot.issues, start=1):
        if not issue.proposals:
            continue
        any_proposal = True
        _para(doc, f"{i}. {issue.topic} ({issue.field_label.lower()}):", bold=True, space_after=0)
        for proposal in issue.proposals:
            _para(doc, f"– {proposal.area}: {_sentence(proposal.text)}", space_after=0)
    if not any_proposal:
        _para(doc, "Các báo cáo trong kỳ không nêu đề xuất, kiến nghị.")

    _para(doc, "", space_after=6)
    sign = doc.add_table(rows=1, cols=2)
    _no_borders(sign)
    receivers, signer = sign.rows[0].cells
    receivers.paragraphs[0].text = ""
    run = receivers.paragraphs[0].add_run("Nơi nhận:")
    run.bold = True
    run.italic = True
    run.font.size = Pt(12)
    for line in ("- Thường trực cấp ủy (báo cáo),", "- Lưu."):
        _para(receivers, line, size=11, space_after=0)
    signer.paragraphs[0].text = ""
    run = signer.paragraphs[0].add_run(f"T/M {author_unit}")
    run.bold = True
    signer.paragraphs[0].alignment = center
    _para(signer, "(Ký, ghi rõ họ tên)", italic=True, align=center)
    return _save_document(doc)
