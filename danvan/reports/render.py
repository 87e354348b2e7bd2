"""The review report as a Word document in the layout of Hướng dẫn 36-HD/VPTW
(the Party's documents), and its annex tables as an Excel workbook.

Layout (A4; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm; Times
New Roman throughout):

* the header, a borderless table of two columns: left, the party committee
  ("ĐẢNG BỘ TỈNH ...", 14 pt) over the issuing body (bold), a "*", then
  "Số 12-BC/HU"; right, "ĐẢNG CỘNG SẢN VIỆT NAM" (bold, underlined, 15 pt)
  over the place and date in italics ("Phụng Hiệp, ngày 05 tháng 12 năm 2026");
* the title "BÁO CÁO" (bold, 15 pt), the subject under it (bold, 14 pt), "-----";
* the body, 14 pt, justified, first line indented 1 cm: an opening sentence;
  "I. KẾT QUẢ ĐẠT ĐƯỢC" with the staff's general assessment and one numbered
  part per registered section (`core.review`) holding its figures; "II. HẠN CHẾ,
  NGUYÊN NHÂN"; "III. BÀI HỌC KINH NGHIỆM"; "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN
  TỚI"; a closing sentence;
* the signature block, a borderless table: left "Nơi nhận:" (bold italic, 12 pt)
  and its list (11 pt); right the capacity ("T/M BAN THƯỜNG VỤ"), the title and
  the name, bold, 14 pt.

A part left empty by the staff is printed as a dotted line to fill in, never
silently dropped.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from openpyxl import Workbook

from danvan.core.excel import add_notes, append_row, workbook_bytes, write_header
from danvan.core.review import Result, ReviewSection
from danvan.core.text import format_date

if TYPE_CHECKING:
    from docx.document import Document as DocumentType
    from docx.table import _Cell
    from docx.text.paragraph import Paragraph

    from danvan.reports.models import Draft, ReviewReport

FONT = "Times New Roman"
BODY_PT = 14
TITLE_PT = 15
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
BLANK = "…" * 20


def date_line(place: str, dated: date | None, year: int) -> str:
    """ "Phụng Hiệp, ngày 05 tháng 12 năm 2026"; no date yet: blanks to fill by hand."""
    if dated is None:
        return f"{place}, ngày      tháng      năm {year}"
    return f"{place}, ngày {dated.day:02d} tháng {dated.month:02d} năm {dated.year}"


def in_sentence(name: str) -> str:
    """A unit's name inside a sentence: "Huyện Phụng Hiệp" -> "huyện Phụng Hiệp"."""
    return name[:1].lower() + name[1:]


DRAFT_MARK = "DỰ THẢO"


def counted_note(as_of: date | None) -> str:
    """ "; số liệu tính đến ngày 06/12/2026" for a period not ended, else nothing."""
    return f"; số liệu tính đến ngày {format_date(as_of)}" if as_of else ""


def number_line(report: ReviewReport) -> str:
    return f"Số {report.number or '        '}-{report.symbol}"


# --- Word ----------------------------------------------------------------------


def _run(p: Paragraph, text: str, *, size: int = BODY_PT, bold: bool = False,
         italic: bool = False, underline: bool = False) -> None:  # fmt: skip
    run = p.add_run(text)
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.underline = underline


def _para(container: Any, text: str = "", *, align: str = "justify", indent: bool = False,
          before: int = 6, after: int = 0, **font: Any) -> Paragraph:  # fmt: skip
    p = container.add_paragraph()
    p.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    fmt = p.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if indent:
        fmt.first_line_indent = Cm(1)
    if text:
        _run(p, text, **font)
    return p


def _cell_para(cell: _Cell, text: str, *, first: bool = False, **kwargs: Any) -> Paragraph:
    """A paragraph in a table cell (the cell's own first one for `first`)."""
    if first:
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if kwargs.pop("align", "center") == "center" \
            else WD_ALIGN_PARAGRAPH.LEFT  # fmt: skip
        p.paragraph_format.space_before = Pt(0)
        p.paragraph_format.space_after = Pt(0)
        _run(p, text, **kwargs)
        return p
    return _para(cell, text, align=kwargs.pop("align", "center"), before=0, **kwargs)


def _borderless(table: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _two_columns(doc: DocumentType, left_mm: int, right_mm: int) -> tuple[_Cell, _Cell]:
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borderless(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(left_mm), Mm(right_mm)
    return left, right


def _text_paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _written(doc: DocumentType, text: str) -> None:
    """What staff wrote, a paragraph a line; an empty part as a line to fill in."""
    lines = _text_paragraphs(text) or [BLANK]
    for line in lines:
        _para(doc, line, indent=True)


def _heading(doc: DocumentType, text: str) -> None:
    _para(doc, text, indent=True, before=6, bold=True)


def build_document(
    report: ReviewReport,
    draft: Draft | None,
    results: list[tuple[ReviewSection, Result]],
    *,
    as_of: date | None = None,
) -> bytes:
    """The report as a .docx file (bytes); with `as_of` (its period has not
    ended), marked "DỰ THẢO" and its figures said to be counted to that day."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])

    # The header: the issuing body on the left, the Party's name on the right.
    left, right = _two_columns(doc, 75, 90)
    _cell_para(left, report.party_committee.upper(), first=True)
    _cell_para(left, report.issuer.upper(), bold=True)
    _cell_para(left, "*")
    _cell_para(left, number_line(report))
    _cell_para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", first=True, bold=True, underline=True,
               size=TITLE_PT)  # fmt: skip
    _cell_para(right, "")
    _cell_para(right, date_line(report.place, report.dated, report.period.end.year), italic=True)

    # The title, under the draft's mark while the period runs.
    if as_of is not None:
        _para(doc, DRAFT_MARK, align="right", before=12, bold=True, size=TITLE_PT)
    _para(doc, "BÁO CÁO", align="center", before=18, bold=True, size=TITLE_PT)
    _para(doc, report.subject, align="center", before=0, bold=True)
    _para(doc, "-----", align="center", before=0)

    period = report.period
    _para(
        doc,
        f"Thực hiện chương trình công tác, {report.organization.name} báo cáo "
        f"{report.kind_label.lower()} {period.name} (từ ngày {format_date(period.start)} "
        f"đến ngày {format_date(period.end)}{counted_note(as_of)}) trên địa bàn "
        f"{in_sentence(report.area.name)} như sau:",
        indent=True,
    )

    parts = draft.values() if draft is not None else {}
    _heading(doc, f"{ROMAN[0]}. KẾT QUẢ ĐẠT ĐƯỢC")
    if _text_paragraphs(parts.get("results", "")):
        _written(doc, parts["results"])
    for i, (sec, result) in enumerate(results, 1):
        _heading(doc, f"{i}. {sec.title}")
        for line in result.paragraphs:
            _para(doc, line, indent=True)
    if any(r.tables for _s, r in results):
        _para(doc, "(Số liệu chi tiết tại phụ lục kèm theo.)", indent=True, italic=True)

    _heading(doc, f"{ROMAN[1]}. HẠN CHẾ, NGUYÊN NHÂN")
    _heading(doc, "1. Hạn chế")
    _written(doc, parts.get("shortcomings", ""))
    _heading(doc, "2. Nguyên nhân")
    _written(doc, parts.get("causes", ""))
    _heading(doc, f"{ROMAN[2]}. BÀI HỌC KINH NGHIỆM")
    _written(doc, parts.get("lessons", ""))
    _heading(doc, f"{ROMAN[3]}. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI")
    _written(doc, parts.get("tasks_ahead", ""))
    _para(
        doc,
        f"Trên đây là báo cáo {report.kind_label.lower()} {period.name} của "
        f"{report.organization.name}.",
        indent=True,
    )

    # The signature block: "Nơi nhận" on the left, the signer on the right.
    _para(doc, "", before=6)
    left, right = _two_columns(doc, 80, 85)
    p = _cell_para(left, "Nơi nhận:", first=True, align="left", size=12, bold=True, italic=True)
    p.alignment = WD_ALIGN_PARAGRAPH.LEFT
    for line in _text_paragraphs(report.recipients):
        _cell_para(left, f"- {line.lstrip('- ')}", align="left", size=11)
    first = True
    for line in (report.signer_capacity, report.signer_title):
        if line:
            _cell_para(right, line.upper(), first=first, bold=True)
            first = False
    for _ in range(4):
        _cell_para(right, "", first=first)
        first = False
    _cell_para(right, report.signer_name or "", bold=True)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --- Excel ---------------------------------------------------------------------


def _sheet_name(title: str, taken: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or "Bảng"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base[:25]} ({n})", n + 1
    taken.add(name.lower())
    return name


def build_annex(
    report: ReviewReport,
    results: Iterable[tuple[ReviewSection, Result]],
    *,
    as_of: date | None = None,
) -> bytes:
    """The annex tables of every section, one sheet each, and a sheet of notes
    (first, while the period runs: the draft's mark and the day counted to)."""
    wb = Workbook(write_only=True)
    taken: set[str] = set()
    count = 0
    for i, (_sec, result) in enumerate(results, 1):
        for j, table in enumerate(result.tables, 1):
            count += 1
            ws = wb.create_sheet(_sheet_name(f"{i}.{j} {table.title}", taken))
            widths = table.widths or [18] * len(table.headers)
            write_header(ws, list(zip(table.headers, widths, strict=False)))
            for row in table.rows:
                append_row(ws, row)
    period = report.period
    add_notes(
        wb,
        [
            *([f"{DRAFT_MARK}: kỳ báo cáo chưa kết thúc{counted_note(as_of)}"] if as_of else []),
            f"Phụ lục số liệu báo cáo {report.kind_label.lower()} {period.name}",
            f"Cơ quan ban hành: {report.organization.name}; địa bàn: {report.area.name}",
            f"Kỳ báo cáo: từ {format_date(period.start)} đến {format_date(period.end)}",
            "Số liệu tổng hợp tự động từ dữ liệu của hệ thống, gồm cả các đơn vị đã sáp nhập "
            "vào địa bàn.",
            f"Số bảng: {count}",
        ],
    )
    return workbook_bytes(wb)
