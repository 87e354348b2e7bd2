"""Forms of public-opinion reports and of the hot-issues page. Choice fields are
built from querysets already limited to the user's scope, so an out-of-scope
unit is simply "not a valid choice"."""

from __future__ import annotations

from typing import Any

from django import forms

from danvan.core.models import Area, Period
from danvan.surveys import opinion
from danvan.surveys.models import Field, OpinionReport, ReportStatus

TOPIC_LIST_ID = "goi-y-van-de"  # the <datalist> of topics already reported


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.unit_type})" if obj.unit_type else str(obj.name)


class PeriodChoiceField(forms.ModelChoiceField):
    """A reporting period, the latest first, shown by its name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Period.objects.latest_first(), **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ReportForm(forms.ModelForm):
    """What a collaborator writes: where, when, what people say, how they feel."""

    period = PeriodChoiceField(label="Kỳ báo cáo", empty_label="— Chọn kỳ —")
    area = UnitChoiceField(
        label="Địa bàn", queryset=Area.objects.none(), empty_label="— Chọn địa bàn —"
    )

    class Meta:
        model = OpinionReport
        fields = opinion.EDITABLE_FIELDS
        widgets = {
            "what_people_say": forms.Textarea(attrs={"rows": 6}),
            "proposals": forms.Textarea(attrs={"rows": 4}),
            "mood": forms.RadioSelect,
            "spread": forms.RadioSelect,
        }
        help_texts = {
            "topic": "Tên ngắn gọn của vấn đề (ví dụ: “Sạt lở bờ sông Cái Côn”). Nếu vấn đề "
            "đã có người báo cáo, hãy chọn đúng tên trong danh sách gợi ý khi gõ, để các báo "
            "cáo cùng vấn đề được gộp lại.",
            "what_people_say": "Nhân dân nói gì, ở đâu, bao nhiêu người; ghi trung thực, "
            "không ghi tên người nêu ý kiến.",
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area: Any = self.fields["area"]
        area.queryset = opinion.reporter_areas(user).order_by("path")
        self.fields["topic"].widget.attrs.update(
            {"maxlength": 200, "list": TOPIC_LIST_ID, "autocomplete": "off"}
        )
        field_choice: Any = self.fields["field"]
        field_choice.choices = [("", "— Chọn lĩnh vực —"), *Field.choices]
        for name in ("mood", "spread"):
            choice: Any = self.fields[name]
            choice.choices = [c for c in choice.choices if c[0]]
        if not self.instance.pk and not self.is_bound:
            latest = Period.objects.latest_first().first()
            if latest is not None:
                self.initial.setdefault("period", latest.pk)
            # The unit the reporter holds their role on, when there is one.
            top = list(area.queryset.order_by("depth", "path")[:2])
            if len(top) == 1 or (len(top) == 2 and top[0].depth < top[1].depth):
                self.initial.setdefault("area", top[0].pk)

    def clean_topic(self) -> str:
        topic = " ".join(str(self.cleaned_data["topic"]).split())
        if len(topic) < 3:
            raise forms.ValidationError("Tên vấn đề quá ngắn.")
        return topic


class ReportFilterForm(forms.Form):
    ky = PeriodChoiceField(label="Kỳ báo cáo", required=False, empty_label="Mọi kỳ")
    dia_ban = forms.TypedChoiceField(
        label="Địa bàn",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Gồm cả các ấp, khu vực của địa bàn và các đơn vị cũ đã sáp nhập vào.",
    )
    linh_vuc = forms.ChoiceField(
        label="Lĩnh vực", required=False, choices=[("", "Mọi lĩnh vực"), *Field.choices]
    )
    trang_thai = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Tất cả"), *ReportStatus.choices],
    )
    tim = forms.CharField(label="Tìm theo vấn đề", required=False, max_length=100)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dia_ban: Any = self.fields["dia_ban"]
        dia_ban.choices = [("", "Mọi địa bàn"), *opinion.area_choices(opinion.scope_areas(user))]


class HotIssuesForm(forms.Form):
    ky = PeriodChoiceField(label="Kỳ báo cáo", empty_label=None, required=False)
    dia_ban = forms.TypedChoiceField(label="Địa bàn", coerce=int, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dia_ban: Any = self.fields["dia_ban"]
        dia_ban.choices = opinion.area_choices(opinion.scope_areas(user))


class MergeTopicsForm(forms.Form):
    """The issue another one is merged into (an issue of the same period and unit)."""

    vao = forms.ChoiceField(
        label="Gộp vào vấn đề",
        error_messages={
            "required": "Hãy chọn vấn đề để gộp vào.",
            "invalid_choice": "Vấn đề đã chọn không có trong kỳ báo cáo này.",
        },
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vao: Any = self.fields["vao"]
        vao.choices = [("", "— Chọn vấn đề —"), *choices]


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label="Nội dung theo dõi, xử lý",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Đã báo cáo cấp ủy, chuyển cơ quan nào, kết quả giải quyết, việc còn phải làm.",
    )

    def clean_note(self) -> str:
        note = str(self.cleaned_data["note"]).strip()
        if not note:
            raise forms.ValidationError("Nhập nội dung theo dõi, xử lý.")
        return note
