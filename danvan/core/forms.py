"""Staff forms. Choice fields are built from querysets already limited to the
user's scope, so an out-of-scope id is simply "not a valid choice"."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from danvan.core.fields import AreaChoiceField, OrganizationChoiceField
from danvan.core.models import (
    HAMLET_TYPES,
    UNIT_TYPES,
    Area,
    AreaKind,
    Organization,
    OrgKind,
    Period,
    PeriodKind,
    Role,
    User,
)
from danvan.core.organised_forms import form_field
from danvan.core.places import place_choices
from danvan.core.restructuring import NewUnit, check_not_future
from danvan.core.scope import GRANT, GRANTABLE_ROLES, MANAGE, MANAGE_TREE, get_scope
from danvan.core.validators import normalize_phone, validate_phone

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def not_in_future(value: date) -> None:
    """A restructuring or a closing is recorded once it has taken effect."""
    check_not_future(value)


def typed_phone(value: str, *, optional: bool = False) -> str:
    """A phone number typed in a form, as stored (normalize_phone), refused with
    the forms' short message; "" when `optional` and left empty."""
    value = value.strip()
    if optional and not value:
        return ""
    try:
        return normalize_phone(value)
    except ValidationError:
        raise ValidationError("Số điện thoại không đúng (ví dụ 0912 345 678).") from None


class PlaceField(forms.TypedChoiceField):
    """The commune or hamlet a citizen picks on a public form (an area's id); the
    form offers its places with `offer(areas)`."""

    def __init__(self, *, label: str) -> None:
        message = "Hãy chọn xã, ấp."
        super().__init__(
            label=label, coerce=int, error_messages={"required": message, "invalid_choice": message}
        )

    def offer(self, areas: Any) -> None:
        self.choices = [("", "— Chọn xã, ấp —"), *place_choices(areas)]


def managed_bodies(user: Any) -> Any:
    """The bodies in force the user may act for, with their units, in tree order."""
    return (
        Organization.objects.visible_to(user, MANAGE)
        .current()
        .select_related("area")
        .order_by("path")
    )


def body_field(label: str) -> OrganizationChoiceField:
    """The `organization` field of a BodyForm: the body a record is made for."""
    return OrganizationChoiceField(label=label, queryset=Organization.objects.none())


class BodyForm(forms.ModelForm):
    """A record made in the name of a body: its `organization` (a body_field the
    subclass declares with its own label) offers the bodies the user may act for."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "organization").queryset = managed_bodies(user)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt "
        "chữ hoa, chữ thường.",
        "inactive": "Tài khoản này đã bị khóa.",
        "account_throttled": "Tài khoản này vừa bị đăng nhập sai quá nhiều lần. Vui lòng thử "
        "lại sau ít phút; nếu quên mật khẩu, hãy nhờ quản trị viên đơn vị đặt lại.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Tên đăng nhập"
        self.fields["password"].label = "Mật khẩu"

    def clean(self) -> dict[str, Any]:
        from axes.handlers.proxy import AxesProxyHandler

        from danvan.core import signin

        username = self.cleaned_data.get("username") or ""
        request = self.request
        # A request the address limit refuses checks no password: it never
        # counts against the account (axes answers it with its 429 page).
        refused = request is not None and not AxesProxyHandler.is_allowed(
            request, {"username": username}
        )
        if (
            username
            and not refused
            and signin.account_throttled(username)
            and not (request is not None and signin.known_device(request, username))
        ):
            raise ValidationError(
                self.error_messages["account_throttled"], code="account_throttled"
            )
        try:
            return super().clean()
        except ValidationError as exc:
            if username and not refused and exc.code == "invalid_login":
                signin.record_failure(username)
            raise


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


XLSX_MAX_BYTES = 5 * 1024 * 1024


def xlsx_template_field(help_text: str) -> forms.FileField:
    """The `file` field of an `XlsxImportForm`: the import's Excel template,
    filled in; `help_text` says what a row holds."""
    return forms.FileField(label="File Excel (.xlsx)", help_text=help_text)


class XlsxImportForm(forms.Form):
    """A form that uploads a filled-in Excel template for an import job. A
    subclass declares `file = xlsx_template_field(...)` (where it belongs among
    its other fields); the upload must be an .xlsx of at most 5 MB."""

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("Chỉ nhận file Excel định dạng .xlsx.")
        if upload.size > XLSX_MAX_BYTES:
            raise ValidationError("File quá lớn (tối đa 5 MB).")
        return upload


class HamletImportForm(XlsxImportForm):
    file = xlsx_template_field(
        "Dùng đúng file mẫu: mỗi dòng một ấp, khu vực. Nếu có dòng lỗi, không dòng nào được nhập."
    )


class RenameForm(forms.Form):
    new_name = forms.CharField(label="Tên mới", max_length=200)
    effective_on = forms.DateField(
        label="Ngày có hiệu lực", widget=DATE_WIDGET, validators=[not_in_future]
    )
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
    effective_on = forms.DateField(
        label="Ngày có hiệu lực", widget=DATE_WIDGET, validators=[not_in_future]
    )
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
    effective_on = forms.DateField(
        label="Ngày có hiệu lực", widget=DATE_WIDGET, validators=[not_in_future]
    )
    decision = forms.CharField(label="Căn cứ", max_length=300, required=False)

    def __init__(self, *args: Any, area: Area, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        managed = Area.objects.visible_to(user, MANAGE_TREE)
        same_level = managed.filter(kind=area.kind, valid_to__isnull=True).exclude(pk=area.pk)
        form_field(self, "others").queryset = same_level.filter(depth=area.depth).order_by(
            "name_folded"
        )
        form_field(self, "into").queryset = managed.filter(kind=area.kind).order_by("name_folded")
        form_field(self, "parent").queryset = managed.filter(
            depth__lt=area.depth, valid_to__isnull=True
        ).exclude(kind=AreaKind.HAMLET)
        form_field(self, "new_unit_type").choices = [(t, t) for t in UNIT_TYPES.get(area.kind, [])]
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
    area = AreaChoiceField(
        label="Địa bàn",
        queryset=Area.objects.none(),
        required=False,
        empty_label="Tất cả địa bàn",
    )
    status = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Đang hoạt động"), ("ended", "Đã ngừng hoạt động"), ("all", "Tất cả")],
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        form_field(self, "area").queryset = (
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
        form_field(self, "area").queryset = Area.objects.visible_to(user, MANAGE_TREE).filter(
            valid_to__isnull=True
        )
        form_field(self, "parent").queryset = Organization.objects.visible_to(user, MANAGE).filter(
            valid_to__isnull=True
        )


class MemberCountForm(forms.Form):
    period = forms.ModelChoiceField(label="Kỳ báo cáo", queryset=Period.objects.all())
    members = forms.IntegerField(label="Số đoàn viên, hội viên", min_value=0)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()} ({obj.username})"


class RoleGrantForm(forms.Form):
    """Grant a role to an account of the administrator's scope, to an existing
    account named exactly (an official moving in from elsewhere), or to a new one.
    The list shows only accounts that already hold a role inside the scope."""

    user = UserChoiceField(
        label="Cán bộ trong phạm vi của bạn",
        queryset=User.objects.none(),
        required=False,
        empty_label="— Chọn cán bộ —",
    )
    existing_username = forms.CharField(
        label="Hoặc tài khoản có sẵn ở đơn vị khác: tên đăng nhập",
        max_length=150,
        required=False,
        help_text="Nhập chính xác tên đăng nhập (ví dụ cán bộ chuyển công tác đến).",
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
        from danvan.core.accounts import grantable_users

        super().__init__(*args, **kwargs)
        self.actor = user
        roles = list(GRANTABLE_ROLES)
        if get_scope(user).is_system_admin:
            roles.insert(0, Role.SYSTEM_ADMIN)
        form_field(self, "role").choices = [(r, Role(r).label) for r in roles]
        form_field(self, "user").queryset = grantable_users(user).order_by(
            "full_name_folded", "username"
        )
        form_field(self, "area").queryset = Area.objects.visible_to(user, GRANT).filter(
            valid_to__isnull=True
        )
        form_field(self, "organization").queryset = Organization.objects.visible_to(
            user, GRANT
        ).filter(valid_to__isnull=True)

    def clean_existing_username(self) -> User | None:
        name = self.cleaned_data["existing_username"].strip()
        if not name:
            return None
        found = User.objects.filter(username__iexact=name, is_active=True)
        if not get_scope(self.actor).is_system_admin:
            found = found.filter(is_superuser=False)
        account = found.first()
        if account is None:
            raise ValidationError("Không có tài khoản đang hoạt động với tên đăng nhập này.")
        return account

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth import password_validation

        data = super().clean() or {}
        chosen = [name for name in ("user", "existing_username", "new_username") if data.get(name)]
        if len(chosen) > 1:
            self.add_error(
                "user",
                "Chỉ chọn một trong ba: cán bộ trong danh sách, tài khoản có sẵn hoặc "
                "tài khoản mới.",
            )
        elif data.get("existing_username"):
            data["user"] = data["existing_username"]
        elif not data.get("user"):
            if not data.get("new_username"):
                if "existing_username" not in self.errors and "new_username" not in self.errors:
                    self.add_error("user", "Chọn người dùng có sẵn hoặc tạo tài khoản mới.")
            else:
                if User.objects.filter(username__iexact=data["new_username"]).exists():
                    self.add_error("new_username", "Tên đăng nhập đã tồn tại.")
                if not data.get("new_full_name"):
                    self.add_error("new_full_name", "Nhập họ và tên.")
                if not data.get("new_password"):
                    if "new_password" not in self.errors:
                        self.add_error("new_password", "Nhập mật khẩu ban đầu.")
                else:
                    candidate = User(
                        username=data["new_username"], full_name=data.get("new_full_name", "")
                    )
                    try:
                        password_validation.validate_password(data["new_password"], candidate)
                    except ValidationError as exc:
                        self.add_error("new_password", exc)
        if data.get("role") != Role.SYSTEM_ADMIN and not (
            bool(data.get("area")) ^ bool(data.get("organization"))
        ):
            self.add_error("area", "Chọn đúng một địa bàn hoặc một tổ chức.")
        return data


# --- Upkeep of organisations, hamlets and reporting periods ---------------------------


class OrganizationEditForm(forms.Form):
    """Correct a body's name or kind, or put it under another parent body."""

    name = forms.CharField(label="Tên tổ chức", max_length=255)
    kind = forms.ChoiceField(label="Loại tổ chức", choices=OrgKind.choices)
    parent = OrganizationChoiceField(
        label="Tổ chức cấp trên",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="— Không có (tổ chức cấp cao nhất) —",
        error_messages={
            "invalid_choice": "Không chọn được tổ chức này: tổ chức cấp trên phải đang hoạt "
            "động, trong phạm vi của bạn, ở cùng địa bàn hoặc địa bàn cấp trên, và không phải "
            "chính tổ chức này hay một tổ chức trực thuộc nó."
        },
        help_text="Cùng địa bàn hoặc địa bàn cấp trên. Các tổ chức trực thuộc chuyển theo.",
    )

    def __init__(self, *args: Any, org: Organization, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_paths = [a.path for a in Area.objects.get_ancestors(org.area)] + [org.area.path]
        form_field(self, "parent").queryset = (
            Organization.objects.visible_to(user, MANAGE)
            .filter(valid_to__isnull=True, area__path__in=area_paths)
            .exclude(path__startswith=org.path)
            .select_related("area")
            .order_by("path")
        )


class OrganizationCloseForm(forms.Form):
    ended_on = forms.DateField(
        label="Ngừng hoạt động từ ngày",
        widget=DATE_WIDGET,
        validators=[not_in_future],
        help_text="Ngày quyết định giải thể, sáp nhập tổ chức có hiệu lực.",
    )


class PeriodForm(forms.Form):
    name = forms.CharField(
        label="Tên kỳ báo cáo",
        max_length=100,
        help_text="Ví dụ: 6 tháng đầu năm 2026; Năm 2026.",
    )
    kind = forms.ChoiceField(label="Loại kỳ", choices=PeriodKind.choices)
    start = forms.DateField(label="Từ ngày", widget=DATE_WIDGET)
    end = forms.DateField(label="Đến ngày", widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "Ngày kết thúc phải cùng hoặc sau ngày bắt đầu.")
        return data


# --- Accounts of the officials in scope ------------------------------------------------


class AccountFilterForm(forms.Form):
    q = forms.CharField(label="Tìm theo tên hoặc tên đăng nhập", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Tất cả"), ("active", "Đang hoạt động"), ("inactive", "Đã khóa")],
    )


class AccountPasswordResetForm(forms.Form):
    password = forms.CharField(
        label="Mật khẩu tạm (không bắt buộc)",
        required=False,
        max_length=128,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Để trống để hệ thống tạo một mật khẩu tạm ngẫu nhiên, dễ đọc qua điện thoại.",
    )


class AccountActiveForm(forms.Form):
    active = forms.TypedChoiceField(
        choices=[("0", "Khóa"), ("1", "Mở khóa")],
        coerce=lambda value: value == "1",
        widget=forms.HiddenInput,
    )


def form_error(form: Any, exc: ValidationError) -> None:
    """Show a service's refusal (a `ValidationError`) on the form, above its fields."""
    for message in exc.messages:
        form.add_error(None, message)
