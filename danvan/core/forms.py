"""Staff forms. Choice fields are built from querysets already limited to the
user's scope, so an out-of-scope id is simply "not a valid choice"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from danvan.core.models import (
    HAMLET_TYPES,
    UNIT_TYPES,
    Area,
    AreaKind,
    Organization,
    OrgKind,
    Period,
    Role,
    User,
)
from danvan.core.scope import GRANT, GRANTABLE_ROLES, MANAGE, MANAGE_TREE, get_scope
from danvan.core.services import NewUnit
from danvan.core.validators import validate_phone


def _choices(form: forms.Form, name: str) -> Any:
    """A choice field of the form, typed loosely so querysets and choices can be set."""
    field: Any = form.fields[name]
    return field


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt "
        "chữ hoa, chữ thường.",
        "inactive": "Tài khoản này đã bị khóa.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        ended = "" if obj.valid_to is None else " (đã ngừng hoạt động)"
        return f"{obj.name} — {obj.code}{ended}"


class AreaFilterForm(forms.Form):
    q = forms.CharField(label="Tìm theo tên", required=False)
    kind = forms.ChoiceField(
        label="Cấp", required=False, choices=[("", "Tất cả các cấp"), *AreaKind.choices]
    )
    status = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Đang hoạt động"), ("ended", "Đã sắp xếp (lịch sử)"), ("all", "Tất cả")],
    )


class HamletForm(forms.Form):
    name = forms.CharField(label="Tên ấp, khu vực", max_length=150)
    unit_type = forms.ChoiceField(
        label="Loại đơn vị", choices=[(t, t) for t in HAMLET_TYPES], initial="Ấp"
    )
    population = forms.IntegerField(label="Dân số", required=False, min_value=0)


class HamletImportForm(forms.Form):
    file = forms.FileField(
        label="File Excel (.xlsx)",
        help_text="Dùng đúng file mẫu: mỗi dòng một ấp, khu vực. Nếu có dòng lỗi, "
        "không dòng nào được nhập.",
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise ValidationError("Chỉ nhận file Excel định dạng .xlsx.")
        if f.size > 5 * 1024 * 1024:
            raise ValidationError("File quá lớn (tối đa 5 MB).")
        return f


class RenameForm(forms.Form):
    new_name = forms.CharField(label="Tên mới", max_length=200)
    effective_on = forms.DateField(label="Ngày có hiệu lực", widget=DATE_WIDGET)
    decision = forms.CharField(
        label="Căn cứ (số nghị quyết, quyết định)", max_length=300, required=False
    )


class SplitForm(forms.Form):
    parts = forms.CharField(
        label="Các đơn vị mới",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mỗi dòng một đơn vị: Loại; Tên; Mã. Ví dụ: Xã; Tân Long A; 31439. "
        "Đơn vị ở dòng đầu kế thừa lịch sử và các ấp hiện có.",
    )
    effective_on = forms.DateField(label="Ngày có hiệu lực", widget=DATE_WIDGET)
    decision = forms.CharField(label="Căn cứ", max_length=300, required=False)

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area = area

    def clean_parts(self) -> list[NewUnit]:
        allowed = UNIT_TYPES.get(self.area.kind, [])
        units: list[NewUnit] = []
        for n, line in enumerate(self.cleaned_data["parts"].splitlines(), start=1):
            if not line.strip():
                continue
            bits = [b.strip() for b in line.split(";")]
            if len(bits) != 3 or not all(bits):
                raise ValidationError(f"Dòng {n}: cần đủ 3 phần “Loại; Tên; Mã”.")
            unit_type, name, code = bits
            if unit_type not in allowed:
                raise ValidationError(
                    f"Dòng {n}: loại “{unit_type}” không hợp lệ (chọn: {', '.join(allowed)})."
                )
            full = name if name.startswith(unit_type) else f"{unit_type} {name}"
            units.append(NewUnit(name=full, code=code, unit_type=unit_type))
        if len(units) < 2:
            raise ValidationError("Chia tách cần ít nhất hai đơn vị mới.")
        return units


class MergeForm(forms.Form):
    """Merge the current unit and others into an existing unit or a new one."""

    others = forms.ModelMultipleChoiceField(
        label="Các đơn vị cùng sáp nhập",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_mode = forms.ChoiceField(
        label="Đơn vị sau sáp nhập",
        choices=[("new", "Thành lập đơn vị mới"), ("existing", "Nhập vào một đơn vị có sẵn")],
        widget=forms.RadioSelect,
        initial="new",
    )
    into = AreaChoiceField(
        label="Đơn vị tiếp nhận (nếu nhập vào đơn vị có sẵn)",
        queryset=Area.objects.none(),
        required=False,
    )
    new_unit_type = forms.ChoiceField(label="Loại đơn vị mới", choices=[], required=False)
    new_name = forms.CharField(label="Tên đơn vị mới", max_length=200, required=False)
    new_code = forms.CharField(label="Mã đơn vị mới", max_length=20, required=False)
    parent = AreaChoiceField(
        label="Trực thuộc (đơn vị cấp trên của đơn vị mới)",
        queryset=Area.objects.none(),
        required=False,
    )
    effective_on = forms.DateField(label="Ngày có hiệu lực", widget=DATE_WIDGET)
    decision = forms.CharField(label="Căn cứ", max_length=300, required=False)

    def __init__(self, *args: Any, area: Area, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        managed = Area.objects.visible_to(user, MANAGE_TREE)
        same_level = managed.filter(kind=area.kind, valid_to__isnull=True).exclude(pk=area.pk)
        _choices(self, "others").queryset = same_level.filter(depth=area.depth).order_by(
            "name_folded"
        )
        _choices(self, "into").queryset = managed.filter(kind=area.kind).order_by("name_folded")
        _choices(self, "parent").queryset = managed.filter(
            depth__lt=area.depth, valid_to__isnull=True
        ).exclude(kind=AreaKind.HAMLET)
        _choices(self, "new_unit_type").choices = [(t, t) for t in UNIT_TYPES.get(area.kind, [])]
        if not self.is_bound:
            self.initial.setdefault("parent", Area.objects.get_parent(area))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target_mode") == "existing":
            if not data.get("into"):
                self.add_error("into", "Chọn đơn vị tiếp nhận.")
        else:
            for name, message in (
                ("new_name", "Nhập tên đơn vị mới."),
                ("new_code", "Nhập mã đơn vị mới."),
                ("parent", "Chọn đơn vị cấp trên."),
                ("new_unit_type", "Chọn loại đơn vị."),
            ):
                if not data.get(name):
                    self.add_error(name, message)
        return data

    def new_unit(self) -> NewUnit:
        d = self.cleaned_data
        unit_type, name = d["new_unit_type"], " ".join(d["new_name"].split())
        full = name if name.startswith(unit_type) else f"{unit_type} {name}"
        return NewUnit(name=full, code=d["new_code"].strip(), unit_type=unit_type)


class OrgFilterForm(forms.Form):
    q = forms.CharField(label="Tìm theo tên", required=False)
    kind = forms.ChoiceField(
        label="Loại tổ chức", required=False, choices=[("", "Tất cả"), *OrgKind.choices]
    )
    area = AreaChoiceField(label="Địa bàn", queryset=Area.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "area").queryset = (
            Area.objects.visible_to(user).exclude(kind=AreaKind.HAMLET).order_by("path")
        )


class OrganizationForm(forms.Form):
    name = forms.CharField(label="Tên tổ chức", max_length=255)
    kind = forms.ChoiceField(label="Loại tổ chức", choices=OrgKind.choices)
    area = AreaChoiceField(label="Địa bàn", queryset=Area.objects.none())
    parent = forms.ModelChoiceField(
        label="Tổ chức cấp trên", queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "area").queryset = Area.objects.visible_to(user, MANAGE_TREE).filter(
            valid_to__isnull=True
        )
        _choices(self, "parent").queryset = Organization.objects.visible_to(user, MANAGE).filter(
            valid_to__isnull=True
        )


class MemberCountForm(forms.Form):
    period = forms.ModelChoiceField(label="Kỳ báo cáo", queryset=Period.objects.all())
    members = forms.IntegerField(label="Số đoàn viên, hội viên", min_value=0)


class RoleGrantForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Người dùng có sẵn", queryset=User.objects.filter(is_active=True), required=False
    )
    new_username = forms.RegexField(
        label="Hoặc tạo tài khoản mới: tên đăng nhập",
        regex=r"^[a-z0-9._-]{3,40}$",
        required=False,
        error_messages={"invalid": "Tên đăng nhập chỉ gồm chữ thường không dấu, số, . _ -"},
    )
    new_full_name = forms.CharField(label="Họ và tên", max_length=150, required=False)
    new_phone = forms.CharField(
        label="Số điện thoại", max_length=20, required=False, validators=[validate_phone]
    )
    new_password = forms.CharField(
        label="Mật khẩu ban đầu",
        required=False,
        widget=forms.PasswordInput(render_value=True),
        min_length=10,
        help_text="Ít nhất 10 ký tự; người dùng nên đổi ngay sau lần đăng nhập đầu.",
    )
    role = forms.ChoiceField(label="Vai trò", choices=[])
    area = AreaChoiceField(label="Trên địa bàn", queryset=Area.objects.none(), required=False)
    organization = forms.ModelChoiceField(
        label="Hoặc trên tổ chức", queryset=Organization.objects.none(), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = list(GRANTABLE_ROLES)
        if get_scope(user).is_system_admin:
            roles.insert(0, Role.SYSTEM_ADMIN)
        _choices(self, "role").choices = [(r, Role(r).label) for r in roles]
        _choices(self, "area").queryset = Area.objects.visible_to(user, GRANT).filter(
            valid_to__isnull=True
        )
        _choices(self, "organization").queryset = Organization.objects.visible_to(
            user, GRANT
        ).filter(valid_to__isnull=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("user"):
            if not data.get("new_username"):
                self.add_error("user", "Chọn người dùng có sẵn hoặc tạo tài khoản mới.")
            else:
                if User.objects.filter(username__iexact=data["new_username"]).exists():
                    self.add_error("new_username", "Tên đăng nhập đã tồn tại.")
                if not data.get("new_full_name"):
                    self.add_error("new_full_name", "Nhập họ và tên.")
                if not data.get("new_password"):
                    self.add_error("new_password", "Nhập mật khẩu ban đầu.")
        if data.get("role") != Role.SYSTEM_ADMIN and not (
            bool(data.get("area")) ^ bool(data.get("organization"))
        ):
            self.add_error("area", "Chọn đúng một địa bàn hoặc một tổ chức.")
        return data
