"""The staff form of an organised activity (core/organised.py): a contest, a
survey, and the next ones.

`OrganisedActivityForm` limits the organising body (`organization`) and the
target area (`target_area`) to what the user may manage, keeping the object's
current ones (a body the user no longer manages must not be silently replaced),
preselects the body when the user organises for one only, and makes the slug
optional: derived from the title when left empty, refused when it is not a
plain ASCII slug or is taken (`slug_field` declares it with a Vietnamese
message). A form names its model in `Meta` as usual and
says in `slug_example` and `slug_taken` what its messages show::

    class ThingForm(OrganisedActivityForm):
        slug_example = "ten-hoat-dong-2026"
        slug_taken = "Đường dẫn này đã được dùng cho hoạt động khác."

        class Meta:
            model = Thing
            fields = ["title", "slug", "organization", "target_area", ...]
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Q

from danvan.core.models import Area, AreaKind, Organization
from danvan.core.scope import MANAGE
from danvan.core.text import slug_vi

IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP"}
IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"

SLUG_LENGTH = 110
"""A derived slug's length at most (the column holds 120: room for "-99")."""


class Fieldsets:
    """A form drawn as titled groups of fields (staff/_fieldsets.html, or
    staff/_form_end.html with the submit button): `fieldset_names` lists
    (legend, field names); a name the form does not have (a field only some
    forms keep) is left out, and a group left empty too."""

    fieldset_names: ClassVar[list[tuple[str, list[str]]]] = []

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        form = cast(forms.Form, self)
        groups = [
            (legend, [form[name] for name in names if name in form.fields])
            for legend, names in self.fieldset_names
        ]
        return [(legend, fields) for legend, fields in groups if fields]


def form_field(form: forms.BaseForm, name: str) -> Any:
    """A field of the form, typed loosely so querysets, choices and widgets can be set."""
    return form.fields[name]


def checked_image(upload: Any, what: str) -> Any:
    """An uploaded image (a Django ImageField has opened it) refused when over
    2 MB or not a JPEG, PNG or WebP; `what` names it in the message ("Ảnh bìa")."""
    if isinstance(upload, UploadedFile):
        if upload.size is not None and upload.size > IMAGE_MAX_BYTES:
            raise ValidationError(f"{what} quá lớn (tối đa 2 MB).")
        image = getattr(upload, "image", None)
        if image is not None and image.format not in IMAGE_FORMATS:
            raise ValidationError(f"{what} phải là ảnh JPG, PNG hoặc WebP.")
    return upload


def slug_field(help_text: str) -> forms.CharField:
    """The optional slug of an activity's form as a plain field (the model's
    slug validator would answer in English); `clean_slug` checks it."""
    return forms.CharField(
        label="Đường dẫn",
        max_length=120,
        required=False,
        error_messages={"max_length": "Đường dẫn tối đa 120 ký tự."},
        help_text=help_text,
    )


def unique_slug(
    model: type[models.Model], base: str, fallback: str, exclude_pk: int | None = None
) -> str:
    """`base` (or `fallback`), with "-2", "-3"… until no other row of `model` has it."""
    base = base[:SLUG_LENGTH].strip("-") or fallback
    qs = model._default_manager.filter(slug__startswith=base)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    taken = set(qs.values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base}-{n}"
        n += 1
    return slug


class OrganisedActivityForm(forms.ModelForm):
    """The fields every organised activity has, limited to the user's scope."""

    slug_example: ClassVar[str] = "ten-hoat-dong"
    slug_taken: ClassVar[str] = "Đường dẫn này đã được dùng."
    slug_fallback: ClassVar[str] = "hoat-dong"
    preselect_area: ClassVar[bool] = True
    """With one body to organise for, preselect its area as the target too."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance if self.instance.pk else None
        orgs = Organization.objects.visible_to(user, MANAGE).filter(valid_to__isnull=True)
        areas = (
            Area.objects.visible_to(user)
            .filter(valid_to__isnull=True)
            .exclude(kind=AreaKind.HAMLET)
        )
        if current is not None:
            orgs = Organization.objects.filter(Q(pk__in=orgs) | Q(pk=current.organization_id))
            areas = Area.objects.filter(
                Q(pk__in=areas) | Q(pk=getattr(current, "target_area_id", None))
            )
        form_field(self, "organization").queryset = orgs.select_related("area").order_by("path")
        has_area = "target_area" in self.fields  # an activity may have no target area
        if has_area:
            form_field(self, "target_area").queryset = areas.order_by("path")
        form_field(self, "slug").required = False
        self.creating = current is None
        only = list(orgs[:2]) if not self.is_bound and current is None else []
        if len(only) == 1:
            self.initial.setdefault("organization", only[0].pk)
            if self.preselect_area and has_area:
                self.initial.setdefault("target_area", only[0].area_id)

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").strip().lower()
        model = self._meta.model
        exclude = self.instance.pk
        if not slug:
            title = slug_vi(self.cleaned_data.get("title") or "", SLUG_LENGTH)
            return unique_slug(model, title, self.slug_fallback, exclude)
        if slug != slug_vi(slug):
            raise ValidationError(
                "Đường dẫn chỉ gồm chữ thường không dấu, số và dấu gạch ngang (ví dụ: "
                f"{self.slug_example})."
            )
        if model._default_manager.filter(slug=slug).exclude(pk=exclude).exists():
            raise ValidationError(self.slug_taken)
        return slug
