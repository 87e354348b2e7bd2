"""Staff forms of the surveys app. Choice fields are built from querysets already
limited to the user's scope (organisations the user manages, areas the user
sees), so an out-of-scope id is simply "not a valid choice".

The question form holds the options of every kind (the page shows the ones of
the chosen kind) and the skip-logic editor: pick an earlier question, an
operator and a value; the result is checked with `logic.check_show_if` on the
whole questionnaire, and any problem is shown beside the field.

Also here: why a survey cannot be published now (`publish_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone

from danvan.core.fields import AreaChoiceField, OrganizationChoiceField, datetime_field
from danvan.core.models import Area, AreaKind, Organization
from danvan.core.scope import MANAGE
from danvan.core.text import fold, slug_vi
from danvan.surveys import builder, kinds
from danvan.surveys.models import (
    Kind,
    Mode,
    OnePer,
    Question,
    Section,
    Survey,
    SurveyStatus,
)

IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_CODES = 2000

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


def _field(form: forms.BaseForm, name: str) -> Any:
    """A field of the form, typed loosely so querysets and choices can be set."""
    return form.fields[name]


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


def _no_duplicates(items: list[str], what: str) -> None:
    seen: dict[str, str] = {}
    for item in items:
        key = fold(item)
        if key in seen:
            raise ValidationError(
                f"{what} “{item}” bị trùng; mỗi {what.lower()} một dòng khác nhau."
            )
        seen[key] = item


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


# --- Publishing ------------------------------------------------------------------------------


@dataclass
class Readiness:
    problems: list[str]  # block publishing
    notes: list[str]  # worth knowing, do not block


def publish_problems(survey: Survey) -> Readiness:
    problems: list[str] = []
    notes: list[str] = []
    ordered = builder.ordered_questions(survey)
    if not ordered:
        problems.append("Khảo sát chưa có câu hỏi nào. Hãy thêm ít nhất một câu hỏi.")
    for section in survey.sections.order_by("position"):
        if not any(q.section_id == section.pk for q in ordered):
            problems.append(f"Phần “{section.title}” chưa có câu hỏi; thêm câu hỏi hoặc xóa phần.")
    for i, q in enumerate(ordered):
        problem = kinds.of(q).publish_problem(q)
        if problem:
            problems.append(f"Câu {i + 1}: {problem}")
    problems.extend(builder.show_if_errors(ordered))
    notes.extend(_target_notes(survey, ordered))
    if survey.mode == Mode.IDENTIFIED and not survey.consent_text.strip():
        problems.append("Khảo sát có danh tính cần nội dung đồng ý xử lý dữ liệu cá nhân.")
    if survey.closes_at <= timezone.now():
        problems.append("Thời điểm đóng khảo sát đã qua; hãy sửa thời gian trước khi công bố.")
    if survey.one_per == OnePer.CODE and not survey.codes.filter(spent=False).exists():
        notes.append(
            "Khảo sát dùng mã mời nhưng chưa có mã nào còn dùng được: hãy tạo và phát mã mời, "
            "nếu không sẽ không ai trả lời được."
        )
    if survey.opens_at > timezone.now():
        notes.append("Khảo sát chỉ nhận phiếu từ thời điểm mở đã đặt.")
    return Readiness(problems, notes)


def _target_notes(survey: Survey, ordered: list[Question]) -> list[str]:
    """What the target area does, when it may not do what staff expect. A target
    works only through the unit question: the person picks their commune and
    hamlet among the target's (an answer elsewhere is refused). Nothing checks
    where a person really lives; without a unit question anyone can answer."""
    if survey.target_area_id is None:
        return []
    name = survey.target_area.name if survey.target_area else ""
    units = [q for q in ordered if q.kind == Kind.UNIT]
    if not units:
        return [
            f"Khảo sát chọn địa bàn “{name}” nhưng chưa có câu hỏi “Địa bàn (xã, ấp)”, nên "
            "thực tế ai có đường dẫn cũng trả lời được. Địa bàn khảo sát chỉ có tác dụng qua "
            f"câu hỏi này: người trả lời chọn xã, ấp của mình trong “{name}”, chọn nơi khác "
            "thì không gửi được phiếu (hệ thống không kiểm tra nơi ở thật). Hãy thêm câu hỏi "
            "“Địa bàn (xã, ấp)”, để bắt buộc, nếu chỉ muốn nhận phiếu của người dân địa bàn này."
        ]
    number = ordered.index(units[0]) + 1
    if not units[0].required:
        return [
            f"Câu {number} (địa bàn) không bắt buộc: người bỏ qua câu này vẫn gửi được phiếu "
            f"mà không cho biết ở xã, ấp nào của “{name}”."
        ]
    if units[0].show_if:
        return [
            f"Câu {number} (địa bàn) có điều kiện hiển thị: khi câu này bị ẩn, phiếu được "
            f"gửi mà không cho biết ở xã, ấp nào của “{name}”."
        ]
    return []


# --- Survey ----------------------------------------------------------------------------------


class SurveyFilterForm(forms.Form):
    q = forms.CharField(label="Tìm theo tên", required=False)
    status = forms.ChoiceField(
        label="Trạng thái", required=False, choices=[("", "Tất cả"), *SurveyStatus.choices]
    )


def template_choices() -> list[tuple[str, str]]:
    return [("", "Khảo sát trống (tự thêm các phần, câu hỏi)")] + [
        (t.key, f"Mẫu “{t.title}” — {t.question_count} câu hỏi") for t in builder.TEMPLATES.values()
    ]


class SurveyForm(forms.ModelForm):
    # A plain field: the model's slug validator would answer in English.
    slug = forms.CharField(
        label="Đường dẫn",
        max_length=120,
        required=False,
        error_messages={"max_length": "Đường dẫn tối đa 120 ký tự."},
        help_text="Phần cuối địa chỉ trang khảo sát. Để trống để tạo tự động từ tên; chỉ gồm "
        "chữ thường không dấu, số và dấu gạch ngang. Đổi đường dẫn của khảo sát đã công bố "
        "sẽ làm hỏng các liên kết, mã QR đã chia sẻ.",
    )
    opens_at = datetime_field("Mở lúc", help_text="Giờ Việt Nam.")
    closes_at = datetime_field("Đóng lúc", help_text="Giờ Việt Nam.")
    organization = OrganizationChoiceField(
        label="Đơn vị thực hiện", queryset=Organization.objects.none()
    )
    target_area = AreaChoiceField(
        label="Địa bàn khảo sát",
        queryset=Area.objects.none(),
        required=False,
        empty_label="Mọi người (không giới hạn địa bàn)",
        help_text="Để trống: mọi người đều tham gia được. Chọn địa bàn: câu hỏi “Địa bàn "
        "(xã, ấp)” chỉ liệt kê các xã, ấp của địa bàn này và phiếu chọn nơi khác không gửi "
        "được (khảo sát cần có câu hỏi đó). Hệ thống không kiểm tra nơi ở thật của người "
        "trả lời.",
    )

    class Meta:
        model = Survey
        fields = [
            "title",
            "slug",
            "intro",
            "organization",
            "target_area",
            "opens_at",
            "closes_at",
            "mode",
            "one_per",
            "consent_text",
            "consent_version",
            "one_section_per_page",
            "share_image",
        ]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 5}),
            "consent_text": forms.Textarea(attrs={"rows": 5}),
            "mode": forms.RadioSelect,
            "one_per": forms.RadioSelect,
        }
        labels = {
            "title": "Tên cuộc khảo sát",
            "intro": "Lời giới thiệu",
            "mode": "Hình thức",
            "one_per": "Mỗi người một phiếu theo",
            "consent_text": "Nội dung đồng ý xử lý dữ liệu cá nhân",
            "consent_version": "Phiên bản nội dung đồng ý",
            "one_section_per_page": "Mỗi phần một trang",
            "share_image": "Ảnh chia sẻ",
        }
        help_texts = {
            "intro": "Hiện ở đầu trang khảo sát và khi chia sẻ lên mạng xã hội.",
            "mode": "Ẩn danh: phiếu không gắn với người trả lời. Có danh tính: người trả lời ghi "
            "họ tên, số điện thoại và phải đồng ý với nội dung bên dưới.",
            "one_per": "Đường dẫn mở: ai có đường dẫn cũng trả lời được, mỗi trình duyệt một "
            "lần. Số điện thoại: mỗi số một phiếu (chỉ lưu dạng mã hóa một chiều). Mã mời: "
            "mỗi mã dùng một lần; tạo và in mã ở trang “Mã mời” sau khi lưu.",
            "consent_text": "Bắt buộc với khảo sát có danh tính: ghi rõ thu thập gì, để làm gì, "
            "lưu bao lâu.",
            "consent_version": "Tăng phiên bản mỗi khi sửa nội dung đồng ý.",
            "one_section_per_page": "Bỏ chọn để hiện tất cả câu hỏi trên một trang.",
            "share_image": "Ảnh JPG, PNG hoặc WebP, tối đa 2 MB, nên có tỷ lệ 1,91:1 (ví dụ "
            "1200×630) để hiện đẹp khi chia sẻ qua Zalo, Facebook. Nếu biểu mẫu báo lỗi, hãy "
            "chọn lại ảnh.",
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance if self.instance.pk else None
        orgs = Organization.objects.visible_to(user, MANAGE).filter(valid_to__isnull=True)
        areas = (
            Area.objects.visible_to(user)
            .filter(valid_to__isnull=True)
            .exclude(kind=AreaKind.HAMLET)
        )
        if current is not None:
            orgs = Organization.objects.filter(Q(pk__in=orgs) | Q(pk=current.organization_id))
            areas = Area.objects.filter(Q(pk__in=areas) | Q(pk=current.target_area_id))
        _field(self, "organization").queryset = orgs.select_related("area").order_by("path")
        _field(self, "target_area").queryset = areas.order_by("path")
        _field(self, "slug").required = False
        _field(self, "mode").choices = Mode.choices
        _field(self, "one_per").choices = OnePer.choices
        _field(self, "consent_version").widget.attrs["size"] = 6
        _field(self, "share_image").widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
        self.has_responses = bool(current and current.responses.exists())
        if self.has_responses:
            for name in ("mode", "one_per"):
                _field(self, name).disabled = True
                _field(self, name).help_text = "Đã có phiếu trả lời nên không đổi được."
        if current is None:
            self.fields["template"] = forms.ChoiceField(
                label="Bắt đầu từ",
                choices=template_choices(),
                required=False,
                widget=forms.RadioSelect,
                help_text="Mẫu có sẵn các phần và câu hỏi; bạn sửa lại tùy ý sau khi tạo.",
            )
            if not self.is_bound:
                self.initial.setdefault("mode", Mode.ANONYMOUS)
                self.initial.setdefault("one_per", OnePer.BROWSER)
                only = list(orgs[:2])
                if len(only) == 1:
                    self.initial.setdefault("organization", only[0].pk)

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").strip().lower()
        exclude = self.instance.pk
        if not slug:
            return builder.unique_slug(slug_vi(self.cleaned_data.get("title") or "", 110), exclude)
        if slug != slug_vi(slug):
            raise ValidationError(
                "Đường dẫn chỉ gồm chữ thường không dấu, số và dấu gạch ngang (ví dụ: "
                "y-kien-nong-dan-2025)."
            )
        if Survey.objects.filter(slug=slug).exclude(pk=exclude).exists():
            raise ValidationError("Đường dẫn này đã được dùng cho cuộc khảo sát khác.")
        return slug

    def clean_share_image(self) -> Any:
        image = self.cleaned_data.get("share_image")
        if isinstance(image, UploadedFile):
            if image.size is not None and image.size > IMAGE_MAX_BYTES:
                raise ValidationError("Ảnh chia sẻ quá lớn (tối đa 2 MB).")
            pil = getattr(image, "image", None)
            if pil is not None and pil.format not in IMAGE_FORMATS:
                raise ValidationError("Ảnh chia sẻ phải là ảnh JPG, PNG hoặc WebP.")
        return image

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "Thời điểm đóng phải sau thời điểm mở.")
        mode = data.get("mode")
        consent = (data.get("consent_text") or "").strip()
        data["consent_text"] = consent
        if mode == Mode.IDENTIFIED and not consent:
            self.add_error(
                "consent_text",
                "Khảo sát có danh tính phải có nội dung đồng ý: người trả lời cần biết họ tên, "
                "số điện thoại được dùng vào việc gì.",
            )
        if (
            self.has_responses
            and "consent_text" in self.changed_data
            and "consent_version" not in self.changed_data
            and self.instance.mode == Mode.IDENTIFIED
        ):
            self.add_error(
                "consent_version",
                "Nội dung đồng ý đã thay đổi và đã có người trả lời: hãy tăng phiên bản.",
            )
        return data


# --- Sections --------------------------------------------------------------------------------


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "description"]
        labels = {"title": "Tên phần", "description": "Mô tả"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"description": "Không bắt buộc; hiện dưới tên phần."}


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
        _field(self, "section").queryset = Section.objects.filter(survey=survey).order_by(
            "position"
        )
        _field(self, "section").label_from_instance = lambda s: f"Phần {s.position}: {s.title}"
        # The first question of a survey without sections: its section is made on save.
        _field(self, "section").required = bool(self.sections)
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
        ref_field: ReferenceField = _field(self, "show_if_question")
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
        _field(self, "show_if_values").choices = all_values
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

    def option_fields(self) -> dict[str, list[forms.BoundField]]:
        return {
            "choice": [self["choices"], self["other"]],
            "rating": [self["scale"], self["min_label"], self["max_label"]],
            "grid": [self["rows"]],
            "number": [self["number_min"], self["number_max"]],
        }

    def _initial_from(self, question: Question) -> None:
        o = question.options or {}
        init = self.initial
        if question.kind in CHOICE_KINDS:
            init["choices"] = "\n".join(o.get("choices") or [])
            init["other"] = bool(o.get("other"))
        elif question.kind == Kind.RATING:
            init["scale"] = o.get("max") or 5
            init["min_label"] = o.get("min_label", "")
            init["max_label"] = o.get("max_label", "")
        elif question.kind == Kind.GRID:
            init["rows"] = "\n".join(o.get("rows") or [])
        elif question.kind == Kind.NUMBER:
            init["number_min"] = o.get("min")
            init["number_max"] = o.get("max")
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
        d = self.cleaned_data
        if kind in CHOICE_KINDS:
            items = _lines(d.get("choices") or "")
            if len(items) < 2:
                self.add_error("choices", "Cần ít nhất hai phương án, mỗi phương án một dòng.")
            elif len(items) > 30:
                self.add_error("choices", "Tối đa 30 phương án.")
            elif any(len(i) > 300 for i in items):
                self.add_error("choices", "Mỗi phương án tối đa 300 ký tự.")
            else:
                try:
                    _no_duplicates(items, "Phương án")
                except ValidationError as exc:
                    self.add_error("choices", exc)
            return {"choices": items, "other": bool(d.get("other"))}
        if kind == Kind.RATING:
            return {
                "min": 1,
                "max": d.get("scale") or 5,
                "min_label": (d.get("min_label") or "").strip(),
                "max_label": (d.get("max_label") or "").strip(),
            }
        if kind == Kind.GRID:
            items = _lines(d.get("rows") or "")
            if not items:
                self.add_error("rows", "Cần ít nhất một ý, mỗi ý một dòng.")
            elif len(items) > 20:
                self.add_error("rows", "Tối đa 20 ý.")
            else:
                try:
                    _no_duplicates(items, "Ý")
                except ValidationError as exc:
                    self.add_error("rows", exc)
            return {"rows": items}
        if kind == Kind.NUMBER:
            low, high = d.get("number_min"), d.get("number_max")
            if low is not None and high is not None and low >= high:
                self.add_error("number_max", "Số lớn nhất phải lớn hơn số nhỏ nhất.")
            return {"min": low, "max": high}
        return {}

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


# --- Moves and codes -------------------------------------------------------------------------


class MoveToSectionForm(forms.Form):
    section = forms.ModelChoiceField(label="Chuyển sang phần", queryset=Section.objects.none())

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "section").queryset = Section.objects.filter(survey=survey)


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label="Số mã cần tạo",
        min_value=1,
        max_value=MAX_CODES,
        initial=50,
        help_text=f"Từ 1 đến {MAX_CODES:,} mã mỗi lần".replace(",", ".")
        + ". Mã chỉ hiện một lần ngay sau khi tạo: hãy in hoặc tải Excel ngay.",
        error_messages={
            "min_value": "Tạo ít nhất 1 mã.",
            "max_value": f"Mỗi lần tạo tối đa {MAX_CODES:,} mã.".replace(",", "."),
            "invalid": "Nhập một số nguyên.",
            "required": "Nhập số mã cần tạo.",
        },
    )
