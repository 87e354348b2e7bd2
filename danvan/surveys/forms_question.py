"""The staff question form: the options of every kind (each kind's fields,
template and checks are in its class in `danvan.surveys.kinds`; the page shows
those of the chosen kind) and the skip-logic editor: pick an earlier question,
an operator and a value; the result is checked with `logic.check_show_if` on
the whole questionnaire, and any problem is shown beside the field. Also the
form that moves a question to another section.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from danvan.core.organised_forms import form_field
from danvan.core.text import fold
from danvan.surveys import builder, kinds
from danvan.surveys.models import (
    Kind,
    Question,
    Section,
    Survey,
)

CHOICE_KINDS = kinds.kinds_where("has_choices")
KIND_HELP = {kind: kinds.KINDS[kind].help for kind in Kind}
OP_LABELS = {
    "equals": "bằng",
    "not_equals": "khác",
    "any_of": "là một trong",
    "answered": "đã được trả lời",
}
# Which operators make sense for a question of each kind, and how its value is given.
VALUE_CHOICE_KINDS = tuple(k for k in Kind.values if kinds.KINDS[k].compares == "choice")
VALUE_TEXT_KINDS = tuple(k for k in Kind.values if kinds.KINDS[k].compares in ("number", "text"))


def question_label(index: int, question: Any) -> str:
    text = " ".join(str(question.text).split())
    short = text if len(text) <= 70 else text[:69].rstrip() + "…"
    return f"Câu {index + 1}: {short}"


def value_choices(question: Question) -> list[tuple[Any, str]]:
    """The values a condition on `question` can compare with, and their labels."""
    return kinds.of(question).condition_values(question)


def allowed_ops(kind: str) -> list[str]:
    if kind in VALUE_CHOICE_KINDS or kind in VALUE_TEXT_KINDS:
        return ["equals", "not_equals", "any_of", "answered"]
    return ["answered"]


def describe_condition(show_if: dict[str, Any], ordered: list[Question]) -> str:
    """“Chỉ hiện khi Câu 2 bằng “Có””, for the questionnaire page."""
    ref_pk = show_if.get("question") if show_if else None
    index = next((i for i, q in enumerate(ordered) if q.pk == ref_pk), None)
    if index is None:
        return "Điều kiện hiển thị căn cứ vào một câu hỏi không còn trong phiếu."
    ref = ordered[index]
    op = show_if.get("op", "")
    head = f"Chỉ hiện khi Câu {index + 1} {OP_LABELS.get(op, op)}"
    if op == "answered":
        return head
    labels = dict(value_choices(ref))
    raw = show_if.get("value")
    values: list[Any] = raw if isinstance(raw, list) else [raw]
    shown = []
    for v in values:
        try:
            shown.append(f"“{labels[int(v)]}”" if labels else f"“{v}”")
        except (KeyError, TypeError, ValueError):
            shown.append(f"“{v}”")
    return f"{head} {', '.join(shown)}"


# --- Questions -------------------------------------------------------------------------------


class ReferenceField(forms.ChoiceField):
    """The question a condition refers to. Only earlier questions are offered, but any
    question of the survey is accepted here, so that `check_show_if` explains why a
    later one (or the question itself) cannot be used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accepted: set[str] = set()

    def valid_value(self, value: Any) -> bool:
        return str(value) in self.accepted or super().valid_value(value)


class QuestionForm(forms.ModelForm):
    kind = forms.ChoiceField(label="Loại câu hỏi", choices=Kind.choices)
    section = forms.ModelChoiceField(label="Thuộc phần", queryset=Section.objects.none())
    # single / multiple / dropdown
    choices = forms.CharField(
        label="Các phương án",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Mỗi phương án một dòng, từ 2 đến 30 phương án.",
    )
    other = forms.BooleanField(
        label="Thêm phương án “Khác” để người trả lời tự ghi", required=False
    )
    # rating
    scale = forms.TypedChoiceField(
        label="Thang điểm",
        choices=[(5, "Từ 1 đến 5"), (10, "Từ 1 đến 10")],
        coerce=int,
        initial=5,
        required=False,
    )
    min_label = forms.CharField(
        label="Nhãn điểm thấp nhất", max_length=60, required=False, initial="Rất không hài lòng"
    )
    max_label = forms.CharField(
        label="Nhãn điểm cao nhất", max_length=60, required=False, initial="Rất hài lòng"
    )
    # grid
    rows = forms.CharField(
        label="Các ý cần đánh giá",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Mỗi ý một dòng, từ 1 đến 20 ý; mỗi ý được trả lời theo năm mức đồng ý.",
    )
    # number
    number_min = forms.IntegerField(
        label="Nhỏ nhất", required=False, min_value=-(10**9), max_value=10**9
    )
    number_max = forms.IntegerField(
        label="Lớn nhất", required=False, min_value=-(10**9), max_value=10**9
    )
    # skip logic
    show_if_question = ReferenceField(label="Chỉ hiện câu này khi câu", required=False)
    show_if_op = forms.ChoiceField(
        label="Điều kiện", choices=list(OP_LABELS.items()), required=False, initial="equals"
    )
    show_if_values = forms.MultipleChoiceField(
        label="Giá trị", required=False, widget=forms.CheckboxSelectMultiple
    )
    show_if_text = forms.CharField(
        label="Giá trị",
        required=False,
        max_length=200,
        help_text="Với “là một trong”: các giá trị cách nhau bởi dấu chấm phẩy (;).",
    )

    class Meta:
        model = Question
        fields = ["kind", "section", "text", "help_text", "required"]
        labels = {
            "text": "Câu hỏi",
            "help_text": "Hướng dẫn",
            "required": "Bắt buộc trả lời",
        }
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"help_text": "Không bắt buộc; hiện nhỏ dưới câu hỏi."}
        error_messages = {"text": {"required": "Hãy nhập nội dung câu hỏi."}}

    def __init__(
        self, *args: Any, survey: Survey, section: Section | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.sections = list(survey.sections.order_by("position"))
        form_field(self, "section").queryset = Section.objects.filter(survey=survey).order_by(
            "position"
        )
        form_field(self, "section").label_from_instance = lambda s: f"Phần {s.position}: {s.title}"
        # The first question of a survey without sections: its section is made on save.
        form_field(self, "section").required = bool(self.sections)
        self.ordered = builder.ordered_questions(survey)
        self.number = {q.pk: i + 1 for i, q in enumerate(self.ordered)}
        question = self.instance if self.instance.pk else None
        if question is None:
            self.instance.survey = survey
            if section is not None:
                self.initial.setdefault("section", section.pk)
        else:
            self._initial_from(question)
        target = self._target_section()
        earlier = self.earlier_questions(target)
        others = [q for q in self.ordered if question is None or q.pk != question.pk]
        ref_field: ReferenceField = form_field(self, "show_if_question")
        ref_field.choices = [("", "(luôn hiển thị)")] + [
            (str(q.pk), question_label(self.ordered.index(q), q)) for q in earlier
        ]
        ref_field.accepted = {str(q.pk) for q in self.ordered}
        self.value_groups = []
        all_values: list[tuple[str, str]] = []
        for q in others:
            values = [(f"{q.pk}:{v}", label) for v, label in value_choices(q)]
            all_values.extend(values)
            if q in earlier and values:
                self.value_groups.append((q, values))
        form_field(self, "show_if_values").choices = all_values
        self.kind_help = KIND_HELP
        self.ref_kinds = {str(q.pk): q.kind for q in earlier}

    # -- helpers used by the template --

    def _target_section(self) -> Section | None:
        raw = self.data.get(self.add_prefix("section")) if self.is_bound else None
        if raw is None:
            raw = self.initial.get("section") or (
                self.instance.section_id if self.instance.pk else None
            )
        return next((s for s in self.sections if str(s.pk) == str(raw)), None)

    def earlier_questions(self, target: Section | None) -> list[Question]:
        """The questions that come before this one (where it is, or where it will go)."""
        question = self.instance if self.instance.pk else None
        if question is not None and (target is None or target.pk == question.section_id):
            i = next(n for n, q in enumerate(self.ordered) if q.pk == question.pk)
            return self.ordered[:i]
        if target is None:
            return list(self.ordered)
        return [
            q
            for q in self.ordered
            if q.section.position <= target.position and (question is None or q.pk != question.pk)
        ]

    def options_groups(self) -> list[tuple[str, str]]:
        """The option fields by kind (`kinds.options_groups`), for the template."""
        return kinds.options_groups()

    def _initial_from(self, question: Question) -> None:
        o = question.options or {}
        init = self.initial
        init.update(kinds.of(question).form_initial(o))
        cond = question.show_if or {}
        if cond:
            ref = cond.get("question")
            init["show_if_question"] = str(ref)
            init["show_if_op"] = cond.get("op", "equals")
            value = cond.get("value")
            ref_q = next((q for q in self.ordered if q.pk == ref), None)
            if ref_q is not None and value_choices(ref_q):
                values = value if isinstance(value, list) else [value]
                init["show_if_values"] = [f"{ref}:{v}" for v in values if v is not None]
            elif value is not None:
                init["show_if_text"] = (
                    "; ".join(str(v) for v in value) if isinstance(value, list) else str(value)
                )

    # -- validation --

    def clean_text(self) -> str:
        text = (self.cleaned_data.get("text") or "").strip()
        if not text:
            raise ValidationError("Hãy nhập nội dung câu hỏi.")
        return text

    def _options(self, kind: str) -> dict[str, Any]:
        return kinds.kind_of(kind).form_options(self.cleaned_data, self.add_error)

    def _show_if(self) -> dict[str, Any]:
        d = self.cleaned_data
        ref_raw = d.get("show_if_question") or ""
        if not ref_raw:
            return {}
        ref = int(ref_raw)
        ref_q = next((q for q in self.ordered if q.pk == ref), None)
        op = d.get("show_if_op") or "equals"
        if ref_q is None:
            return {"question": ref, "op": op}
        number = self.number[ref]
        if op not in allowed_ops(ref_q.kind):
            self.add_error(
                "show_if_op",
                f"Câu {number} là câu “{ref_q.get_kind_display()}”: chỉ dùng được điều kiện "
                "“đã được trả lời”.",
            )
            return {"question": ref, "op": op}
        if op == "answered":
            return {"question": ref, "op": op}
        values: list[Any]
        if value_choices(ref_q):
            prefix = f"{ref}:"
            values = [
                int(v[len(prefix) :]) for v in d.get("show_if_values") or [] if v.startswith(prefix)
            ]
            if not values:
                self.add_error(
                    "show_if_values", f"Hãy đánh dấu giá trị của Câu {number} để so sánh."
                )
                return {"question": ref, "op": op}
            if op != "any_of" and len(values) > 1:
                self.add_error(
                    "show_if_values",
                    f"Điều kiện “{OP_LABELS[op]}” so sánh với đúng một giá trị; muốn chọn nhiều "
                    "giá trị hãy dùng “là một trong”.",
                )
                return {"question": ref, "op": op}
        else:
            raw = (d.get("show_if_text") or "").strip()
            parts = [p.strip() for p in raw.split(";") if p.strip()] if op == "any_of" else [raw]
            parts = [p for p in parts if p]
            if not parts:
                self.add_error("show_if_text", f"Hãy nhập giá trị để so sánh với Câu {number}.")
                return {"question": ref, "op": op}
            if kinds.of(ref_q).compares == "number":
                try:
                    values = [_number(p) for p in parts]
                except ValueError:
                    self.add_error(
                        "show_if_text", "Câu căn cứ là câu trả lời bằng số: hãy nhập số."
                    )
                    return {"question": ref, "op": op}
            else:
                values = parts
        return {"question": ref, "op": op, "value": values if op == "any_of" else values[0]}

    def _dependents_problems(self, kind: str, options: dict[str, Any]) -> list[str]:
        """Conditions of other questions that this change would break. A condition
        names choices by their place in the list, so when the choices of a question
        are edited, each condition follows its choice to its new place (kept in
        `self.remapped`, written by `save`); a condition on a choice that is gone is
        refused here, never left pointing at whatever now stands in its place."""
        question = self.instance if self.instance.pk else None
        self.remapped: dict[int, dict[str, Any]] = {}
        self.remap_notes: list[str] = []
        if question is None:
            return []
        problems = []
        new_q = SimpleNamespace(kind=kind, options=options)
        valid = {v for v, _label in value_choices(new_q)}  # type: ignore[arg-type]
        follow = (
            choice_moves(question.options or {}, options)
            if kind in CHOICE_KINDS and question.kind in CHOICE_KINDS
            else None
        )
        old_labels = dict(value_choices(question))
        for q in self.ordered:
            cond = q.show_if or {}
            if cond.get("question") != question.pk:
                continue
            n = self.number[q.pk]
            if cond.get("op") not in allowed_ops(kind):
                problems.append(
                    f"Câu {n} có điều kiện hiển thị dựa vào câu này; loại câu hỏi mới không dùng "
                    f"được với điều kiện đó. Hãy sửa điều kiện của Câu {n} trước."
                )
                continue
            if cond.get("op") == "answered" or kind not in VALUE_CHOICE_KINDS:
                continue
            raw = cond.get("value")
            values = raw if isinstance(raw, list) else [raw]
            if follow is not None:
                gone = [v for v in values if follow.get(_as_index(v)) is None]
                if gone:
                    names = ", ".join(f"“{old_labels.get(_as_index(v), v)}”" for v in gone)
                    problems.append(
                        f"Câu {n} chỉ hiện khi câu này được trả lời {names}, nhưng phương án "
                        "đó không còn trong danh sách mới. Hãy giữ lại phương án, hoặc sửa điều "
                        f"kiện hiển thị của Câu {n} trước."
                    )
                    continue
                moved = [follow[_as_index(v)] for v in values]
                if moved != [_as_index(v) for v in values]:
                    new_value: Any = moved if isinstance(raw, list) else moved[0]
                    self.remapped[q.pk] = {**cond, "value": new_value}
                    self.remap_notes.append(
                        f"Điều kiện hiển thị của Câu {n} được chuyển theo phương án đã đổi "
                        "thứ tự, vẫn giữ nguyên ý nghĩa."
                    )
                continue
            if any(v not in valid for v in values):
                problems.append(
                    f"Câu {n} có điều kiện hiển thị dựa vào một phương án không còn trong câu "
                    f"này. Hãy sửa điều kiện của Câu {n} trước."
                )
        return problems

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if not kind:
            return data
        options = self._options(kind)
        show_if = self._show_if()
        self.options, self.show_if = options, show_if
        changed_kind = self.instance.pk and kind != self.instance.kind
        for problem in self._dependents_problems(kind, options):
            self.add_error(
                "kind" if changed_kind or kind not in CHOICE_KINDS else "choices", problem
            )
        if show_if and not self.has_error("show_if_question"):
            for error in self._show_if_errors(show_if, data.get("section")):
                self.add_error("show_if_question", error)
        return data

    def _show_if_errors(self, show_if: dict[str, Any], section: Section | None) -> list[str]:
        """What check_show_if finds in the questionnaire with this question saved."""
        question = self.instance if self.instance.pk else None
        me: Any = SimpleNamespace(pk=question.pk if question else -1, show_if=show_if)
        before = list(self.ordered)
        after: list[Any] = [q for q in self.ordered if question is None or q.pk != question.pk]
        target = section or (question.section if question else None)
        if question is not None and target is not None and target.pk == question.section_id:
            i = next(n for n, q in enumerate(self.ordered) if q.pk == question.pk)
            after.insert(i, me)
        else:
            # New, or moved to another section: it goes to the end of that section.
            pos = target.position if target is not None else 10**6
            i = len([q for q in after if q.section.position <= pos])
            after.insert(i, me)
        label = f"Câu {i + 1}:"
        old = set(builder.show_if_errors(before))
        return [
            e
            for e in builder.show_if_errors(after)
            if e not in old or e.startswith(label) or f"Câu {i + 1}," in e or f"Câu {i + 1} " in e
        ]

    def save(self, commit: bool = True) -> Question:
        """The question with its options and condition; written (`commit`) by
        `staff_services.save_question`, which also places it in its section."""
        question: Question = super().save(commit=False)
        question.survey = self.survey
        question.options = self.options
        question.show_if = self.show_if
        if commit:
            from danvan.surveys import staff_services

            staff_services.save_question(
                question,
                section=self.cleaned_data.get("section"),
                remapped=getattr(self, "remapped", {}),
            )
        return question


def _number(text: str) -> int | float:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def _as_index(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def choice_moves(old: dict[str, Any], new: dict[str, Any]) -> dict[int | None, int | None]:
    """Where each choice of a question went when its list was edited: old index ->
    new index, or None when the choice is gone. A choice is followed by its text
    (ignoring case, diacritics and spacing); a line edited in place (the list
    keeps its length and the new text at that place is not an old one) keeps its
    place. "Khác" (-1) stays while the question still allows it."""
    before = [fold(str(c)) for c in old.get("choices") or []]
    after = [fold(str(c)) for c in new.get("choices") or []]
    moves: dict[int | None, int | None] = {}
    for i, text in enumerate(before):
        if text in after:
            moves[i] = after.index(text)
        elif len(before) == len(after) and after[i] not in before:
            moves[i] = i
        else:
            moves[i] = None
    moves[-1] = -1 if new.get("other") else None
    return moves


class MoveToSectionForm(forms.Form):
    section = forms.ModelChoiceField(label="Chuyển sang phần", queryset=Section.objects.none())

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "section").queryset = Section.objects.filter(survey=survey)
