"""Golden-file tests of the report's layout (Hướng dẫn 36-HD/VPTW): a fixed
report, narrative and sections rendered, reduced to its outline
(`outline.py`: the page, each paragraph's alignment and spacing, each run's
text, font, size, bold, italic, underline) and compared with the committed
file. A change of the layout fails here; when it is meant, regenerate with

    UPDATE_GOLDEN=1 uv run --frozen pytest -n 0 danvan/reports/tests/test_render.py

and read the diff of `golden/report.txt` before committing it."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from danvan.core.models import Area, AreaKind, Organization, OrgKind, Period, PeriodKind
from danvan.core.review import Result, ReviewSection, Table
from danvan.reports.models import Draft, ReviewReport
from danvan.reports.render import build_annex, build_document, date_line
from danvan.reports.tests.outline import normal_style, outline

GOLDEN = Path(__file__).parent / "golden"


def fixture() -> tuple[ReviewReport, Draft, list[tuple[ReviewSection, Result]]]:
    """A report built in memory (no database): always the same document."""
    area = Area(name="Huyện Phụng Hiệp", unit_type="Huyện", kind=AreaKind.DISTRICT, path="00010001")
    body = Organization(name="Huyện ủy Phụng Hiệp", kind=OrgKind.PARTY, area=area)
    period = Period(name="6 tháng đầu năm 2026", kind=PeriodKind.HALF_YEAR,
                    start=date(2026, 1, 1), end=date(2026, 6, 30))  # fmt: skip
    report = ReviewReport(
        organization=body, period=period, party_committee="Đảng bộ tỉnh Hậu Giang",
        issuer="Huyện ủy Phụng Hiệp", number="25", symbol="BC/HU", place="Phụng Hiệp",
        dated=date(2026, 7, 5),
        subject="Sơ kết 6 tháng đầu năm 2026 thực hiện Đề án số 08-ĐA/TU",
        signer_capacity="T/M Ban Thường vụ", signer_title="Phó Bí thư",
        signer_name="Nguyễn Hồng Đức",
        recipients="Thường trực Tỉnh ủy,\nCác đảng bộ, chi bộ trực thuộc Huyện ủy,\n"
        "Lưu Văn phòng Huyện ủy.",
    )  # fmt: skip
    draft = Draft(
        report=report, version=3,
        results="Các cấp ủy, tổ chức đảng quan tâm lãnh đạo công tác dân vận.\n"
        "Mặt trận và các đoàn thể đổi mới nội dung, hình thức tuyên truyền.",
        shortcomings="Một số nơi cập nhật số liệu chưa kịp thời.",
        causes="Cán bộ kiêm nhiệm nhiều việc.",
        lessons="",
        tasks_ahead="Tiếp tục nhân rộng mô hình “Dân vận khéo”.",
    )  # fmt: skip

    def section(key: str, title: str, order: int, result: Result) -> tuple[ReviewSection, Result]:
        return ReviewSection(key, title, order, lambda *_: result), result

    contests = Result(
        ["Trong kỳ, tổ chức 1 cuộc thi trực tuyến: “Tìm hiểu Nghị quyết”; có 1.234 lượt người "
         "dự thi với 3.456 lượt thi."],
        [Table("Cuộc thi trực tuyến", ["STT", "Cuộc thi", "Người dự thi"],
               [[1, "=Tìm hiểu Nghị quyết", 1234]])],
    )  # fmt: skip
    surveys = Result(["Trong kỳ, chưa tổ chức cuộc khảo sát trực tuyến nào."])
    return report, draft, [
        section("contests", "Tổ chức các cuộc thi trực tuyến", 20, contests),
        section("surveys", "Khảo sát ý kiến, nắm tình hình dư luận xã hội", 30, surveys),
    ]  # fmt: skip


def test_the_document_matches_its_golden_outline() -> None:
    document = build_document(*fixture())
    got = outline(document)
    golden = GOLDEN / "report.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_the_layout_rules_of_36_hd_vptw() -> None:
    """What the guidance sets, read from the document itself (so the golden
    file cannot drift from it unnoticed)."""
    text = outline(build_document(*fixture()))
    assert text.splitlines()[-1] == "PAGE 210mmx297mm top=20mm bottom=20mm left=30mm right=15mm"
    assert normal_style(build_document(*fixture())) == "[Times New Roman/Times New Roman 14pt] ''"
    fonts = {line.split("]")[0] for line in text.splitlines() if line.strip().startswith("[")}
    assert all(f.strip().startswith("[Times New Roman/Times New Roman") for f in fonts)
    assert "[Times New Roman/Times New Roman 15pt b u] 'ĐẢNG CỘNG SẢN VIỆT NAM'" in text
    assert (
        "[Times New Roman/Times New Roman 14pt i] 'Phụng Hiệp, ngày 05 tháng 07 năm 2026'" in text
    )
    assert "[Times New Roman/Times New Roman 15pt b] 'BÁO CÁO'" in text
    assert "[Times New Roman/Times New Roman 14pt b] 'HUYỆN ỦY PHỤNG HIỆP'" in text
    assert "[Times New Roman/Times New Roman 14pt] 'Số 25-BC/HU'" in text
    assert "[Times New Roman/Times New Roman 12pt b i] 'Nơi nhận:'" in text
    assert "[Times New Roman/Times New Roman 11pt] '- Lưu Văn phòng Huyện ủy.'" in text
    assert "TABLE borders=nil" in text
    # The body: justified, first line indented 1 cm; an empty part is a line to fill in.
    assert (
        "P both indent=10mm before=6pt after=0pt\n"
        "  [Times New Roman/Times New Roman 14pt b] 'I. KẾT QUẢ ĐẠT ĐƯỢC'" in text
    )
    assert "'" + "…" * 20 + "'" in text


def test_a_date_not_yet_set_is_left_blank() -> None:
    assert date_line("Phụng Hiệp", None, 2026) == "Phụng Hiệp, ngày      tháng      năm 2026"


def test_the_annex_keeps_vietnamese_and_never_runs_a_formula() -> None:
    report, _draft, results = fixture()
    wb = load_workbook(io.BytesIO(build_annex(report, results)))
    assert wb.sheetnames == ["1.1 Cuộc thi trực tuyến", "Ghi chú"]
    ws = wb["1.1 Cuộc thi trực tuyến"]
    assert [c.value for c in ws[1]] == ["STT", "Cuộc thi", "Người dự thi"]
    cell = ws["B2"]
    assert cell.value == "=Tìm hiểu Nghị quyết" and cell.data_type == "s"
    assert cell.quotePrefix
    notes = [r[0].value for r in wb["Ghi chú"].iter_rows()]
    assert notes[0] == "Phụ lục số liệu báo cáo sơ kết 6 tháng đầu năm 2026"
