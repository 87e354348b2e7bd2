"""Staff forms of the plans app; every choice of a unit or a body is limited
to the user's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from danvan.core.documents import ACCEPT as DOCUMENT_ACCEPT
from danvan.core.fields import AreaChoiceField, FilesField, OrganizationChoiceField
from danvan.core.forms import (
    DATE_WIDGET,
    BodyForm,
    XlsxImportForm,
    body_field,
    typed_phone,
    xlsx_template_field,
)
from danvan.core.indicators import indicator_choices
from danvan.core.models import Area, Organization, Period
from danvan.core.organised_forms import form_field
from danvan.core.scope import MANAGE
from danvan.plans.models import (
    Communicator,
    CoordinationStatus,
    Course,
    Language,
    Material,
    Official,
    Plan,
    Target,
    Task,
)
from danvan.plans.services import MAX_REPORT_FILES


class PlanForm(BodyForm):
    organization = body_field("Cơ quan ban hành")

    class Meta:
        model = Plan
        fields = ["organization", "number", "issued_on", "title", "carries_out"]
        fields += ["starts_on", "ends_on"]
        widgets = {
            "issued_on": DATE_WIDGET,
            "starts_on": DATE_WIDGET,
            "ends_on": DATE_WIDGET,
            "title": forms.Textarea(attrs={"rows": 3}),
        }


class TaskForm(forms.ModelForm):
    lead = OrganizationChoiceField(label="Cơ quan chủ trì", queryset=Organization.objects.none())
    partners = forms.ModelMultipleChoiceField(
        label="Cơ quan phối hợp",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    areas = forms.ModelMultipleChoiceField(
        label="Đơn vị áp dụng (bỏ trống: toàn địa bàn)",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Task
        fields = ["number", "text", "lead", "partners", "areas", "recurrence", "due_on"]
        widgets = {"due_on": DATE_WIDGET, "text": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bodies = Organization.objects.visible_to(user).current().select_related("area")
        form_field(self, "lead").queryset = bodies.order_by("path")
        form_field(self, "partners").queryset = bodies.order_by("path")
        form_field(self, "partners").label_from_instance = lambda o: f"{o.name} — {o.area.name}"
        form_field(self, "areas").queryset = (
            Area.objects.visible_to(user).current().order_by("path")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("recurrence") == "once" and not data.get("due_on"):
            self.add_error("due_on", "Nhiệm vụ một lần cần có hạn hoàn thành.")
        return data


class ReportForm(forms.Form):
    organization = OrganizationChoiceField(
        label="Đơn vị báo cáo", queryset=Organization.objects.none()
    )
    due_on = forms.TypedChoiceField(label="Kỳ báo cáo (hạn)", choices=[])
    progress = forms.IntegerField(label="Mức độ hoàn thành (%)", min_value=0, max_value=100)
    text = forms.CharField(label="Kết quả thực hiện", widget=forms.Textarea(attrs={"rows": 4}))
    figures = forms.CharField(
        label="Số liệu chính (không bắt buộc)",
        max_length=500,
        required=False,
        help_text="Ví dụ: 12 buổi tuyên truyền, 1.250 lượt hội viên tham dự.",
    )
    attachments = FilesField(
        label="Tệp đính kèm (không bắt buộc)",
        max_count=MAX_REPORT_FILES,
        accept=DOCUMENT_ACCEPT,
        help_text=f"PDF, Word (.docx) hoặc Excel (.xlsx), tối đa {MAX_REPORT_FILES} tệp, mỗi "
        "tệp đến 10 MB. Nếu báo cáo chưa lưu được, hãy chọn lại tệp.",
    )

    def __init__(self, *args: Any, task: Task, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organization").queryset = bodies
        if bodies.count() == 1:
            self.initial.setdefault("organization", bodies.first().pk)
        field = self.fields["due_on"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(d.isoformat(), f"{d:%d/%m/%Y}") for d in task.due_dates()]
        field.coerce = date.fromisoformat


class CoordinationForm(forms.Form):
    status = forms.ChoiceField(label="Trạng thái", choices=CoordinationStatus.choices)
    number = forms.CharField(label="Số hiệu", max_length=60, required=False)
    issued_on = forms.DateField(label="Ngày ban hành", required=False, widget=DATE_WIDGET)
    file = forms.FileField(
        label="Tệp kế hoạch (không bắt buộc)",
        required=False,
        widget=forms.FileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        help_text="PDF, Word (.docx) hoặc Excel (.xlsx), đến 10 MB; chọn tệp mới để thay tệp cũ.",
    )
    remove_file = forms.BooleanField(label="Bỏ tệp đang có", required=False)


class TargetForm(forms.ModelForm):
    indicator = forms.ChoiceField(label="Chỉ số tính từ dữ liệu", choices=[])
    area = AreaChoiceField(label="Địa bàn", queryset=Area.objects.none())

    class Meta:
        model = Target
        fields = ["text", "indicator", "value", "area", "deadline"]
        widgets = {"deadline": DATE_WIDGET, "text": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "indicator").choices = indicator_choices()
        form_field(self, "area").queryset = Area.objects.visible_to(user).order_by("path")


class CommunicatorForm(forms.ModelForm):
    area = AreaChoiceField(label="Địa bàn (xã, ấp)", queryset=Area.objects.none())
    organization = OrganizationChoiceField(
        label="Thuộc tổ chức (chi bộ, Mặt trận, đoàn thể)",
        queryset=Organization.objects.none(),
        required=False,
    )
    phone = forms.CharField(
        label="Số điện thoại (không bắt buộc)",
        max_length=20,
        required=False,
        help_text="Được mã hóa khi lưu; danh sách chỉ hiện một phần số.",
    )

    class Meta:
        model = Communicator
        fields = ["kind", "full_name", "area", "organization", "ethnicity", "languages"]
        fields += ["active_from", "active_to"]
        widgets = {"active_from": DATE_WIDGET, "active_to": DATE_WIDGET}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "area").queryset = (
            Area.objects.visible_to(user, MANAGE).current().order_by("path")
        )
        form_field(self, "organization").queryset = (
            Organization.objects.visible_to(user).current().select_related("area").order_by("path")
        )
        if self.instance.pk:
            self.initial.setdefault("phone", self.instance.phone)

    def clean_phone(self) -> str:
        return typed_phone(self.cleaned_data["phone"], optional=True)


class OfficialForm(BodyForm):
    organization = body_field("Cơ quan")

    class Meta:
        model = Official
        fields = ["full_name", "position", "organization", "official_class", "left_on"]
        widgets = {"left_on": DATE_WIDGET}


class CourseForm(BodyForm):
    organization = body_field("Đơn vị mở lớp")

    class Meta:
        model = Course
        fields = ["title", "organization", "starts_on", "ends_on", "place"]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}


class CompletionForm(forms.Form):
    officials = forms.ModelMultipleChoiceField(
        label="Học viên", queryset=Official.objects.none(), widget=forms.SelectMultiple(
            attrs={"size": 10}
        ),
        error_messages={"required": "Hãy chọn ít nhất một học viên."},
    )  # fmt: skip
    completed = forms.BooleanField(label="Đã hoàn thành lớp", required=False, initial=True)
    certificate = forms.CharField(
        label="Số giấy chứng nhận (nếu cấp chung một số, không bắt buộc)",
        max_length=60,
        required=False,
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = form_field(self, "officials")
        field.queryset = Official.objects.visible_to(user).select_related("organization")
        field.label_from_instance = lambda o: f"{o.full_name} — {o.organization.name}"


class ReturnForm(forms.Form):
    area = AreaChoiceField(label="Đơn vị", queryset=Area.objects.none())
    period = forms.ModelChoiceField(label="Kỳ báo cáo", queryset=Period.objects.none())
    indicator = forms.ChoiceField(label="Chỉ số", choices=[])
    done = forms.IntegerField(label="Số đạt", min_value=0)
    total = forms.IntegerField(label="Tổng số", min_value=0)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "area").queryset = (
            Area.objects.visible_to(user, MANAGE).current().order_by("path")
        )
        form_field(self, "period").queryset = Period.objects.latest_first()
        form_field(self, "indicator").choices = indicator_choices()


class ReturnImportForm(XlsxImportForm):
    period = forms.ModelChoiceField(label="Kỳ báo cáo", queryset=Period.objects.none())
    file = xlsx_template_field(
        "Dùng file mẫu: mỗi dòng một đơn vị và một chỉ số. Nếu có dòng lỗi, không "
        "dòng nào được nhập."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "period").queryset = Period.objects.latest_first()


class MaterialForm(BodyForm):
    organization = body_field("Đơn vị biên soạn")
    language = forms.ChoiceField(label="Ngôn ngữ của tệp", choices=Language.choices)
    file = forms.FileField(
        label="Tệp tài liệu", help_text="PDF, Word (.docx) hoặc Excel (.xlsx), đến 10 MB."
    )

    class Meta:
        model = Material
        fields = ["title", "topic", "audience", "organization", "valid_from", "valid_to"]
        widgets = {"valid_from": DATE_WIDGET, "valid_to": DATE_WIDGET}


class MaterialFileForm(forms.Form):
    language = forms.ChoiceField(label="Ngôn ngữ", choices=Language.choices)
    file = forms.FileField(
        label="Tệp", help_text="PDF, Word (.docx) hoặc Excel (.xlsx), đến 10 MB."
    )


class DispatchForm(forms.Form):
    areas = forms.ModelMultipleChoiceField(
        label="Nơi nhận", queryset=Area.objects.none(), widget=forms.SelectMultiple(
            attrs={"size": 8}
        ),
        error_messages={"required": "Hãy chọn ít nhất một nơi nhận."},
    )  # fmt: skip
    sent_on = forms.DateField(label="Ngày gửi", widget=DATE_WIDGET)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "areas").queryset = (
            Area.objects.visible_to(user).current().order_by("path")
        )
