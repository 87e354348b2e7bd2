"""Forms of good deeds: the public nomination (with its honeypot and its
signed time), the staff one, and the officer's verification."""

from __future__ import annotations

from typing import Any

from django import forms

from danvan.core import images
from danvan.core.antispam import GuardedForm
from danvan.core.fields import FilesField
from danvan.core.forms import DATE_WIDGET, PlaceField, typed_phone
from danvan.core.organised_forms import form_field


class DeedForm(forms.Form):
    nominee_name = forms.CharField(
        label="Người hoặc tập thể được giới thiệu",
        max_length=200,
        error_messages={"required": "Hãy ghi tên người hoặc tập thể."},
    )
    collective = forms.TypedChoiceField(
        label="Là",
        choices=[("0", "Một người"), ("1", "Một tập thể")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    place = PlaceField(label="Nơi ở (xã, ấp)")
    deed = forms.CharField(
        label="Việc tốt",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Việc làm cụ thể, ở đâu, khi nào, giúp được ai.",
        error_messages={"required": "Hãy kể việc tốt."},
    )
    photos = FilesField(
        label="Ảnh (không bắt buộc)",
        max_count=5,
        accept=images.ACCEPT,
        help_text="Tối đa 5 ảnh JPG, PNG hoặc WebP, mỗi ảnh đến 10 MB. Vị trí chụp (GPS) "
        "trong ảnh được xóa trước khi đăng.",
    )
    nominator_name = forms.CharField(
        label="Họ tên của bạn", max_length=200, error_messages={"required": "Hãy ghi họ tên."}
    )

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "place").offer(areas)


class PublicDeedForm(GuardedForm, DeedForm):
    nominator_phone = forms.CharField(
        label="Số điện thoại của bạn",
        max_length=20,
        help_text="Chỉ để cán bộ liên hệ xác minh; không bao giờ công khai.",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        error_messages={"required": "Hãy ghi số điện thoại."},
    )
    consent = forms.BooleanField(
        label="Tôi đồng ý để Ban Dân vận lưu họ tên, số điện thoại của tôi để liên hệ xác minh.",
        error_messages={"required": "Cần bạn đồng ý thì mới gửi được."},
    )

    def clean_nominator_phone(self) -> str:
        return typed_phone(self.cleaned_data["nominator_phone"])


class DeedMoveForm(forms.Form):
    note = forms.CharField(
        label="Ghi chú xác minh", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    nominee_consents = forms.BooleanField(
        label="Người được giới thiệu đồng ý công khai tên", required=False
    )


class CommendForm(forms.Form):
    commendation = forms.CharField(label="Hình thức khen", max_length=200)
    decision_number = forms.CharField(label="Số quyết định", max_length=100)
    decision_date = forms.DateField(label="Ngày quyết định", widget=DATE_WIDGET)
