"""Staff forms of a contest's question bank: topics, a question with its
choices (one formset), the question list's filter and the Excel import."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from danvan.contests.bank_layout import XLS_REFUSED
from danvan.contests.forms_staff import form_field
from danvan.contests.models import (
    LETTERS,
    Category,
    Contest,
    Question,
)
from danvan.core.text import fold

# --- Question bank ---------------------------------------------------------------------------


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label="Tìm trong câu hỏi", required=False)
    category = forms.ModelChoiceField(
        label="Chủ đề", queryset=Category.objects.none(), required=False, empty_label="Tất cả"
    )
    state = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Đang dùng"), ("inactive", "Ngừng dùng"), ("all", "Tất cả")],
    )

    def __init__(self, *args: Any, contest: Contest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "category").queryset = contest.categories.order_by("name")


class QuestionForm(forms.ModelForm):
    multiple = forms.TypedChoiceField(
        label="Loại câu hỏi",
        choices=[(False, "Một đáp án đúng"), (True, "Nhiều đáp án đúng")],
        coerce=lambda v: v in (True, "True", "true", "1"),
        widget=forms.RadioSelect,
        initial=False,
    )

    class Meta:
        model = Question
        fields = ["category", "text", "multiple", "explanation"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "explanation": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "category": "Chủ đề",
            "text": "Câu hỏi",
            "explanation": "Giải thích (không bắt buộc)",
        }
        help_texts = {
            "explanation": "Hiện cho người dự thi khi đợt thi cho xem đáp án.",
        }

    def __init__(self, *args: Any, contest: Contest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contest = contest
        self.instance.contest = contest
        form_field(self, "category").queryset = contest.categories.order_by("name")
        form_field(self, "category").empty_label = "— Chọn chủ đề —"

    def clean_text(self) -> str:
        text = (self.cleaned_data.get("text") or "").strip()
        if not text:
            raise ValidationError("Nhập nội dung câu hỏi.")
        same = Question.objects.filter(contest=self.contest, text_folded=fold(text)).exclude(
            pk=self.instance.pk
        )
        if same.exists():
            raise ValidationError(
                "Câu hỏi này đã có trong ngân hàng (so sánh không phân biệt dấu, hoa thường)."
            )
        return text


class ChoiceForm(forms.Form):
    text = forms.CharField(label="Phương án", max_length=1000, required=False)
    correct = forms.BooleanField(label="Đúng", required=False)


def check_choices(rows: Iterable[tuple[str, bool]], multiple: bool | None) -> list[str]:
    """The rules of a question's choices: 2 to 6 filled, no duplicates, one right
    choice for a single-answer question and at least two for a multiple one."""
    rows = list(rows)
    errors: list[str] = []
    filled = [(text, correct) for text, correct in rows if text]
    if any(correct and not text for text, correct in rows):
        errors.append("Một phương án để trống nhưng được đánh dấu đúng.")
    if len(filled) < 2:
        errors.append("Cần ít nhất 2 phương án.")
    if len(filled) > len(LETTERS):
        errors.append(f"Tối đa {len(LETTERS)} phương án.")
    folded = [fold(text) for text, _ in filled]
    if len(set(folded)) != len(folded):
        errors.append("Có hai phương án trùng nhau.")
    right = sum(1 for _, correct in filled if correct)
    if multiple is False and right != 1:
        errors.append("Câu một đáp án phải có đúng một phương án đúng.")
    if multiple is True and right < 2:
        errors.append("Câu nhiều đáp án phải có ít nhất hai phương án đúng.")
    return errors


class BaseChoiceFormSet(forms.BaseFormSet):
    multiple: bool | None = None

    def clean(self) -> None:
        if any(self.errors):
            return
        rows = [
            ((f.cleaned_data.get("text") or "").strip(), bool(f.cleaned_data.get("correct")))
            for f in self.forms
        ]
        errors = check_choices(rows, self.multiple)
        if errors:
            raise ValidationError(errors)

    def rows(self) -> list[tuple[str, bool]]:
        """The filled choices in order (empty rows dropped)."""
        out = []
        for f in self.forms:
            text = (f.cleaned_data.get("text") or "").strip()
            if text:
                out.append((text, bool(f.cleaned_data.get("correct"))))
        return out


ChoiceFormSet = forms.formset_factory(
    ChoiceForm,
    formset=BaseChoiceFormSet,
    extra=len(LETTERS),
    max_num=len(LETTERS),
    absolute_max=len(LETTERS),
)


def choice_formset(data: Any = None, question: Question | None = None) -> BaseChoiceFormSet:
    initial = []
    if question is not None and question.pk:
        initial = [
            {"text": c.text, "correct": c.correct} for c in question.choices.order_by("position")
        ]
    formset = cast(BaseChoiceFormSet, ChoiceFormSet(data, initial=initial, prefix="choices"))
    for i, form in enumerate(formset.forms):
        letter = LETTERS[i] if i < len(LETTERS) else str(i + 1)
        form.letter = letter  # type: ignore[attr-defined]
        form.fields["text"].label = f"Phương án {letter}"
        form.fields["correct"].label = f"{letter} là đáp án đúng"
    return formset


class CategoryForm(forms.Form):
    name = forms.CharField(label="Tên chủ đề", max_length=200)

    def __init__(self, *args: Any, contest: Contest, category: Category | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.contest = contest
        self.category = category

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("Nhập tên chủ đề.")
        others = Category.objects.filter(contest=self.contest)
        if self.category is not None:
            others = others.exclude(pk=self.category.pk)
        if any(fold(n) == fold(name) for n in others.values_list("name", flat=True)):
            raise ValidationError("Cuộc thi đã có chủ đề này.")
        return name


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label="File câu hỏi (.xlsx hoặc .csv)",
        help_text="File mẫu, hoặc bảng câu hỏi của đơn vị (STT | Câu hỏi | A | B | C | D | "
        "Đáp án…). Bạn xem trước cách đọc file trước khi nhập; nếu có dòng lỗi, không câu nào "
        "được nhập.",
    )
    default_category = forms.CharField(
        label="Chủ đề mặc định",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "chu-de-co-san"}),
        help_text="Dùng cho các câu hỏi không ghi chủ đề (file không có cột Chủ đề). Chọn "
        "chủ đề đã có hoặc gõ tên chủ đề mới.",
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if name.endswith(".xls"):
            raise ValidationError(XLS_REFUSED)
        if not name.endswith((".xlsx", ".csv")):
            raise ValidationError("Chỉ nhận file Excel (.xlsx) hoặc CSV (.csv).")
        if f.size > 5 * 1024 * 1024:
            raise ValidationError("File quá lớn (tối đa 5 MB).")
        return f

    def clean_default_category(self) -> str:
        return " ".join(self.cleaned_data.get("default_category", "").split())
