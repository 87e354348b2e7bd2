"""Forms of dialogues and petitions: staff forms with every unit and body
limited to the user's scope, and the citizen's public petition form (with the
anti-spam of `core.antispam`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from danvan.core.antispam import GuardedForm
from danvan.core.fields import AreaChoiceField, OrganizationChoiceField, datetime_field
from danvan.core.forms import DATE_WIDGET, PlaceField, managed_bodies, typed_phone
from danvan.core.models import Area, Organization
from danvan.core.scope import MANAGE, VIEW, get_scope
from danvan.outreach.models import Dialogue, Field, PetitionStatus, Source

# --- Dialogues ------------------------------------------------------------------------


def petition_areas(user: Any) -> Any:
    """The units in force a user records petitions about: those of the units
    they manage (a body's officer answers the petitions assigned to the body,
    and does not record them)."""
    scope = get_scope(user)
    if scope.is_system_admin:
        return Area.objects.current().order_by("path")
    within = Q(pk__in=[])
    for path in scope.area_prefixes(MANAGE):
        within |= Q(path__startswith=path)
    return Area.objects.current().filter(within).order_by("path")


def dialogue_areas(user: Any) -> Any:
    """The units in force a dialogue may be held in: those the user manages,
    and those of the bodies the user acts for (a union's officer schedules the
    dialogues its body organises in its own unit and below)."""
    paths = set(get_scope(user).area_prefixes(MANAGE))
    paths.update(Organization.objects.visible_to(user, MANAGE).values_list("area__path", flat=True))
    if not paths:
        return Area.objects.none()
    within = Q()
    for path in paths:
        within |= Q(path__startswith=path)
    return Area.objects.current().filter(within).order_by("path")


class DialogueForm(forms.ModelForm):
    organizer = OrganizationChoiceField(
        label="Cơ quan chủ trì", queryset=Organization.objects.none()
    )
    area = AreaChoiceField(label="Đơn vị", queryset=Area.objects.none())
    cohosts = forms.ModelMultipleChoiceField(
        label="Đơn vị phối hợp",
        queryset=Organization.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Mặt trận, các đoàn thể cùng tổ chức (giữ Ctrl để chọn nhiều).",
    )
    starts_at = datetime_field("Thời gian")

    class Meta:
        model = Dialogue
        fields = ["title", "organizer", "area", "chair_role", "chair_name", "starts_at"]
        fields += ["place", "audience", "audience_note", "topics", "cohosts"]
        widgets = {"topics": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organizer"]
        field.queryset = managed_bodies(user)
        field = self.fields["area"]
        field.queryset = dialogue_areas(user)
        field = self.fields["cohosts"]  # the bodies in force of those units
        field.queryset = (
            Organization.objects.current()
            .filter(area__in=dialogue_areas(user))
            .select_related("area")
            .order_by("path")
        )
        for name in ("title", "chair_name", "place", "topics"):
            self.fields[name].error_messages["required"] = (
                f"Hãy ghi {self.fields[name].label.lower()}."  # type: ignore[union-attr]
            )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Lý do hủy (hiện trên thông báo công khai)",
        max_length=300,
        error_messages={"required": "Hãy ghi lý do hủy."},
    )


class OutcomeForm(forms.Form):
    attendance = forms.IntegerField(
        label="Số người dự",
        min_value=1,
        max_value=100000,
        error_messages={
            "required": "Hãy ghi số người dự.",
            "min_value": "Số người dự phải từ 1 trở lên.",
            "max_value": "Số người dự quá lớn; hãy kiểm tra lại.",
            "invalid": "Số người dự phải là một số.",
        },
    )
    groups_present = forms.CharField(
        label="Thành phần tham dự",
        max_length=500,
        required=False,
        help_text="Ví dụ: hộ dân ấp Phụng Thạnh, chức sắc tôn giáo, đại diện doanh nghiệp.",
    )
    minutes = forms.CharField(
        label="Biên bản, kết luận",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Hãy ghi biên bản hoặc kết luận buổi đối thoại."},
    )


# --- Petitions ------------------------------------------------------------------------


def field_choice() -> forms.ChoiceField:
    """The field (lĩnh vực) of a petition, to be chosen."""
    return forms.ChoiceField(
        label="Lĩnh vực",
        choices=[("", "— Chọn lĩnh vực —"), *Field.choices],
        error_messages={"required": "Hãy chọn lĩnh vực."},
    )


class PetitionForm(forms.Form):
    """A petition recorded by staff (a dialogue, a communicator, a survey's
    written answer, an opinion report, the reception desk)."""

    content = forms.CharField(
        label="Nội dung kiến nghị, phản ánh",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Hãy ghi nội dung kiến nghị."},
    )
    field = field_choice()
    area = AreaChoiceField(
        label="Địa bàn",
        queryset=Area.objects.none(),
        error_messages={"required": "Hãy chọn địa bàn.", "invalid_choice": "Hãy chọn địa bàn."},
    )
    source = forms.ChoiceField(
        label="Nguồn",
        choices=[(v, label) for v, label in Source.choices if v != Source.CITIZEN],
    )
    source_note = forms.CharField(
        label="Ghi chú nguồn",
        max_length=300,
        required=False,
        help_text="Ví dụ: phiếu khảo sát số 125; báo cáo dư luận tháng 11 của ấp Tân Long.",
    )
    dialogue = forms.ModelChoiceField(
        label="Buổi đối thoại", queryset=Dialogue.objects.none(), required=False
    )
    raiser_name = forms.CharField(label="Người kiến nghị", max_length=200, required=False)
    raiser_phone = forms.CharField(
        label="Số điện thoại người kiến nghị",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area: Any = self.fields["area"]
        area.queryset = petition_areas(user)
        dialogue: Any = self.fields["dialogue"]
        dialogue.queryset = (
            Dialogue.objects.visible_to(user, VIEW).select_related("area").order_by("-starts_at")
        )

    def clean_raiser_phone(self) -> str:
        return typed_phone(self.cleaned_data["raiser_phone"], optional=True)


class PublicPetitionForm(GuardedForm):
    """A citizen's petition on the public site: name and phone optional."""

    content = forms.CharField(
        label="Nội dung kiến nghị, phản ánh",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Việc gì, ở đâu, từ khi nào, bạn đề nghị giải quyết thế nào.",
        error_messages={"required": "Hãy ghi nội dung kiến nghị."},
    )
    field = field_choice()
    place = PlaceField(label="Nơi xảy ra (xã, ấp)")
    raiser_name = forms.CharField(label="Họ tên (không bắt buộc)", max_length=200, required=False)
    raiser_phone = forms.CharField(
        label="Số điện thoại (không bắt buộc)",
        max_length=20,
        required=False,
        help_text="Để cán bộ liên hệ khi cần làm rõ; không bao giờ công khai.",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label="Tôi đồng ý để cơ quan tiếp nhận lưu nội dung và thông tin liên hệ (nếu có) "
        "để xử lý kiến nghị này.",
        error_messages={"required": "Cần bạn đồng ý thì mới gửi được."},
    )

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        place: Any = self.fields["place"]
        place.offer(areas)

    def clean_raiser_phone(self) -> str:
        return typed_phone(self.cleaned_data["raiser_phone"], optional=True)


class TrackForm(forms.Form):
    code = forms.CharField(
        label="Mã tra cứu",
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        error_messages={"required": "Hãy nhập mã tra cứu."},
    )


def agencies_for(area: Area) -> Any:
    """The bodies in force a petition about `area` may be assigned to: those of
    its unit and of every unit above it (a commune's People's Committee, the
    province's departments and bodies)."""
    above = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return (
        Organization.objects.current()
        .filter(Q(area__path__in=above))
        .select_related("area")
        .order_by("path")
    )


class MoveForm(forms.Form):
    """The fields of one petition action (`petitions.MOVES`): assign asks for
    the agency and the deadline, answer for the answer, return for the reason,
    reopen for a note."""

    agency = OrganizationChoiceField(
        label="Cơ quan giải quyết", queryset=Organization.objects.none(), required=False
    )
    deadline = forms.DateField(label="Hạn trả lời", widget=DATE_WIDGET, required=False)
    answer = forms.CharField(
        label="Nội dung trả lời (công khai với người tra cứu)",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    reason = forms.CharField(
        label="Lý do trả lại (công khai với người tra cứu)", max_length=500, required=False
    )
    note = forms.CharField(
        label="Ghi chú nội bộ", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    FIELDS = {
        "assign": ("agency", "deadline", "note"),
        "answer": ("answer", "note"),
        "close": ("note",),
        "reopen": ("note",),
        "return": ("reason", "note"),
    }

    def __init__(self, *args: Any, action: str, petition: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.FIELDS[action]:
                del self.fields[name]
        if "agency" in self.fields:
            agency: Any = self.fields["agency"]
            agency.queryset = agencies_for(petition.area)
            agency.error_messages["invalid_choice"] = "Hãy chọn cơ quan trong danh sách."


class PetitionFilterForm(forms.Form):
    q = forms.CharField(label="Tìm (mã, nội dung)", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Trạng thái", required=False, choices=[("", "Tất cả"), *PetitionStatus.choices]
    )
    field = forms.ChoiceField(
        label="Lĩnh vực", required=False, choices=[("", "Tất cả"), *Field.choices]
    )
    source = forms.ChoiceField(
        label="Nguồn", required=False, choices=[("", "Tất cả"), *Source.choices]
    )
    han = forms.ChoiceField(
        label="Hạn",
        required=False,
        choices=[("", "Tất cả"), ("late", "Quá hạn"), ("soon", "Sắp đến hạn")],
    )
    tu = forms.DateField(label="Tiếp nhận từ ngày", required=False, widget=DATE_WIDGET)
    den = forms.DateField(label="đến ngày", required=False, widget=DATE_WIDGET)
