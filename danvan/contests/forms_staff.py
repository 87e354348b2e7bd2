"""Staff forms of the contests app. Choice fields are built from querysets
already limited to the user's scope (organisations the user manages, areas the
user sees), so an out-of-scope id is simply "not a valid choice".

The checks that decide whether a contest can be published (`publish_problems`,
`bank_counts`) are in staff_services, with the writes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError

from danvan.contests.models import (
    DEFAULT_TIE_BREAK,
    TIE_BREAKS,
    Category,
    CollectiveBasis,
    Contest,
    ContestStatus,
    Prediction,
    PrizeKind,
    Round,
)
from danvan.contests.sanitize import clean_html
from danvan.contests.staff_services import bank_counts
from danvan.core.fields import AreaChoiceField, OrganizationChoiceField, datetime_field
from danvan.core.models import Area, Organization
from danvan.core.organised_forms import (
    IMAGE_ACCEPT,
    Fieldsets,
    OrganisedActivityForm,
    checked_image,
    form_field,
)
from danvan.core.text import format_datetime

# --- Contest ----------------------------------------------------------------------------------


class ContestFilterForm(forms.Form):
    q = forms.CharField(label="Tìm theo tên", required=False)
    status = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Tất cả"), *ContestStatus.choices],
    )


CONTEST_FIELDSETS: list[tuple[str, list[str]]] = [
    (
        "Thông tin chung",
        [
            "title",
            "slug",
            "summary",
            "organization",
            "target_area",
            "starts_at",
            "ends_at",
            "banner",
        ],
    ),
    ("Giới thiệu và thể lệ", ["intro", "rules"]),
    (
        "Dữ liệu cá nhân của người dự thi",
        ["require_cccd", "consent_text", "consent_version", "retention_days"],
    ),
]


class ContestForm(Fieldsets, OrganisedActivityForm):
    fieldset_names = CONTEST_FIELDSETS
    slug_example = "tim-hieu-lich-su-dang"
    slug_taken = "Đường dẫn này đã được dùng cho cuộc thi khác."
    slug_fallback = "cuoc-thi"
    starts_at = datetime_field("Bắt đầu", help_text="Giờ Việt Nam.")
    ends_at = datetime_field("Kết thúc", help_text="Giờ Việt Nam.")
    organization = OrganizationChoiceField(
        label="Đơn vị tổ chức", queryset=Organization.objects.none()
    )
    target_area = AreaChoiceField(
        label="Địa bàn dự thi",
        queryset=Area.objects.none(),
        help_text="Người dân thuộc địa bàn này và các đơn vị trực thuộc được tham gia.",
    )

    class Meta:
        model = Contest
        fields = [name for _legend, names in CONTEST_FIELDSETS for name in names]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "intro": forms.Textarea(attrs={"rows": 10}),
            "rules": forms.Textarea(attrs={"rows": 12}),
            "consent_text": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "slug": "Phần cuối địa chỉ trang cuộc thi. Để trống để tạo tự động từ tên; chỉ gồm "
            "chữ thường không dấu, số và dấu gạch ngang. Đổi đường dẫn của cuộc thi đã công bố "
            "sẽ làm hỏng các liên kết đã chia sẻ.",
            "summary": "Một hai câu giới thiệu, hiện trong danh sách cuộc thi.",
            "intro": "Gõ văn bản thường (dòng trống để tách đoạn) hoặc dùng các thẻ p, br, "
            "strong, em, ul, ol, li, h2, h3, a, blockquote. Các thẻ khác bị loại bỏ khi lưu.",
            "rules": "Như phần giới thiệu: văn bản thường hoặc các thẻ HTML đơn giản.",
            "banner": "Ảnh JPG, PNG hoặc WebP, tối đa 2 MB, nên có tỷ lệ ngang khoảng 3:1. "
            "Nếu biểu mẫu báo lỗi, hãy chọn lại ảnh.",
            "require_cccd": "Người dự thi phải nhập số CCCD (được mã hóa khi lưu).",
            "consent_version": "Tăng phiên bản mỗi khi sửa nội dung đồng ý.",
            "retention_days": "Sau thời hạn này dữ liệu cá nhân của người dự thi được xóa "
            "hoặc ẩn danh.",
        }
        labels = {"consent_text": "Nội dung đồng ý xử lý dữ liệu cá nhân"}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        form_field(self, "banner").widget.attrs["accept"] = IMAGE_ACCEPT

    def clean_intro(self) -> str:
        return clean_html(self.cleaned_data.get("intro"))

    def clean_rules(self) -> str:
        return clean_html(self.cleaned_data.get("rules"))

    def clean_banner(self) -> Any:
        return checked_image(self.cleaned_data.get("banner"), "Ảnh bìa")

    def clean_retention_days(self) -> int:
        days = self.cleaned_data["retention_days"]
        if not 1 <= days <= 3650:
            raise ValidationError("Số ngày lưu phải từ 1 đến 3.650.")
        return int(days)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends:
            if ends <= starts:
                self.add_error("ends_at", "Thời điểm kết thúc phải sau thời điểm bắt đầu.")
            elif self.instance.pk:
                for rnd in self.instance.rounds.all():
                    if rnd.opens_at < starts or rnd.closes_at > ends:
                        self.add_error(
                            None,
                            f"{rnd} ({format_datetime(rnd.opens_at)} – "
                            f"{format_datetime(rnd.closes_at)}) nằm ngoài thời gian cuộc thi "
                            "mới. Hãy sửa đợt thi trước hoặc chọn lại thời gian.",
                        )
        if (
            self.instance.pk
            and "consent_text" in self.changed_data
            and "consent_version" not in self.changed_data
            and self.instance.participants.exists()
        ):
            self.add_error(
                "consent_version",
                "Nội dung đồng ý đã thay đổi và đã có người đăng ký: hãy tăng phiên bản.",
            )
        return data


# --- Rounds ------------------------------------------------------------------------------------


def _tie_break_label(keys: str) -> str:
    return " → ".join(TIE_BREAKS[k] for k in keys.split(",") if k in TIE_BREAKS)


TIE_BREAK_ORDERS = [
    DEFAULT_TIE_BREAK,
    "score,duration,prediction,submitted",
    "score,duration,submitted",
    "score,submitted",
]


class RoundForm(Fieldsets, forms.ModelForm):
    # "Đề thi" (with the topic quotas) is drawn by round_form.html between the first and the rest.
    fieldset_names: ClassVar[list[tuple[str, list[str]]]] = [
        ("Đợt thi", ["number", "title", "opens_at", "closes_at"]),
        ("Câu hỏi dự đoán", ["prediction", "prediction_text"]),
        ("Xếp hạng", ["tie_break", "grace_seconds"]),
    ]
    opens_at = datetime_field("Mở lúc", help_text="Giờ Việt Nam.")
    closes_at = datetime_field("Đóng lúc", help_text="Giờ Việt Nam.")
    time_limit_minutes = forms.IntegerField(
        label="Thời gian làm bài (phút)", min_value=1, max_value=240, initial=10
    )
    tie_break = forms.ChoiceField(
        label="Thứ tự xét giải khi bằng điểm",
        choices=[],
        help_text="Người dự thi được xếp theo tiêu chí đầu tiên; bằng nhau thì xét tiêu chí kế "
        "tiếp.",
    )

    class Meta:
        model = Round
        fields = [
            "number",
            "title",
            "opens_at",
            "closes_at",
            "question_count",
            "max_attempts",
            "counting",
            "shuffle_choices",
            "show_answers",
            "prediction",
            "prediction_text",
            "grace_seconds",
        ]
        help_texts = {
            "title": "Ví dụ: Tuần 1. Để trống thì hiện “Đợt 1”.",
            "question_count": "Câu hỏi được rút ngẫu nhiên từ ngân hàng theo số câu của từng "
            "chủ đề; phần còn lại rút từ toàn bộ ngân hàng.",
            "show_answers": "Đáp án và giải thích của một câu chỉ hiện khi không còn đợt thi nào "
            "đang mở hoặc sắp mở có thể ra câu đó. Muốn đáp án hiện ngay khi đợt này kết thúc, "
            "hãy cho mỗi đợt các chủ đề riêng, với tổng số câu theo chủ đề bằng số câu mỗi lượt.",
            "max_attempts": "0 là không giới hạn.",
            "grace_seconds": "Bài nộp chậm trong khoảng này (do mạng chậm) vẫn được nhận.",
        }

    def __init__(self, *args: Any, contest: Contest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contest = contest
        self.instance.contest = contest
        self.counts = bank_counts(contest)
        orders = list(TIE_BREAK_ORDERS)
        if self.instance.pk and self.instance.tie_break not in orders:
            orders.append(self.instance.tie_break)
        form_field(self, "tie_break").choices = [(o, _tie_break_label(o)) for o in orders]
        self.categories = list(contest.categories.order_by("name"))
        existing: dict[int, int] = {}
        if self.instance.pk:
            existing = dict(self.instance.quotas.values_list("category_id", "count"))
            self.initial.setdefault("time_limit_minutes", self.instance.time_limit_seconds // 60)
            self.initial.setdefault("tie_break", self.instance.tie_break)
        else:
            numbers = list(contest.rounds.values_list("number", flat=True))
            self.initial.setdefault("number", max(numbers, default=0) + 1)
            self.initial.setdefault("tie_break", DEFAULT_TIE_BREAK)
        for cat in self.categories:
            have = self.counts.per_category.get(cat.pk, 0)
            self.fields[self.quota_name(cat)] = forms.IntegerField(
                label=f"Chủ đề “{cat.name}”",
                min_value=0,
                max_value=500,
                required=False,
                initial=existing.get(cat.pk, 0),
                help_text=f"Ngân hàng có {have} câu đang dùng.",
            )
        for name, (low, high) in {
            "number": (1, 100),
            "question_count": (1, 200),
            "max_attempts": (0, 100),
            "grace_seconds": (0, 120),
        }.items():
            field = form_field(self, name)
            field.min_value, field.max_value = low, high
            field.widget.attrs.update({"min": low, "max": high})
            field.validators.append(_range_validator(low, high))

    @staticmethod
    def quota_name(cat: Category) -> str:
        return f"quota_{cat.pk}"

    def quota_fields(self) -> list[forms.BoundField]:
        return [self[self.quota_name(c)] for c in self.categories]

    def clean_number(self) -> int:
        number = self.cleaned_data["number"]
        if self.contest.rounds.filter(number=number).exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"Cuộc thi đã có đợt số {number}.")
        return int(number)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        c = self.contest
        if opens and closes:
            if closes <= opens:
                self.add_error("closes_at", "Thời điểm đóng phải sau thời điểm mở.")
            else:
                if opens < c.starts_at:
                    self.add_error(
                        "opens_at",
                        f"Đợt thi phải mở trong thời gian cuộc thi (từ "
                        f"{format_datetime(c.starts_at)}).",
                    )
                if closes > c.ends_at:
                    self.add_error(
                        "closes_at",
                        f"Đợt thi phải đóng trước khi cuộc thi kết thúc "
                        f"({format_datetime(c.ends_at)}).",
                    )
        total = 0
        for cat in self.categories:
            name = self.quota_name(cat)
            count = data.get(name) or 0
            data[name] = count
            have = self.counts.per_category.get(cat.pk, 0)
            if count > have:
                self.add_error(
                    name, f"Chủ đề này chỉ có {have} câu hỏi đang dùng; không rút được {count} câu."
                )
            total += count
        question_count = data.get("question_count")
        if question_count and total > question_count:
            self.add_error(
                "question_count",
                f"Tổng số câu theo chủ đề ({total}) vượt quá số câu hỏi mỗi lượt "
                f"({question_count}).",
            )
        if (
            data.get("prediction", Prediction.NONE) != Prediction.NONE
            and not (data.get("prediction_text") or "").strip()
        ):
            self.add_error("prediction_text", "Nhập nội dung câu hỏi dự đoán.")
        return data

    def quotas(self) -> dict[Category, int]:
        return {c: self.cleaned_data.get(self.quota_name(c)) or 0 for c in self.categories}

    def save(self, commit: bool = True) -> Round:
        rnd: Round = super().save(commit=False)
        rnd.contest = self.contest
        rnd.time_limit_seconds = self.cleaned_data["time_limit_minutes"] * 60
        rnd.tie_break = self.cleaned_data["tie_break"]
        if commit:
            rnd.save()
        return rnd


def _range_validator(low: int, high: int) -> Any:
    def validate(value: int | None) -> None:
        if value is not None and not low <= value <= high:
            raise ValidationError(f"Nhập một số từ {low} đến {high}.")

    return validate


# --- Prizes ------------------------------------------------------------------------------------


class PrizeForm(forms.Form):
    collective_basis = forms.ChoiceField(
        label="Tiêu chí xét giải tập thể",
        choices=CollectiveBasis.choices,
        initial=CollectiveBasis.COUNT,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        quantities: dict[str, Any] = {}
        for kind, label in PrizeKind.choices:
            quantities[kind] = forms.IntegerField(
                label=f"{label} (số giải)",
                min_value=0,
                max_value=1000,
                required=False,
                initial=0,
                help_text="Giải tập thể trao cho đơn vị (xã, phường…) theo tiêu chí dưới đây."
                if kind == PrizeKind.COLLECTIVE
                else "",
            )
        basis = self.fields.pop("collective_basis")
        self.fields.update(quantities)
        self.fields["collective_basis"] = basis

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for kind in PrizeKind.values:
            data[kind] = data.get(kind) or 0
        return data
