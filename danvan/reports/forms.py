"""The staff forms of the reports app."""

from __future__ import annotations

from typing import Any

from django import forms

from danvan.core.forms import DATE_WIDGET, BodyForm, body_field
from danvan.core.models import Period
from danvan.reports.models import NARRATIVE, Draft, ReviewReport

HEADER_FIELDS = [
    "party_committee", "issuer", "number", "symbol", "place", "dated", "subject",
    "signer_capacity", "signer_title", "signer_name", "recipients",
]  # fmt: skip


class ReportForm(BodyForm):
    """A new report: the issuing body and the period; the header fields may be
    left empty and are then filled from the body and the period."""

    organization = body_field("Cơ quan ban hành")
    period = forms.ModelChoiceField(label="Kỳ báo cáo", queryset=Period.objects.latest_first())

    class Meta:
        model = ReviewReport
        fields = ["organization", "period", *HEADER_FIELDS]
        widgets = {"dated": DATE_WIDGET, "recipients": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        for name in ("party_committee", "issuer", "place", "subject", "symbol"):
            self.fields[name].required = False
            self.fields[name].help_text = (
                str(self.fields[name].help_text) + " Để trống: lấy theo cơ quan và kỳ báo cáo."
            ).strip()


class ReportEditForm(forms.ModelForm):
    class Meta:
        model = ReviewReport
        fields = HEADER_FIELDS
        widgets = {"dated": DATE_WIDGET, "recipients": forms.Textarea(attrs={"rows": 5})}


class DraftForm(forms.ModelForm):
    """The narrative parts; saving makes a new version."""

    class Meta:
        model = Draft
        fields = [name for name, _label in NARRATIVE]
        labels = dict(NARRATIVE)
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name, _label in NARRATIVE}
        help_texts = {
            "results": "Nhận xét chung về kết quả; số liệu của từng lĩnh vực được hệ thống tự "
            "tổng hợp khi xuất báo cáo. Mỗi dòng là một đoạn.",
        }
