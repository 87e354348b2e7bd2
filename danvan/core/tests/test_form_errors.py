"""The one error box of public and staff forms (templates/_form_errors.html)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    name = forms.CharField(label="Họ tên")
    xa = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if data is not None and data.get("name") == "trùng":
            raise forms.ValidationError("Tên này đã có.")
        return data


def _box(template: str, data: dict | None, **context: object) -> str:
    return render_to_string(template, {"form": _Form(data), **context})


def test_nothing_for_an_unbound_or_valid_form() -> None:
    for template in ("staff/_form_errors.html", "public/_form_errors.html"):
        assert "message-error" not in _box(template, None)
        assert "message-error" not in _box(template, {"name": "An"})


def test_visible_field_errors_point_to_the_fields_with_each_side_s_summary() -> None:
    staff = _box("staff/_form_errors.html", {"name": ""})
    public = _box("public/_form_errors.html", {"name": ""})
    named = _box("public/_form_errors.html", {"name": ""}, summary="Chưa đăng ký được.")
    assert "Chưa lưu được." in staff and "Chưa gửi được." not in staff
    assert "Chưa gửi được." in public and "Chưa lưu được." not in public
    assert "Chưa đăng ký được." in named and "Chưa gửi được." not in named
    for box in (staff, public, named):
        assert 'role="alert"' in box
        assert "Vui lòng kiểm tra lại các ô được đánh dấu lỗi bên dưới." in box


def test_non_field_errors_are_shown_instead_of_the_pointer() -> None:
    for template in ("staff/_form_errors.html", "public/_form_errors.html"):
        box = _box(template, {"name": "trùng"})
        assert "Tên này đã có." in box
        assert "Vui lòng kiểm tra lại" not in box


def test_a_hidden_field_s_error_is_shown_since_no_field_shows_it() -> None:
    for template in ("staff/_form_errors.html", "public/_form_errors.html"):
        box = _box(template, {"name": "An", "xa": "abc"})
        error = _Form({"name": "An", "xa": "abc"}).errors["xa"][0]
        assert error in box
