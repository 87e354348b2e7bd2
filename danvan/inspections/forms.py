"""Staff forms of inspections; every body offered is limited to the user's scope."""

from __future__ import annotations

from typing import Any

from django import forms

from danvan.core.fields import OrganizationChoiceField
from danvan.core.forms import DATE_WIDGET, BodyForm, body_field, not_in_future
from danvan.core.models import Organization, Period
from danvan.inspections.models import Inspection, Programme


class ProgrammeForm(BodyForm):
    organization = body_field("Cơ quan ban hành")

    class Meta:
        model = Programme
        fields = ["organization", "period", "number", "title", "issued_on"]
        widgets = {"issued_on": DATE_WIDGET}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        period: Any = self.fields["period"]
        period.queryset = Period.objects.latest_first()


class InspectionForm(forms.ModelForm):
    inspected = OrganizationChoiceField(
        label="Đơn vị được kiểm tra, giám sát", queryset=Organization.objects.none()
    )

    class Meta:
        model = Inspection
        fields = ["kind", "inspected", "team", "starts_on", "ends_on", "scope_text"]
        widgets = {
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "team": forms.Textarea(attrs={"rows": 3}),
            "scope_text": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["inspected"]  # the bodies of the issuing body's unit and below
        field.queryset = (
            Organization.objects.current()
            .filter(area__path__startswith=programme.organization.area.path)
            .select_related("area")
            .order_by("path")
        )


class ConcludeForm(forms.Form):
    findings = forms.CharField(
        label="Kết quả kiểm tra (ưu điểm, hạn chế)", widget=forms.Textarea(attrs={"rows": 6})
    )
    conclusions = forms.CharField(label="Kết luận", widget=forms.Textarea(attrs={"rows": 5}))
    concluded_on = forms.DateField(
        label="Ngày kết luận", widget=DATE_WIDGET, validators=[not_in_future]
    )


class RecommendationForm(forms.Form):
    text = forms.CharField(label="Kiến nghị, yêu cầu", widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label="Hạn thực hiện", widget=DATE_WIDGET)


class SettleForm(forms.Form):
    done_on = forms.DateField(
        label="Ngày hoàn thành", widget=DATE_WIDGET, validators=[not_in_future]
    )
    result = forms.CharField(label="Kết quả thực hiện", widget=forms.Textarea(attrs={"rows": 3}))
