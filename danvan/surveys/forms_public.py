"""The form on a survey's first page: what the one-response policy needs (a
phone number or an invitation code) and, for an identified survey, who answers
and their consent. Anonymous browser-policy surveys need no field at all."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from danvan.core.validators import normalize_phone
from danvan.surveys import cleaning, guards
from danvan.surveys.models import Mode, OnePer, Survey


class StartForm(forms.Form):
    def __init__(self, survey: Survey, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survey = survey
        identified = survey.mode == Mode.IDENTIFIED
        if survey.one_per == OnePer.CODE:
            self.fields["code"] = forms.CharField(
                label="Mã mời",
                max_length=20,
                help_text="Mã gồm 8 chữ và số in trên giấy mời, ví dụ ABCD-EF23.",
                error_messages={"required": guards.MSG_CODE_MISSING},
                widget=forms.TextInput(
                    attrs={
                        "autocomplete": "off",
                        "autocapitalize": "characters",
                        "spellcheck": "false",
                    }
                ),
            )
        if identified:
            self.fields["full_name"] = forms.CharField(
                label="Họ và tên",
                max_length=cleaning.NAME_MAX,
                error_messages={"required": cleaning.MSG_NAME_MISSING},
                widget=forms.TextInput(attrs={"autocomplete": "name"}),
            )
        if identified or survey.one_per == OnePer.PHONE:
            help_text = (
                "Chỉ dùng để kiểm tra mỗi số điện thoại gửi một phiếu; "
                "không được lưu cùng phiếu trả lời."
                if not identified
                else "Để Ban Dân vận liên hệ lại khi cần."
            )
            self.fields["phone"] = forms.CharField(
                label="Số điện thoại",
                max_length=20,
                help_text=help_text,
                error_messages={"required": cleaning.MSG_PHONE_MISSING},
                widget=forms.TextInput(
                    attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}
                ),
            )
        if identified:
            self.fields["consent"] = forms.BooleanField(
                label="Tôi đồng ý với nội dung trên.",
                error_messages={"required": cleaning.MSG_CONSENT},
            )

    @property
    def has_fields(self) -> bool:
        return bool(self.fields)

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean_code(self) -> str:
        return guards.check_code(self.survey, self.cleaned_data["code"])

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise ValidationError(cleaning.MSG_NAME_MISSING)
        return name
