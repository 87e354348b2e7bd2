"""The question bank to and from Excel: a template, an export, and an import
that writes every row or none.

One row a question, with the columns of BANK_HEADER:

    Chủ đề | Câu hỏi | Loại | A | B | C | D | E | F | Đáp án đúng | Giải thích

"Loại" is "Một đáp án" or "Nhiều đáp án" (left empty, it follows the number of
letters in "Đáp án đúng"); "Đáp án đúng" lists letters, e.g. "B" or "A, C".
The export writes the same layout, so an exported bank imports unchanged into
another contest.

Every cell we write goes through the exports' `safe_cell`, so a text such as
"=1+1" or "-5 °C" is a text cell with the quote prefix: shown as typed, never
run as a formula, and read back unchanged. `unescape_cell` still strips the
visible apostrophe that exports made before that (so older files import as
they were meant); a text that really starts with a quote before such a
character gets one more quote on export (`keep_quote`) to survive it.

The import runs as a background job (kind "import_questions", params
{"contest_id": id}, the uploaded file as the job's input file): every row is
checked first, with a clear error per bad row; only when no row has an error
are the questions written, in one transaction.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from danvan.contests.bank_layout import (
    CATEGORY,
    HEADER_SEARCH,
    Layout,
    canonical,
    read_table,
    recognise,
)
from danvan.contests.job_links import contest_link, import_again
from danvan.contests.models import LETTERS, Category, Choice, Contest, Question
from danvan.contests.staff_services import lock_editable_contest
from danvan.core.excel import safe_cell
from danvan.core.jobs import JobFailed, Progress, input_bytes, job_handler
from danvan.core.models import Job
from danvan.core.scope import MANAGE
from danvan.core.text import fold
from danvan.core.uploads import cell_text

TYPE_SINGLE = "Một đáp án"
TYPE_MULTIPLE = "Nhiều đáp án"
BANK_HEADER = [
    "Chủ đề",
    "Câu hỏi",
    "Loại",
    *LETTERS,
    "Đáp án đúng",
    "Giải thích",
]
N_CHOICES = len(LETTERS)  # 6: columns A to F
MAX_ROWS = 5000
MAX_FILE_COLUMNS = 30  # an organiser's table may carry notes beside the question
MAX_QUESTION = 4000
MAX_CHOICE = 1000
MAX_CATEGORY = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters that make a spreadsheet treat a cell as a formula (or a DDE call).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_SECOND = (*FORMULA_STARTS, "'")


# --- Safe cells ----------------------------------------------------------------------


def keep_quote(value: Any) -> Any:
    """A text that starts with a quote followed by a formula character (or a
    second quote) gets one more quote, so that `unescape_cell` gives back exactly
    the original text; anything else passes unchanged."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(_ESCAPED_SECOND):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """Undo `keep_quote` (and the apostrophe of older exports) on a text read back."""
    if text.startswith("'") and len(text) > 1 and text[1:].startswith(_ESCAPED_SECOND):
        return text[1:]
    return text


# --- Writing: template and export ----------------------------------------------------------


def _bank_sheet(wb: Workbook) -> Worksheet:
    ws = wb.active
    assert ws is not None
    ws.title = "Câu hỏi"
    ws.append(BANK_HEADER)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F6F4EF")
    for cell in ws[1]:
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    widths = {"A": 22, "B": 60, "C": 16, "J": 14, "K": 40}
    for i in range(N_CHOICES):
        widths[chr(ord("D") + i)] = 24
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    kinds = DataValidation(
        type="list",
        formula1=f'"{TYPE_SINGLE},{TYPE_MULTIPLE}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Loại câu hỏi",
        error=f"Chọn “{TYPE_SINGLE}” hoặc “{TYPE_MULTIPLE}”.",
    )
    kinds.add(f"C2:C{MAX_ROWS + 1}")
    ws.add_data_validation(kinds)
    return ws


def _guide_sheet(wb: Workbook) -> None:
    notes = wb.create_sheet("Hướng dẫn")
    notes.column_dimensions["A"].width = 110
    for line in (
        "Điền ở trang “Câu hỏi”, mỗi dòng một câu hỏi; trang “Ví dụ” không được nhập.",
        "File của đơn vị (STT | Câu hỏi | A | B | C | D | Đáp án, có thể có dòng tên bảng "
        "ở trên) cũng nhập được: hệ thống nhận tên cột, bạn xem trước và chọn lại cột nếu cần.",
        "Chủ đề: chủ đề chưa có sẽ được tạo mới; file không có cột này thì mọi câu vào chủ "
        "đề mặc định chọn khi nhập.",
        f"Loại: “{TYPE_SINGLE}” hoặc “{TYPE_MULTIPLE}”. Để trống thì hệ thống xác định "
        "theo số đáp án đúng.",
        "A đến F: các phương án, ít nhất 2, điền liền nhau từ cột A (không bỏ trống ở giữa).",
        "Đáp án đúng: chữ cái của phương án đúng, ví dụ B; nhiều đáp án thì cách nhau bằng "
        "dấu phẩy, ví dụ A, C. Câu nhiều đáp án cần ít nhất 2 đáp án đúng.",
        "Giải thích: không bắt buộc; hiển thị cho người dự thi khi được xem đáp án.",
        "Câu hỏi trùng (trong file hoặc đã có trong ngân hàng, không phân biệt dấu, hoa "
        "thường) sẽ bị báo lỗi.",
        "Nếu có dòng lỗi, không dòng nào được nhập; hãy sửa theo danh sách lỗi rồi nhập lại.",
    ):
        notes.append([line])


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _append(ws: Worksheet, row: list[Any]) -> None:
    ws.append([safe_cell(ws, keep_quote(v)) for v in row])
    for cell in ws[ws.max_row]:
        cell.alignment = Alignment(vertical="top", wrap_text=True)


# The template's examples stand on their own sheet ("Ví dụ"), which an import
# never reads; a question equal to one of them is pointed out (copied by mistake).
EXAMPLES: list[list[Any]] = [
    [
        "Lịch sử địa phương",
        "Thành phố Cần Thơ được thành lập năm nào?",
        TYPE_SINGLE,
        "2002",
        "2004",
        "2008",
        "",
        "",
        "",
        "B",
        "Theo Nghị quyết số 22/2003/QH11, có hiệu lực từ ngày 01/01/2004.",
    ],
    [
        "Công tác dân vận",
        "Những nội dung nào thuộc phương châm “Dân biết, dân bàn, dân làm, dân kiểm tra, "
        "dân giám sát, dân thụ hưởng”?",
        TYPE_MULTIPLE,
        "Dân bàn",
        "Dân quyết",
        "Dân giám sát",
        "Dân thụ hưởng",
        "",
        "",
        "A, C, D",
        "",
    ],
]
EXAMPLE_TEXTS = {fold(row[1]) for row in EXAMPLES}


def question_template() -> bytes:
    """The import template: an empty "Câu hỏi" sheet (the one imported), the
    examples on "Ví dụ" and the rules on "Hướng dẫn"."""
    wb = Workbook()
    _bank_sheet(wb)
    examples = wb.create_sheet("Ví dụ")
    examples.append(
        ["Các dòng dưới đây chỉ là ví dụ, không được nhập. Điền câu hỏi ở trang “Câu hỏi”."]
    )
    examples.append(BANK_HEADER)
    for cell in examples[2]:
        cell.font = Font(bold=True)
    for row in EXAMPLES:
        _append(examples, row)
    examples.column_dimensions["B"].width = 60
    _guide_sheet(wb)
    return _save(wb)


def export_bank(contest: Contest, include_inactive: bool = False) -> bytes:
    """The contest's questions (the active ones unless asked) in the import layout."""
    wb = Workbook()
    ws = _bank_sheet(wb)
    questions = Question.objects.filter(contest=contest).select_related("category")
    if not include_inactive:
        questions = questions.filter(active=True)
    for q in questions.order_by("category__name", "pk").prefetch_related("choices"):
        choices = sorted(q.choices.all(), key=lambda c: c.position)[:N_CHOICES]
        texts = [c.text for c in choices] + [""] * (N_CHOICES - len(choices))
        right = ", ".join(LETTERS[i] for i, c in enumerate(choices) if c.correct)
        _append(
            ws,
            [
                q.category.name,
                q.text,
                TYPE_MULTIPLE if q.multiple else TYPE_SINGLE,
                *texts,
                right,
                q.explanation,
            ],
        )
    _guide_sheet(wb)
    return _save(wb)


# --- Reading and checking -----------------------------------------------------------------


@dataclass
class QuestionRow:
    line: int
    category: str
    text: str
    multiple: bool
    choices: list[str]
    correct: set[int] = field(default_factory=set)
    explanation: str = ""


def _parse_type(text: str) -> bool | str | None:
    """True (multiple), False (single), None (empty: infer) or the bad text."""
    folded = fold(text)
    if not folded:
        return None
    if folded in ("mot dap an", "mot", "1 dap an", "don", "mot lua chon"):
        return False
    if folded in ("nhieu dap an", "nhieu", "nhieu lua chon"):
        return True
    return text


def _parse_letters(text: str) -> tuple[list[int], list[str]]:
    """Letter positions and the tokens that are not letters A-F."""
    tokens = [t for t in text.upper().replace(",", " ").replace(";", " ").replace("/", " ").split()]
    positions: list[int] = []
    bad: list[str] = []
    for token in tokens:
        token = token.strip(".")
        if not token:
            continue
        if all(ch in LETTERS for ch in token):
            for ch in token:
                if LETTERS.index(ch) not in positions:
                    positions.append(LETTERS.index(ch))
        else:
            bad.append(token)
    return positions, bad


def _check_row(
    line: int, cells: list[str], seen: dict[str, int], in_bank: set[str]
) -> tuple[QuestionRow | None, list[str]]:
    category, text, kind_text = cells[0], cells[1], cells[2]
    choices = cells[3 : 3 + N_CHOICES]
    answer, explanation = cells[3 + N_CHOICES], cells[4 + N_CHOICES]
    errors: list[str] = []
    if not category:
        errors.append("thiếu chủ đề")
    elif len(category) > MAX_CATEGORY:
        errors.append(f"tên chủ đề dài quá {MAX_CATEGORY} ký tự")
    if not text:
        errors.append("thiếu nội dung câu hỏi")
    elif len(text) > MAX_QUESTION:
        errors.append(f"câu hỏi dài quá {MAX_QUESTION} ký tự")
    else:
        key = fold(text)
        if key in seen:
            errors.append(f"trùng câu hỏi với dòng {seen[key]}")
        elif key in in_bank:
            errors.append("câu hỏi đã có trong ngân hàng câu hỏi của cuộc thi")
        else:
            seen[key] = line

    filled = [i for i, c in enumerate(choices) if c]
    last = filled[-1] if filled else -1
    gaps = [LETTERS[i] for i in range(last + 1) if not choices[i]]
    if len(filled) < 2:
        errors.append("cần ít nhất 2 phương án (cột A và B)")
    elif gaps:
        errors.append(
            f"phương án {', '.join(gaps)} để trống; các phương án phải điền liền nhau từ cột A"
        )
    for i in filled:
        if len(choices[i]) > MAX_CHOICE:
            errors.append(f"phương án {LETTERS[i]} dài quá {MAX_CHOICE} ký tự")
    folded_choices: dict[str, str] = {}
    for i in filled:
        k = fold(choices[i])
        if k in folded_choices:
            errors.append(f"phương án {LETTERS[i]} trùng với phương án {folded_choices[k]}")
        else:
            folded_choices[k] = LETTERS[i]

    positions, bad = _parse_letters(answer)
    if not answer:
        errors.append("thiếu đáp án đúng")
    elif bad:
        errors.append(
            f"đáp án đúng “{answer}” không hợp lệ (chỉ ghi các chữ A đến F, "
            "cách nhau bằng dấu phẩy)"
        )
    else:
        empty = [LETTERS[p] for p in positions if not choices[p]]
        if empty:
            errors.append(
                f"đáp án đúng là {', '.join(empty)} nhưng ô phương án {', '.join(empty)} để trống"
            )

    kind = _parse_type(kind_text)
    if isinstance(kind, str):
        errors.append(f"loại “{kind}” không hợp lệ (ghi “{TYPE_SINGLE}” hoặc “{TYPE_MULTIPLE}”)")
        multiple = False
    else:
        multiple = kind if kind is not None else len(positions) > 1
        if answer and not bad and positions:
            if not multiple and len(positions) > 1:
                errors.append(
                    f"câu “{TYPE_SINGLE}” nhưng ghi {len(positions)} đáp án đúng "
                    f"({', '.join(LETTERS[p] for p in positions)})"
                )
            if multiple and len(positions) < 2:
                errors.append(f"câu “{TYPE_MULTIPLE}” cần ít nhất 2 đáp án đúng")
    if errors:
        return None, errors
    return (
        QuestionRow(
            line=line,
            category=category,
            text=text,
            multiple=multiple,
            choices=[choices[i] for i in filled],
            correct=set(positions),
            explanation=explanation,
        ),
        [],
    )


def table_rows(data: bytes, name: str) -> list[tuple[Any, ...]]:
    """The rows of an uploaded question file (.xlsx or .csv), as read."""
    return read_table(
        data, name, max_rows=MAX_ROWS + HEADER_SEARCH + 1, max_columns=MAX_FILE_COLUMNS
    )


def layout_problem(layout: Layout, default_category: str) -> str:
    """Why the import cannot run with `layout` (empty: it can)."""
    missing = layout.missing()
    if missing:
        return (
            "Dòng tiêu đề chưa đủ cột: chưa nhận ra cột " + ", ".join(missing) + ". Hãy chọn "
            "cột ở trang xem trước, hoặc đặt tên cột như file mẫu."
        )
    twice = layout.duplicates()
    if twice:
        return "Mỗi loại cột chỉ chọn một lần; đang chọn hai lần: " + ", ".join(twice) + "."
    if CATEGORY not in layout.columns and not default_category.strip():
        return "File không có cột Chủ đề: hãy chọn chủ đề mặc định cho các câu hỏi."
    return ""


def read_question_rows(
    data: bytes,
    contest: Contest,
    progress: Progress | None = None,
    *,
    name: str = "cau-hoi.xlsx",
    layout: Layout | None = None,
    default_category: str = "",
) -> list[QuestionRow]:
    """Parse and check every row; raise JobFailed listing each bad row. The file's
    columns are named by `layout` (recognised from its header when not given);
    a row without a topic goes to `default_category`."""
    try:
        rows = table_rows(data, name)
    except ValidationError as exc:
        raise JobFailed(exc.messages[0]) from exc
    if not rows:
        raise JobFailed("File không có dữ liệu.")
    layout = layout or recognise(rows)
    problem = layout_problem(layout, default_category)
    if problem:
        raise JobFailed(problem)
    body = rows[layout.header + 1 :]
    if len(body) > MAX_ROWS:
        raise JobFailed(f"File có quá {MAX_ROWS} dòng; hãy chia nhỏ file.")
    in_bank = set(Question.objects.filter(contest=contest).values_list("text_folded", flat=True))
    errors: list[str] = []
    parsed: list[QuestionRow] = []
    seen: dict[str, int] = {}
    total = len(body)
    first = layout.header + 2  # the file's line number of the first data row
    for line, raw in enumerate(body, start=first):
        cells = [
            unescape_cell(cell_text(v)) for v in canonical(raw, layout, default_category.strip())
        ]
        if any(cells[1:]):  # a default topic alone is no question
            row, row_errors = _check_row(line, cells, seen, in_bank)
            if row_errors:
                errors.append(f"Dòng {line}: " + "; ".join(row_errors) + ".")
            elif row is not None:
                parsed.append(row)
        done = line - first + 1
        if progress and (done % 50 == 0 or done == total):
            progress(done, total, f"Đã kiểm tra {done}/{total} dòng")
    if errors:
        raise JobFailed(
            f"Có {len(errors)} dòng lỗi; chưa nhập câu hỏi nào. "
            "Sửa các dòng dưới đây rồi nhập lại.",
            errors,
        )
    if not parsed:
        raise JobFailed("File không có dòng câu hỏi nào.")
    return parsed


def example_lines(rows: list[QuestionRow]) -> list[int]:
    """The lines whose question is one of the template's examples."""
    return [r.line for r in rows if fold(r.text) in EXAMPLE_TEXTS]


def examples_warning(lines: list[int]) -> str:
    if not lines:
        return ""
    return (
        f"Lưu ý: dòng {', '.join(map(str, lines))} trùng câu hỏi ví dụ của file mẫu; "
        "nếu không muốn dùng, hãy tắt hoặc sửa các câu này trong ngân hàng."
    )


# --- Writing to the bank -------------------------------------------------------------------


def write_questions(
    contest: Contest, rows: list[QuestionRow], progress: Progress | None = None
) -> dict[str, int]:
    """Write checked rows in one transaction (all or none); new topics are created."""
    with transaction.atomic():
        # One import at a time per contest (and none into an archived one);
        # re-check duplicates under the lock.
        try:
            lock_editable_contest(contest.pk)
        except ValidationError as error:
            raise JobFailed(error.messages[0]) from None
        in_bank = set(
            Question.objects.filter(contest=contest).values_list("text_folded", flat=True)
        )
        dupes = [
            f"Dòng {r.line}: câu hỏi đã có trong ngân hàng."
            for r in rows
            if fold(r.text) in in_bank
        ]
        if dupes:
            raise JobFailed("Ngân hàng câu hỏi vừa thay đổi; chưa nhập câu hỏi nào.", dupes)
        categories = {fold(c.name): c for c in Category.objects.filter(contest=contest)}
        created_categories = 0
        for i, row in enumerate(rows, start=1):
            key = fold(row.category)
            category = categories.get(key)
            if category is None:
                category = Category.objects.create(contest=contest, name=row.category)
                categories[key] = category
                created_categories += 1
            question = Question.objects.create(
                contest=contest,
                category=category,
                text=row.text,
                multiple=row.multiple,
                explanation=row.explanation,
            )
            for position, text in enumerate(row.choices):
                Choice.objects.create(
                    question=question,
                    position=position,
                    text=text,
                    correct=position in row.correct,
                )
            if progress and (i % 50 == 0 or i == len(rows)):
                progress(i, len(rows), f"Đã ghi {i}/{len(rows)} câu hỏi")
    return {"created": len(rows), "categories": created_categories}


@job_handler(
    "import_questions",
    about=contest_link(
        "contest_id", "contests_staff:question_list", lambda c: f"Ngân hàng câu hỏi — {c}"
    ),
    again=import_again,
)
def import_questions_job(job: Job, progress: Progress) -> dict[str, Any]:
    contest = (
        Contest.objects.visible_to(job.created_by, MANAGE)
        .filter(pk=job.params.get("contest_id"))
        .first()
    )
    if contest is None:
        raise JobFailed("Không tìm thấy cuộc thi, hoặc bạn không còn quyền quản lý cuộc thi này.")
    layout = job.params.get("layout")
    rows = read_question_rows(
        input_bytes(job),
        contest,
        progress,
        name=str(job.params.get("name") or job.input_file.name or ""),
        layout=Layout.from_params(layout) if layout else None,
        default_category=job.params.get("default_category", ""),
    )
    progress(0, len(rows), "Đang ghi dữ liệu…")
    counts = write_questions(contest, rows, progress)
    message = f"Đã nhập {counts['created']} câu hỏi vào “{contest.title}”"
    if counts["categories"]:
        message += f" (thêm {counts['categories']} chủ đề mới)"
    warning = examples_warning(example_lines(rows))
    message = f"{message}. {warning}".strip()
    return {**counts, "contest_id": contest.pk, "message": message}
