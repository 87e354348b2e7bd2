"""Form fields shared by the staff forms of every app.

Choice fields show units and organisations the same way everywhere; the form
gives them a queryset already limited to the user's scope (`visible_to(...)`),
so an id outside it is simply "not a valid choice". Dates and times are typed
in Việt Nam time (TIME_ZONE) through the browser's own picker.
"""

from __future__ import annotations

from typing import Any

from django import forms

DT_FORMAT = "%Y-%m-%dT%H:%M"
DT_INPUT_FORMATS = [DT_FORMAT, "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S"]


class AreaChoiceField(forms.ModelChoiceField):
    """A unit: "Xã Phụng Hiệp — 31471", marked when it no longer operates."""

    def label_from_instance(self, obj: Any) -> str:
        ended = "" if obj.valid_to is None else " (đã ngừng hoạt động)"
        return f"{obj.name} — {obj.code}{ended}"


class OrganizationChoiceField(forms.ModelChoiceField):
    """An organisation with its unit: "Hội LHPN xã — Xã Phụng Hiệp" (select_related("area"))."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} — {obj.area.name}"


class DateTimeLocalInput(forms.DateTimeInput):
    """<input type="datetime-local">, shown and read in Asia/Ho_Chi_Minh (TIME_ZONE)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DT_FORMAT)


def datetime_field(label: str, **kwargs: Any) -> forms.DateTimeField:
    """A date and time typed in the browser's picker (or as dd/mm/yyyy hh:mm)."""
    return forms.DateTimeField(
        label=label,
        widget=DateTimeLocalInput(),
        input_formats=DT_INPUT_FORMATS,
        error_messages={"invalid": "Nhập ngày giờ hợp lệ (ngày/tháng/năm giờ:phút)."},
        **kwargs,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files from one <input type="file" multiple>, at most `max_count`:
    the uploads as a list (empty when none was chosen and none is required).
    What each file is (danvan.core.images.check_images) is checked by the
    view, after its rate limits, so a refused request decodes nothing."""

    def __init__(self, *args: Any, max_count: int, accept: str = "", **kwargs: Any) -> None:
        self.max_count = max_count
        attrs = {"accept": accept} if accept else {}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_count:
            raise forms.ValidationError(
                f"Chọn tối đa {self.max_count} tệp (bạn đã chọn {len(files)}).",
                code="too_many_files",
            )
        # Each file on its own (an empty one...), named by its place and name
        # ("Tệp 2 (rong.jpg): ..."): among several, the person must know which.
        cleaned: list[Any] = []
        errors: list[forms.ValidationError] = []
        for n, upload in enumerate(files, start=1):
            try:
                cleaned.append(super().clean(upload, initial))
            except forms.ValidationError as error:
                name = str(getattr(upload, "name", "") or "")[:60]
                label = f"Tệp {n} ({name})" if name else f"Tệp {n}"
                errors.extend(
                    forms.ValidationError(f"{label}: {message}", code=error.code)
                    for message in error.messages
                )
        if errors:
            raise forms.ValidationError(errors)
        return cleaned
