"""Staff forms of practices. Choice fields are built from querysets limited to
the user's scope, so an out-of-scope id is simply "not a valid choice"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from danvan.core import documents
from danvan.core.fields import AreaChoiceField, OrganizationChoiceField
from danvan.core.forms import DATE_WIDGET, XlsxImportForm, xlsx_template_field
from danvan.core.models import Area, Organization
from danvan.core.organised_forms import form_field
from danvan.core.scope import MANAGE
from danvan.practices.models import Field, Kind, Level, Practice, Status
from danvan.practices.services import FIELDS


def _choices(label: str, choices: list[tuple[str, str]]) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", "Tất cả"), *choices])


class PracticeFilterForm(forms.Form):
    q = forms.CharField(label="Tìm theo tên", required=False)
    kind = _choices("Loại", Kind.choices)
    field = _choices("Lĩnh vực", Field.choices)
    level = _choices("Cấp", Level.choices)
    status = _choices("Trạng thái", Status.choices)
    year = forms.IntegerField(label="Năm", required=False, min_value=2000, max_value=2100)
    xa = forms.IntegerField(required=False, widget=forms.HiddenInput)
    """A commune (from the coverage page): its practices, its hamlets' and those
    of the units merged into it."""


class PracticeForm(forms.ModelForm):
    area = AreaChoiceField(label="Địa bàn thực hiện", queryset=Area.objects.none())
    organization = OrganizationChoiceField(
        label="Đơn vị chủ trì", queryset=Organization.objects.none()
    )
    partners = forms.ModelMultipleChoiceField(
        label="Đơn vị phối hợp",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Practice
        fields = [*FIELDS, "partners"]
        widgets = {
            "started_on": DATE_WIDGET,
            "aims": forms.Textarea(attrs={"rows": 3}),
            "method": forms.Textarea(attrs={"rows": 5}),
            "participants": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance if self.instance.pk else None
        orgs = Organization.objects.visible_to(user, MANAGE).filter(valid_to__isnull=True)
        areas = Area.objects.visible_to(user, MANAGE).current()
        if current is not None:
            orgs = Organization.objects.filter(Q(pk__in=orgs) | Q(pk=current.organization_id))
            areas = Area.objects.filter(Q(pk__in=areas) | Q(pk=current.area_id))
        form_field(self, "organization").queryset = orgs.select_related("area").order_by("path")
        form_field(self, "area").queryset = areas.order_by("path")
        form_field(self, "partners").queryset = (
            Organization.objects.visible_to(user).filter(valid_to__isnull=True).order_by("path")
        )
        if not self.is_bound and current is None:
            self.initial.setdefault("year", timezone.localdate().year)
            only = list(orgs[:2])
            if len(only) == 1:
                self.initial.setdefault("organization", only[0].pk)
                self.initial.setdefault("area", only[0].area_id)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIELDS}


class MoveForm(forms.Form):
    """What a lifecycle step asks for: a reason, and for a recognition the decision."""

    reason = forms.CharField(
        label="Lý do, ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    recognised_level = forms.ChoiceField(
        label="Cấp công nhận", required=False, choices=[("", "—"), *Level.choices]
    )
    decision_number = forms.CharField(label="Số quyết định", required=False, max_length=100)
    decision_date = forms.DateField(label="Ngày quyết định", required=False, widget=DATE_WIDGET)
    issuing_body = forms.CharField(label="Cơ quan ban hành", required=False, max_length=200)


class ReplicaForm(forms.Form):
    copy = forms.ModelChoiceField(
        label="Mô hình của đơn vị nhân rộng", queryset=Practice.objects.none()
    )

    def __init__(self, *args: Any, user: Any, original: Practice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["copy"]
        field.queryset = (
            Practice.objects.visible_to(user, MANAGE)
            .exclude(pk=original.pk)
            .filter(replicated_from__isnull=True)
            .order_by("-year", "title")
        )


class IndicatorForm(forms.Form):
    label = forms.CharField(label="Chỉ tiêu", max_length=200, required=False)
    value = forms.DecimalField(
        label="Giá trị", max_digits=16, decimal_places=2, required=False, min_value=0
    )
    unit = forms.CharField(label="Đơn vị tính", max_length=50, required=False)
    measured_on = forms.DateField(label="Tính đến ngày", required=False, widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [
            n for n in ("label", "value", "unit", "measured_on") if data.get(n) not in (None, "")
        ]
        if filled and len(filled) < 4:
            raise forms.ValidationError(
                "Mỗi dòng kết quả cần đủ chỉ tiêu, giá trị, đơn vị tính và ngày "
                "(hoặc để trống cả dòng)."
            )
        return data


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=3, max_num=30, validate_max=True)


class RegistrationImportForm(XlsxImportForm):
    file = xlsx_template_field(
        "Dùng file mẫu: mỗi dòng một mô hình. Nếu có dòng lỗi, không dòng nào được nhập."
    )


class DocumentForm(forms.Form):
    title = forms.CharField(label="Tên tài liệu", max_length=200, required=False)
    file = forms.FileField(
        label="Tệp",
        help_text="PDF, Word (.docx) hoặc Excel (.xlsx), đến 10 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": documents.ACCEPT}),
        error_messages={"required": "Hãy chọn tệp."},
    )
