"""Forms of public voting: the identification of a person who votes (CCCD and
phone, as in the contests; or the phone alone, confirmed by a one-time
code, when a gateway sends them), and the staff forms of a campaign and its entries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from danvan.core.fields import OrganizationChoiceField, datetime_field
from danvan.core.forms import typed_phone
from danvan.core.models import Organization
from danvan.core.organised_forms import OrganisedActivityForm, form_field, slug_field
from danvan.practices.models import Campaign, GoodDeed, Practice
from danvan.practices.votes import entry_candidates, phone_voter_key, voter_key


class VoterForm(forms.Form):
    cccd = forms.CharField(
        label="Số căn cước (CCCD, 12 số)",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text="Để mỗi người chỉ bình chọn một lần. Số CCCD không được lưu, chỉ lưu một mã "
        "băm không đảo ngược được.",
        error_messages={"required": "Hãy nhập số căn cước."},
    )
    phone = forms.CharField(
        label="Số điện thoại",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "Hãy nhập số điện thoại."},
    )
    muc = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, by_phone: bool = False, **kwargs: Any) -> None:
        """`by_phone`: the phone is confirmed by a one-time code and stands for
        the person (`votes.phone_voter_key`); no CCCD is asked."""
        super().__init__(*args, **kwargs)
        self.by_phone = by_phone
        if by_phone:
            del self.fields["cccd"]
            self.fields["phone"].help_text = (
                "Chúng tôi gửi một mã xác nhận tới số này, để mỗi người chỉ bình chọn một lần. "
                "Số điện thoại không được công khai."
            )

    def clean_phone(self) -> str:
        return typed_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.by_phone:
            if data.get("phone"):
                data["voter"] = phone_voter_key(data["phone"])
        elif data.get("cccd"):
            try:
                data["voter"] = voter_key(data["cccd"])
            except ValidationError as error:
                self.add_error("cccd", error)
        return data


class CampaignForm(OrganisedActivityForm):
    slug_example = "mo-hinh-tieu-bieu-2026"
    slug_taken = "Đường dẫn này đã được dùng cho đợt bình chọn khác."
    slug_fallback = "binh-chon"
    preselect_area = False

    slug = slug_field("Phần cuối địa chỉ trang bình chọn. Để trống để tạo tự động từ tên.")
    organization = OrganizationChoiceField(
        label="Đơn vị tổ chức", queryset=Organization.objects.none()
    )
    starts_at = datetime_field("Bắt đầu", help_text="Giờ Việt Nam.")
    ends_at = datetime_field("Kết thúc", help_text="Giờ Việt Nam.")

    class Meta:
        model = Campaign
        fields = [
            "title",
            "slug",
            "intro",
            "organization",
            "starts_at",
            "ends_at",
            "window_hours",
            "show_counts",
        ]
        error_messages = {"title": {"required": "Hãy ghi tên đợt bình chọn."}}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "Thời điểm kết thúc phải sau thời điểm bắt đầu.")
        hours = data.get("window_hours")
        if hours is not None and hours > 24 * 366:
            self.add_error("window_hours", "Tối đa 8784 giờ (một năm).")
        return data


class EntriesForm(forms.Form):
    """The entries of a campaign: recognised practices and published good deeds
    in the user's scope, ticked."""

    practices = forms.ModelMultipleChoiceField(
        label="Mô hình, điển hình đã công nhận",
        queryset=Practice.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    deeds = forms.ModelMultipleChoiceField(
        label="Việc tốt đã công bố",
        queryset=GoodDeed.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        practices, deeds = entry_candidates(user)
        form_field(self, "practices").queryset = practices
        form_field(self, "practices").label_from_instance = lambda p: f"{p.title} — {p.area.name}"
        form_field(self, "deeds").queryset = deeds
        form_field(self, "deeds").label_from_instance = lambda d: (
            f"{d.public_name} — {d.area.name}: {d.deed[:80]}"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if len(data.get("practices") or []) + len(data.get("deeds") or []) < 2:
            raise ValidationError("Hãy chọn ít nhất 2 mục.")
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Mã xác nhận (6 số)",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": "Hãy nhập mã xác nhận vừa nhận được."},
    )
