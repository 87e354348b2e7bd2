"""Staff forms of a briefing: the briefing, its attendance rows per body and
its people listed by name. The bodies a reader may choose are kept in the
process per scope (`scoped`, `kept_bodies`), so that a page of rows looks
them up once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone

from danvan.core.cache import LocalCache
from danvan.core.fields import OrganizationChoiceField
from danvan.core.forms import (
    DATE_WIDGET,
    XlsxImportForm,
    managed_bodies,
    typed_phone,
    xlsx_template_field,
)
from danvan.core.lightforms import ListedSelect, SharedChoicesRows, clone, light_copies
from danvan.core.models import Area, AreaKind, Organization
from danvan.core.organised_forms import form_field
from danvan.plans.briefings import Named
from danvan.plans.models import Briefing, Gender, Plan
from danvan.plans.models.plans import readable_plans, readers_key


def of_unit(unit: Area) -> Q:
    """The bodies of `unit`: a commune's own and its hamlets'; a province's
    own only (its communes are chosen each on its own)."""
    if unit.kind == AreaKind.COMMUNE:
        return Q(area__path__startswith=unit.path)
    return Q(area__path=unit.path)


def unit_and_above(unit: Area) -> Q:
    """The bodies of `unit` (`of_unit`) and of the units above it (a
    provincial union may hold a briefing in a commune)."""
    steps = range(Area.steplen, len(unit.path), Area.steplen)
    return of_unit(unit) | Q(area__path__in=[unit.path[:n] for n in steps])


class _Kept(forms.ModelChoiceField):
    """A choice looked up in `kept` (pk -> object: the rows of the queryset,
    fetched or kept by the caller) when given, else in the queryset; a pk not
    there (unknown, out of scope) is an invalid choice either way."""

    kept: dict[int, Any] | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        """Light to copy (every form, and every attendance row, copies it):
        its queryset is not cloned, as the form sets its own in `__init__`
        (`BriefingForm`, `AttendanceRow`)."""
        result = clone(self)
        memo[id(self)] = result
        result.widget = clone(self.widget)
        result.widget.attrs = self.widget.attrs.copy()
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        result.widget.choices = result.choices  # (an iterator over result's queryset)
        return result

    def take(self, queryset: Any) -> None:
        """Choose from `queryset` as it is, not cloned as the `queryset`
        setter does: the caller's own (`scoped` gives each call its clone), or
        one shared by the rows of a formset (a look-up clones it; the rows'
        choices are listed once for all of them by `SharedChoicesRows`)."""
        self._queryset = queryset
        self.widget.choices = self.choices  # type: ignore[attr-defined]

    def to_python(self, value: Any) -> Any:
        if self.kept is None or value in self.empty_values:
            return super().to_python(value)
        text = str(value)
        found = self.kept.get(int(text)) if text.isascii() and text.isdigit() else None
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


_QUERYSETS = LocalCache(ttl=300, size=256)


def scoped(readers: Any, name: str, build: Callable[[], Any]) -> Any:
    """The queryset `build()` returns (named `name`, decided by the reader's
    scope and the day only), built once a day per scope and kept in the
    process under `readers` (`readers_key`); each call gets its own clone, the
    kept one is never evaluated. Without `readers` (no shared cache), built
    each time."""
    if readers is None:
        return build()
    key = (name, readers, timezone.localdate())
    kept = _QUERYSETS.get(key)
    if kept is None:
        kept = build()
        _QUERYSETS.set(key, kept)
    return kept.all()


_CHOOSABLE = LocalCache(ttl=300, size=256)
KEPT_BODIES = 2000
"""At most this many bodies a scope may choose are kept (a commune's; a
province's ten thousand are looked up by query)."""


def kept_bodies(readers: Any, name: str, bodies: Any) -> dict[int, Organization] | None:
    """The rows of `bodies` (a queryset of the bodies a reader may choose,
    named `name`, decided by the reader's scope only) by pk, kept in the
    process under `readers` (`readers_key`: it holds the scope version, which
    every write of a body, a unit or a role replaces, and the reader's scope);
    None when not kept: no shared cache (`readers` None), or more than
    `KEPT_BODIES`. The bodies are shared: read them, never change them."""
    if readers is None:
        return None
    key = (name, readers)
    kept: tuple[dict[int, Organization] | None] | None = _CHOOSABLE.get(key)
    if kept is None:
        rows = list(bodies[: KEPT_BODIES + 1])
        kept = ({body.pk: body for body in rows} if len(rows) <= KEPT_BODIES else None,)
        _CHOOSABLE.set(key, kept)
    return kept[0]


class _KeptBody(OrganizationChoiceField, _Kept):
    """A body looked up in `kept` when given, else in the queryset."""


@light_copies
class BriefingForm(forms.ModelForm):
    organization = _KeptBody(label="Đơn vị tổ chức", queryset=Organization.objects.none())
    confirmed = forms.BooleanField(
        label="Tôi đã kiểm tra: số người dự đúng dù nhiều hơn số hội viên của kỳ",
        required=False,
    )

    class Meta:
        model = Briefing
        fields = ["organization", "plan", "topic", "held_on", "place", "format", "audience"]
        widgets = {"held_on": DATE_WIDGET}
        field_classes = {"plan": _Kept}

    def __init__(
        self, *args: Any, user: Any, unit: Area | None = None, readers: Any = ..., **kwargs: Any
    ) -> None:
        """`unit`: the unit chosen first (a province's officer): the bodies
        offered are that unit's and those above it. `readers`: the user's
        `readers_key`, when the caller has read it."""
        super().__init__(*args, **kwargs)
        self.readers = readers_key(user) if readers is ... else readers  # (None: nothing kept)
        managed = scoped(self.readers, "managed", lambda: managed_bodies(user))
        if unit is not None:
            managed = managed.filter(unit_and_above(unit))
        body = self.fields["organization"]
        assert isinstance(body, _KeptBody)
        body.take(managed)
        name = f"managed:{getattr(unit, 'pk', '')}"
        body.kept = kept_bodies(self.readers, name, managed)  # no look-up a request
        readable = readable_plans(user, self.readers)  # nor a scope test of the plans
        field = self.fields["plan"]
        assert isinstance(field, _Kept)
        field.take(
            scoped(
                self.readers,
                "plans",
                lambda: (
                    Plan.objects.visible_to(user)
                    if readable is None
                    else Plan.objects.filter(pk__in=list(readable))
                ),
            )
        )
        field.kept = readable
        field.required = False
        form_field(self, "plan").label_from_instance = lambda p: f"{p.number}: {p.title[:80]}"

    def _get_validation_exclusions(self) -> set[str]:
        """The body and the plan were found by their fields, in the user's
        scope: the model's check that they exist (a query each) is not repeated."""
        base: Any = super()  # (a private hook of ModelForm the stubs do not declare)
        return {*base._get_validation_exclusions(), "organization", "plan"}


class _KnownBody(_KeptBody):
    """A body looked up in `known` (the bodies of all the rows, fetched with
    one query by `BaseAttendanceRows`) when given, else in the queryset."""


MAX_ATTENDEES = 100_000
"""A row's count above this is a typing mistake (and would not fit the column)."""


class AttendanceRow(forms.Form):
    organization = _KnownBody(
        label="Chi hội, đoàn thể",
        queryset=Organization.objects.none(),
        required=False,
        widget=ListedSelect,
    )
    attendees = forms.IntegerField(
        label="Số người dự",
        min_value=1,
        max_value=MAX_ATTENDEES,
        required=False,
        error_messages={
            "invalid": "Số người dự phải là một số nguyên, ví dụ 25.",
            "min_value": "Số người dự phải lớn hơn 0.",
            "max_value": "Số người dự không quá 100.000.",
        },
    )

    def __init__(
        self, *args: Any, bodies: Any = None, known: dict[int, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, _KnownBody)
        if bodies is not None:
            field.take(bodies)  # (shared by the rows, not cloned for each)
        field.kept = known

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("organization") and not data.get("attendees"):
            self.add_error("attendees", "Hãy ghi số người dự.")
        if data.get("attendees") and not data.get("organization"):
            self.add_error("organization", "Hãy chọn chi hội, đoàn thể.")
        return data


class BaseAttendanceRows(SharedChoicesRows):
    """Bound to a POST, the rows' bodies are looked up in `known` when given
    (the bodies kept for the reader's scope: `kept_bodies` of `bodies`), else
    fetched from their queryset (`bodies`) with one query for all rows, not
    one a row. Shown, the bodies are listed once for all rows."""

    shared_choices = ("organization",)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs(index)
        bodies = kwargs.get("bodies")
        if (
            self.is_bound
            and bodies is not None
            and index is not None
            and kwargs.get("known") is None
        ):
            known = getattr(self, "_known", None)
            if known is None:
                pks = set()
                for i in range(self.total_form_count()):
                    value = str(self.data.get(f"{self.add_prefix(i)}-organization", ""))
                    if value.isascii() and value.isdigit():
                        pks.add(int(value))
                known = {body.pk: body for body in bodies.filter(pk__in=pks)} if pks else {}
                self._known = known
            kwargs["known"] = known
        return kwargs


AttendanceRows = forms.formset_factory(
    AttendanceRow, formset=BaseAttendanceRows, extra=10, max_num=60, validate_max=True
)


ROWS_PREFIX = "nguoi-du"


def attendance_from(
    data: Any, found: Callable[[set[int]], dict[int, Organization]]
) -> list[tuple[Organization, int]] | None:
    """The attendance rows of a POST (`AttendanceRows`, prefix `ROWS_PREFIX`)
    read straight from it when every row is plainly right: (body, count) for
    each filled row, in order, the bodies by pk from `found` (the bodies the
    user may choose, among the pks asked). None when any row needs the
    formset's message (a count not a whole number in range, a body not
    offered, half a row, too many rows): the formset then checks and shows
    them. The same rows as the formset's, without a form for each."""
    total = str(data.get(f"{ROWS_PREFIX}-TOTAL_FORMS", ""))
    if not (total.isascii() and total.isdigit()) or int(total) > AttendanceRows.max_num:
        return None
    pairs = []
    for i in range(int(total)):
        body = str(data.get(f"{ROWS_PREFIX}-{i}-organization", ""))
        count = str(data.get(f"{ROWS_PREFIX}-{i}-attendees", "")).strip()
        if not body and not count:
            continue  # an empty row, as the formset skips it
        if not (body.isascii() and body.isdigit() and count.isascii() and count.isdigit()):
            return None
        if not 1 <= int(count) <= MAX_ATTENDEES:
            return None
        pairs.append((int(body), int(count)))
    bodies = found({pk for pk, _n in pairs}) if pairs else {}
    if any(pk not in bodies for pk, _n in pairs):
        return None
    return [(bodies[pk], n) for pk, n in pairs]


class NamedRow(forms.Form):
    """One person at a briefing, listed by name (an empty row is skipped)."""

    full_name = forms.CharField(label="Họ và tên", max_length=150, required=False)
    organization = OrganizationChoiceField(
        label="Chi hội, đoàn thể",
        queryset=Organization.objects.none(),
        required=False,
        widget=ListedSelect,
    )
    gender = forms.ChoiceField(
        label="Giới tính", choices=[("", "—"), *Gender.choices], required=False
    )
    ethnicity = forms.CharField(label="Dân tộc", max_length=50, required=False)
    phone = forms.CharField(label="Điện thoại", max_length=20, required=False)

    def __init__(self, *args: Any, bodies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            form_field(self, "organization").queryset = bodies

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_phone(self) -> str:
        return typed_phone(self.cleaned_data["phone"], optional=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        other = any(data.get(n) for n in ("organization", "gender", "ethnicity", "phone"))
        if other and not data.get("full_name") and not self.has_error("full_name"):
            self.add_error("full_name", "Hãy ghi họ và tên.")
        if data.get("full_name") and not data.get("organization"):
            self.add_error("organization", "Hãy chọn chi hội, đoàn thể.")
        return data

    def named(self) -> Named | None:
        data = self.cleaned_data
        if not data.get("full_name") or not data.get("organization"):
            return None
        return Named(
            full_name=data["full_name"],
            organization=data["organization"],
            gender=data.get("gender", ""),
            ethnicity=data.get("ethnicity", "").strip(),
            phone=data.get("phone", ""),
        )


class BaseNamedRows(SharedChoicesRows):
    """Named rows whose bodies are listed once for all rows when shown."""

    shared_choices = ("organization",)


NamedRows = forms.formset_factory(
    NamedRow, formset=BaseNamedRows, extra=5, max_num=100, validate_max=True
)
MoreNamedRows = forms.formset_factory(
    NamedRow, formset=BaseNamedRows, extra=10, max_num=100, validate_max=True
)


def named_from(rows: Any) -> list[Named]:
    """The people of a valid `NamedRows` formset, empty rows left out."""
    return [n for n in (row.named() for row in rows) if n is not None]


class AttendeeImportForm(XlsxImportForm):
    file = xlsx_template_field(
        "Dùng file mẫu: mỗi dòng một người. Nếu có dòng lỗi, không dòng nào được nhập."
    )
