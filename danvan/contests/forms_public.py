"""Forms of the public contest pages: registration, signing in again, erasure."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from danvan.contests.models import Contest, Occupation, Sex
from danvan.contests.participants import PHONE_ALONE, Registration
from danvan.core.models import Area, AreaKind, Organization, OrgKind
from danvan.core.text import vn_sort_key
from danvan.core.validators import normalize_cccd, normalize_phone, validate_cccd

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
MEMBER_BODY_KINDS = [OrgKind.WOMEN, OrgKind.FARMERS, OrgKind.YOUTH, OrgKind.VETERANS]
CHOICES_TTL = 300  # the unit tree changes rarely; five minutes of staleness is fine

REQUIRED = {
    "full_name": "Vui lòng nhập họ và tên.",
    "birth_date": "Vui lòng nhập ngày sinh.",
    "sex": "Vui lòng chọn giới tính.",
    "phone": "Vui lòng nhập số điện thoại.",
    "cccd": "Vui lòng nhập số CCCD.",
    "area": "Vui lòng chọn nơi ở (xã, phường và ấp, khu vực).",
    "occupation": "Vui lòng chọn đối tượng.",
    "consent": (
        "Bạn cần đánh dấu đồng ý cho Ban Tổ chức xử lý dữ liệu cá nhân thì mới đăng ký dự thi được."
    ),
    "access_code": "Vui lòng nhập mã dự thi.",
    "confirm": "Vui lòng đánh dấu xác nhận trước khi xóa dữ liệu.",
}
INVALID_CHOICE = "Lựa chọn không hợp lệ. Vui lòng chọn lại."


def _messages(name: str) -> dict[str, str]:
    return {"required": REQUIRED[name], "invalid_choice": INVALID_CHOICE}


# --- Choices from the unit tree (cached per contest) ---------------------------------

GroupedChoices = list[tuple[str, list[tuple[str, str]]]]


def area_choices(contest: Contest) -> GroupedChoices:
    """Current communes of the contest's area, each as an <optgroup> holding the
    commune itself ("không chọn ấp") and its hamlets, in dictionary order."""
    key = f"contests:area-choices:{contest.pk}:{contest.target_area_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    target = contest.target_area
    rows = list(
        Area.objects.current()
        .filter(path__startswith=target.path, kind__in=[AreaKind.COMMUNE, AreaKind.HAMLET])
        .values_list("pk", "path", "name", "kind")
    )
    steplen = Area.steplen
    communes = {path: (pk, name) for pk, path, name, kind in rows if kind == AreaKind.COMMUNE}
    hamlets: dict[str, list[tuple[int, str]]] = {}
    loose: list[tuple[int, str]] = []  # the target itself is a hamlet
    for pk, path, name, kind in rows:
        if kind != AreaKind.HAMLET:
            continue
        parent = path[:-steplen]
        if parent in communes:
            hamlets.setdefault(parent, []).append((pk, name))
        elif path == target.path:
            loose.append((pk, name))
    groups: GroupedChoices = []
    for path, (pk, name) in sorted(communes.items(), key=lambda item: vn_sort_key(item[1][1])):
        options = [(str(pk), f"{name} (không chọn ấp)")]
        for hpk, hname in sorted(hamlets.get(path, []), key=lambda h: vn_sort_key(h[1])):
            options.append((str(hpk), f"{hname} — {name}"))
        groups.append((name, options))
    if loose:
        groups.append((target.name, [(str(pk), name) for pk, name in loose]))
    cache.set(key, groups, CHOICES_TTL)
    return groups


def organization_choices(contest: Contest) -> list[tuple[str, str]]:
    """Current women's, farmers', youth and veterans' bodies in the contest's area."""
    key = f"contests:org-choices:{contest.pk}:{contest.target_area_id}"
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    rows = (
        Organization.objects.current()
        .filter(area__path__startswith=contest.target_area.path, kind__in=MEMBER_BODY_KINDS)
        .values_list("pk", "name")
    )
    choices = [(str(pk), name) for pk, name in sorted(rows, key=lambda r: vn_sort_key(r[1]))]
    cache.set(key, choices, CHOICES_TTL)
    return choices


# --- Field cleaning -------------------------------------------------------------------


def clean_full_name(value: str) -> str:
    name = " ".join(value.split())
    if name and name == name.lower():
        # "nguyễn thị mỹ linh" -> "Nguyễn Thị Mỹ Linh"
        name = " ".join(word[:1].upper() + word[1:] for word in name.split())
    return name


def clean_phone_value(value: str) -> str:
    return normalize_phone(value)


class TelInput(forms.TextInput):
    input_type = "tel"


class BirthDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _phone_field() -> forms.CharField:
    return forms.CharField(
        label="Số điện thoại",
        max_length=20,
        widget=TelInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages=_messages("phone"),
    )


def _cccd_field(required: bool, help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Số CCCD (căn cước công dân)",
        required=required,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages=_messages("cccd"),
    )


class RegistrationForm(forms.Form):
    full_name = forms.CharField(
        label="Họ và tên",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages=_messages("full_name"),
    )
    birth_date = forms.DateField(
        label="Ngày sinh",
        input_formats=DATE_FORMATS,
        help_text="Ví dụ: 17/05/1990.",
        widget=BirthDateInput(attrs={"autocomplete": "bday", "min": "1900-01-01"}),
        error_messages={
            **_messages("birth_date"),
            "invalid": "Ngày sinh không hợp lệ. Vui lòng nhập theo dạng ngày/tháng/năm, "
            "ví dụ 17/05/1990.",
        },
    )
    sex = forms.ChoiceField(
        label="Giới tính",
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages=_messages("sex"),
    )
    phone = _phone_field()
    cccd = _cccd_field(False, "")
    area = forms.ChoiceField(
        label="Nơi ở",
        help_text="Chọn xã, phường và ấp, khu vực nơi bạn đang sinh sống.",
        error_messages=_messages("area"),
    )
    occupation = forms.ChoiceField(
        label="Đối tượng",
        choices=[("", "— Chọn đối tượng —"), *Occupation.choices],
        error_messages=_messages("occupation"),
    )
    organization = forms.ChoiceField(
        label="Đoàn thể (nếu có)",
        required=False,
        help_text="Hội, đoàn bạn đang sinh hoạt, nếu có.",
        error_messages={"invalid_choice": INVALID_CHOICE},
    )
    consent = forms.BooleanField(
        label="Tôi đã đọc và đồng ý với nội dung xử lý dữ liệu cá nhân nêu trên.",
        error_messages=_messages("consent"),
    )

    def __init__(self, *args: Any, contest: Contest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.contest = contest
        cccd = self.fields["cccd"]
        cccd.required = contest.require_cccd
        cccd.help_text = (
            "Gồm 12 chữ số, in trên thẻ căn cước."
            if contest.require_cccd
            else "Không bắt buộc. Nếu khai, số CCCD phải khớp với ngày sinh và giới tính."
        )
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = [("", "— Chọn nơi ở —"), *area_choices(contest)]
        org = self.fields["organization"]
        assert isinstance(org, forms.ChoiceField)
        org_choices = organization_choices(contest)
        org.choices = [("", "— Không chọn —"), *org_choices]
        if not org_choices:
            del self.fields["organization"]

    def clean_full_name(self) -> str:
        name = clean_full_name(self.cleaned_data["full_name"])
        if len(name) < 2:
            raise ValidationError("Vui lòng nhập đầy đủ họ và tên.")
        return name

    def clean_birth_date(self) -> date:
        value: date = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise ValidationError("Ngày sinh không thể sau ngày hôm nay.")
        if value.year < 1900:
            raise ValidationError("Ngày sinh không hợp lệ. Vui lòng kiểm tra lại năm sinh.")
        return value

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = data.get("cccd") or ""
        if raw and "cccd" not in self.errors:
            try:
                info = validate_cccd(raw, data.get("birth_date"), data.get("sex") or None)
            except ValidationError as error:
                self.add_error("cccd", error)
            else:
                data["cccd"] = info.number
        else:
            data["cccd"] = normalize_cccd(raw)
        return data

    def registration(self) -> Registration:
        data = self.cleaned_data
        area = Area.objects.get(pk=int(data["area"]))
        org_id = data.get("organization")
        organization = Organization.objects.filter(pk=int(org_id)).first() if org_id else None
        return Registration(
            full_name=data["full_name"],
            birth_date=data["birth_date"],
            sex=data["sex"],
            phone=data["phone"],
            cccd=data["cccd"],
            area=area,
            occupation=data["occupation"],
            organization=organization,
        )


def _code_field(
    label: str, max_length: int, help_text: str, attrs: dict[str, str], errors: dict[str, str]
) -> forms.CharField:
    """A code typed by hand (never spell-checked); `attrs` for its input."""
    return forms.CharField(
        label=label,
        max_length=max_length,
        help_text=help_text,
        widget=forms.TextInput(attrs={**attrs, "spellcheck": "false"}),
        error_messages=errors,
    )


class CodeSignInForm(forms.Form):
    access_code = _code_field(
        "Mã dự thi",
        20,
        "Mã gồm 8 ký tự được cấp khi bạn đăng ký, ví dụ ABCD-2345.",
        {"autocomplete": "off", "autocapitalize": "characters"},
        _messages("access_code"),
    )


class PhoneSignInForm(forms.Form):
    phone = _phone_field()
    cccd = _cccd_field(True, "Số CCCD bạn đã khai khi đăng ký (12 chữ số).")
    cccd.error_messages["required"] = PHONE_ALONE

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])

    def clean_cccd(self) -> str:
        return normalize_cccd(self.cleaned_data.get("cccd") or "")


class OtpSendForm(forms.Form):
    phone = _phone_field()
    phone.help_text = "Số điện thoại bạn đã dùng khi đăng ký."

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])


class OtpCodeForm(forms.Form):
    code = _code_field(
        "Mã xác nhận",
        12,
        "Gồm 6 chữ số, trong tin nhắn vừa gửi đến điện thoại của bạn.",
        {"inputmode": "numeric", "autocomplete": "one-time-code"},
        {"required": "Vui lòng nhập mã xác nhận."},
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=(
            "Tôi hiểu rằng họ tên, ngày sinh, số điện thoại, số CCCD của tôi sẽ bị xóa vĩnh "
            "viễn, mã dự thi không dùng được nữa và việc này không thể hoàn tác."
        ),
        error_messages=_messages("confirm"),
    )
