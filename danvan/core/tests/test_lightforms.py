"""Forms whose fields are copied directly (core.lightforms): each form still gets
fields of its own, and behaves as the same form copied by Django."""

from __future__ import annotations

import copy
import re
from unittest import mock

import pytest
from django import forms

from danvan.core.lightforms import (
    LightFields,
    ListedSelect,
    SharedChoicesRows,
    copy_field,
    light_copies,
)
from danvan.core.models import Area

KINDS = [("a", "Ấp"), ("k", "Khóm"), ("t", "Tổ dân phố")]


class Sample(forms.Form):
    name = forms.CharField(label="Tên", max_length=20)
    kind = forms.ChoiceField(label="Loại", choices=KINDS)
    size = forms.TypedChoiceField(choices=[("1", "Một"), ("2", "Hai")], coerce=int)
    day = forms.DateField(widget=forms.DateInput(attrs={"class": "ngay"}, format="%Y-%m-%d"))
    tags = forms.MultipleChoiceField(
        choices=KINDS, widget=forms.CheckboxSelectMultiple, required=False
    )
    area = forms.ModelChoiceField(queryset=Area.objects.all(), required=False)
    when = forms.SplitDateTimeField(required=False)


@light_copies
class LightSample(Sample):
    pass


DATA = {"name": "Nguyễn Văn A", "kind": "k", "size": "2", "day": "2026-12-01", "tags": ["a", "t"]}


def test_the_class_keeps_its_fields_as_light_fields() -> None:
    assert isinstance(LightSample.base_fields, LightFields)
    assert list(LightSample.base_fields) == list(Sample.base_fields)
    assert not isinstance(Sample.base_fields, LightFields)  # the parent is untouched


def test_each_form_has_fields_of_its_own() -> None:
    one, two = LightSample(), LightSample()
    for name in LightSample.base_fields:
        assert one.fields[name] is not two.fields[name]
        assert one.fields[name] is not LightSample.base_fields[name]
        assert one.fields[name].widget is not two.fields[name].widget
    one.fields["name"].label = "Họ và tên"
    one.fields["name"].widget.attrs["placeholder"] = "gõ tên"
    one.fields["name"].error_messages["required"] = "Hãy nhập tên."
    one.fields["name"].validators.append(lambda value: None)
    one.fields["kind"].choices = [("x", "Khác")]
    one.fields["tags"].choices.append(("x", "Khác"))
    one.fields["day"].widget.attrs["max"] = "2026-12-31"
    for form in (two, LightSample()):
        assert form.fields["name"].label == "Tên"
        assert "placeholder" not in form.fields["name"].widget.attrs
        assert form.fields["name"].error_messages["required"] != "Hãy nhập tên."
        assert len(form.fields["name"].validators) == len(Sample.base_fields["name"].validators)
        assert list(form.fields["kind"].choices) == KINDS
        assert list(form.fields["kind"].widget.choices) == KINDS
        assert list(form.fields["tags"].choices) == KINDS
        assert form.fields["day"].widget.attrs == {"class": "ngay"}
    assert list(one.fields["kind"].widget.choices) == [("x", "Khác")]


@pytest.mark.django_db
def test_a_light_form_behaves_as_the_same_form_copied_by_django() -> None:
    light, plain = LightSample(DATA), Sample(DATA)
    assert light.is_valid() and plain.is_valid(), (light.errors, plain.errors)
    assert light.cleaned_data == plain.cleaned_data
    assert light.cleaned_data["size"] == 2
    assert str(light) == str(plain)
    bad = {**DATA, "kind": "z", "name": ""}
    light, plain = LightSample(bad), Sample(bad)
    assert not light.is_valid()
    assert light.errors == plain.errors
    assert str(LightSample(initial={"kind": "t"})) == str(Sample(initial={"kind": "t"}))


def test_plain_fields_are_copied_without_deepcopy_and_others_as_before() -> None:
    with mock.patch.object(copy, "deepcopy", wraps=copy.deepcopy) as deepcopy:
        form = LightSample()
    deep = {type(c.args[0]).__name__ for c in deepcopy.call_args_list}
    # Only the fields that copy themselves their own way are deep-copied.
    assert {"ModelChoiceField", "SplitDateTimeField"} <= deep
    assert not deep & {"CharField", "ChoiceField", "TypedChoiceField", "DateField"}
    assert "MultipleChoiceField" not in deep
    assert form.fields["area"].queryset is not LightSample.base_fields["area"].queryset


def test_a_field_with_a_copy_of_its_own_keeps_it() -> None:
    field = forms.ModelChoiceField(queryset=Area.objects.all())
    copied = copy_field(field)
    assert copied is not field
    assert copied.queryset is not field.queryset  # ModelChoiceField clones its queryset
    split = forms.SplitDateTimeField()
    copied_split = copy_field(split)
    assert copied_split.fields[0] is not split.fields[0]  # MultiValueField copies its parts


class Row(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *KINDS, ('<&">', 'Tổ "1" & <2>')])
    listed = forms.ChoiceField(
        choices=[("", "—"), *KINDS, ('<&">', 'Tổ "1" & <2>')], widget=ListedSelect
    )


class BaseRows(SharedChoicesRows):
    shared_choices = ("listed",)


Rows = forms.formset_factory(Row, formset=BaseRows, extra=3)


@pytest.mark.parametrize("value", ["", "k", '<&">', "unknown"])
def test_a_listed_select_writes_what_the_select_template_writes(value: str) -> None:
    """Bound or not, erring or not, with a value chosen or none: each row's
    listed select is the HTML Django's own `Select` gives for the same field."""
    data = {"r-TOTAL_FORMS": "2", "r-INITIAL_FORMS": "0"}
    data |= {"r-0-kind": value, "r-0-listed": value, "r-1-kind": "t", "r-1-listed": "t"}
    for rows in (Rows(prefix="r"), Rows(data, prefix="r")):
        rows.is_valid()
        for row in rows:
            own = re.sub(r"r-\d-kind", "F", str(row["kind"]))
            assert re.sub(r"r-\d-listed", "F", str(row["listed"])) == own


def test_the_rows_list_their_choices_once() -> None:
    """Every row shows the list the first row made: the choices are read once."""
    calls = []

    def choices() -> list[tuple[str, str]]:
        calls.append(1)
        return [("a", "Ấp"), ("k", "Khóm")]

    class Counted(forms.Form):
        listed = forms.ChoiceField(choices=choices, widget=ListedSelect)

    class CountedRows(SharedChoicesRows):
        shared_choices = ("listed",)

    rows = forms.formset_factory(Counted, formset=CountedRows, extra=5)(prefix="c")
    calls.clear()  # (the class's own field read them when made)
    html = "".join(str(row["listed"]) for row in rows)
    assert html.count('<option value="k">Khóm</option>') == 5 and len(calls) <= 1
