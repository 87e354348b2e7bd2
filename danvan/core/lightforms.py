"""Forms whose fields are cheap to copy, for the forms of a hot path.

Every Django form copies its class's fields when it is made
(`copy.deepcopy(self.base_fields)`), so that an instance may change its own
(a label, a queryset, a widget's attributes) without touching the class. The
copy goes through `copy.deepcopy` and `copy.copy` for each field and widget:
about 50 Python calls a plain field and 260 a choice field, so a form of
eight fields spends some 900 calls a request before it reads anything.

`light_copies(form_class)` keeps the same copy, done directly: each field and
its widget copied as their `__deepcopy__` does (a new object with the same
attributes; its own widget attributes, error messages, validators and list of
choices). The pairs in a list of choices are shared: pairs of text, which a
deep copy returns as they are too (a group's inner list of choices would be
shared as well: change a field's choices by setting them, never in place).
Only the fields and widgets whose classes copy themselves as Django's base
classes do get this; any other (a `ModelChoiceField`, which clones its
queryset, a `MultiValueField` with its subfields, a field of ours with a
`__deepcopy__` of its own) is deep-copied as before.

    @light_copies
    class BriefingForm(forms.ModelForm): ...

`SharedChoicesRows`, a formset base, lists the choices of its rows' choice
fields once for all rows: ten empty rows, each offering the same bodies, make
one query, not ten. Their selects (`ListedSelect`) write the options' HTML
once too, and each row's select from it: a template for each option of each
row was most of a province's briefing page (15 rows of a hundred bodies).
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from django import forms
from django.forms.widgets import ChoiceWidget, Widget
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

_PLAIN_FIELDS = (forms.Field.__deepcopy__, forms.ChoiceField.__deepcopy__)
_PLAIN_WIDGETS = (Widget.__deepcopy__, ChoiceWidget.__deepcopy__)

F = TypeVar("F", bound=type[forms.BaseForm])


def clone(obj: Any) -> Any:
    """A new object of `obj`'s class with the same attributes (what `copy.copy`
    makes of a field or a widget, without its generic machinery)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


def copy_field(field: forms.Field, memo: dict[int, Any] | None = None) -> forms.Field:
    """`field` copied as `copy.deepcopy` copies it, directly when its class and
    its widget's copy themselves as Django's base classes do."""
    cls_copy = type(field).__deepcopy__
    widget_copy = type(field.widget).__deepcopy__
    if cls_copy not in _PLAIN_FIELDS or widget_copy not in _PLAIN_WIDGETS:
        return copy.deepcopy(field, {} if memo is None else memo)
    result = clone(field)
    widget = result.widget = clone(field.widget)
    widget.attrs = field.widget.attrs.copy()
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    if isinstance(widget, ChoiceWidget):
        widget.choices = copy.copy(field.widget.choices)  # type: ignore[attr-defined]
    if isinstance(field, forms.ChoiceField):
        result._choices = copy.copy(field._choices)  # type: ignore[attr-defined]
    return result


class LightFields(dict[str, forms.Field]):
    """A form class's fields, whose deep copy (made by each form's `__init__`)
    copies each field with `copy_field`."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return {name: copy_field(field, memo) for name, field in self.items()}


def light_copies(form_class: F) -> F:
    """Decorate a form class: its instances copy their fields with `copy_field`."""
    form_class.base_fields = LightFields(form_class.base_fields)  # type: ignore[attr-defined]
    return form_class


class ListedOnce(BaseChoiceIterator):
    """The pairs of `choices` (flat: no groups), listed on the first use and
    then reused."""

    def __init__(self, choices: Any) -> None:
        self.choices = choices
        self.listed: list[Any] | None = None
        self.written: list[tuple[str, str, str]] | None = None

    def __iter__(self) -> Any:
        if self.listed is None:
            self.listed = list(self.choices)
        return iter(self.listed)

    def options(self) -> list[tuple[str, str, str]]:
        """For each pair, written once: its value as text, and its option's
        HTML before and after where a `selected` would stand."""
        if self.written is None:
            self.written = [
                (
                    str(v),
                    f'<option value="{escape(str(v))}"',
                    f">{conditional_escape(label)}</option>",
                )
                for v, label in self
            ]
        return self.written


class ListedSelect(forms.Select):
    """A select whose options, a `ListedOnce` shared by the rows of a
    formset, are written as HTML once for all rows; each row's select marks
    its own value selected. The same HTML as `Select`'s templates (tested
    against them), without a template for each option. Any other choices are
    rendered by `Select` itself."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        listed = self.choices
        if not isinstance(listed, ListedOnce):
            return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        parts = [f'<select name="{escape(name)}"{_attrs(self.build_attrs(self.attrs, attrs))}>']
        found = False
        for key, head, tail in listed.options():
            mark = ""
            if not found and key in chosen:  # the first match only, as `Select` does
                found, mark = True, " selected"
            parts.append(f"\n  {head}{mark}{tail}\n")  # (the option template ends in a newline)
        parts.append("\n</select>")
        return mark_safe("".join(parts))


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's `attrs.html`: a true value as the bare name, a false one left out."""
    return "".join(
        f" {escape(k)}" if v is True else f' {escape(k)}="{escape(str(v))}"'
        for k, v in attrs.items()
        if v is not False
    )


class SharedChoicesRows(forms.BaseFormSet):
    """A formset whose rows offer the same choices in the fields named in
    `shared_choices` (their querysets are one, set by the form's `__init__`):
    the first row's choices are listed once, when first shown, and every row's
    widget shows that list, each with its own value selected. Checking a row's
    value still goes through its field (its queryset), not the list."""

    shared_choices: tuple[str, ...] = ()

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form: forms.Form = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        listed = self.__dict__.setdefault("_listed", {})
        for name in self.shared_choices:
            field = form.fields[name]
            if name not in listed:
                listed[name] = ListedOnce(field.choices)  # type: ignore[attr-defined]
            field.widget.choices = listed[name]  # type: ignore[attr-defined]
        return form
