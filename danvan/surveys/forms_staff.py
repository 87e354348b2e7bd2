"""Staff forms of the surveys app: the survey, its sections, invitation codes,
and why a survey cannot be published now (`publish_problems`). Choice fields are
built from querysets already limited to the user's scope (organisations the user
manages, areas the user sees), so an out-of-scope id is simply "not a valid
choice". The question form is in `danvan.surveys.forms_question`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone

from danvan.core.fields import AreaChoiceField, OrganizationChoiceField, datetime_field
from danvan.core.models import Area, Organization
from danvan.core.organised_forms import (
    IMAGE_ACCEPT,
    Fieldsets,
    OrganisedActivityForm,
    checked_image,
    form_field,
    slug_field,
)
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

MAX_CODES = 2000


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


SURVEY_FIELDSETS: list[tuple[str, list[str]]] = [
    (
        "Thông tin chung",
        [
            "title",
            "slug",
            "intro",
            "organization",
            "target_area",
            "opens_at",
            "closes_at",
            "share_image",
        ],
    ),
    ("Cách trả lời", ["mode", "one_per", "one_section_per_page"]),
    ("Dữ liệu cá nhân (khảo sát có danh tính)", ["consent_text", "consent_version"]),
]


class SurveyForm(Fieldsets, OrganisedActivityForm):
    # A new survey's form starts with its content (a template, see __init__).
    fieldset_names = [("Nội dung ban đầu", ["template"]), *SURVEY_FIELDSETS]
    slug_example = "y-kien-nong-dan-2025"
    slug_taken = "Đường dẫn này đã được dùng cho cuộc khảo sát khác."
    slug_fallback = "khao-sat"
    preselect_area = False

    slug = slug_field(
        "Phần cuối địa chỉ trang khảo sát. Để trống để tạo tự động từ tên; chỉ gồm "
        "chữ thường không dấu, số và dấu gạch ngang. Đổi đường dẫn của khảo sát đã công bố "
        "sẽ làm hỏng các liên kết, mã QR đã chia sẻ."
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
        fields = [name for _legend, names in SURVEY_FIELDSETS for name in names]
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
        super().__init__(*args, user=user, **kwargs)
        current = self.instance if self.instance.pk else None
        form_field(self, "mode").choices = Mode.choices
        form_field(self, "one_per").choices = OnePer.choices
        form_field(self, "consent_version").widget.attrs["size"] = 6
        form_field(self, "share_image").widget.attrs["accept"] = IMAGE_ACCEPT
        self.has_responses = bool(current and current.responses.exists())
        if self.has_responses:
            for name in ("mode", "one_per"):
                form_field(self, name).disabled = True
                form_field(self, name).help_text = "Đã có phiếu trả lời nên không đổi được."
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

    def clean_share_image(self) -> Any:
        return checked_image(self.cleaned_data.get("share_image"), "Ảnh chia sẻ")

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


# --- Invitation codes ---------------------------------------------------------------------------


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
