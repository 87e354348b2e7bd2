"""Areas, organisations, periods and member counts, roles, background jobs.

The unit tree (Area) and the organisation tree (Organization) are
materialised-path trees (django-treebeard). A role is held on a node of one of
them and covers the node's whole subtree; `visible_to(user)` on every scoped
queryset turns a user's roles into one filter (see scope.py).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from danvan.core.columns import (
    FoldedCopies,
    OrganizationAudited,
    area_field,
    ends_after,
    organization_field,
    staff_user_field,
)
from danvan.core.scope import OrganizationScopedQuerySet, ScopedQuerySetMixin
from danvan.core.text import search_folded

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class User(FoldedCopies, AbstractUser):
    """A staff user (cán bộ). Vietnamese names are kept whole: họ, đệm, tên in one field."""

    folded = {"full_name_folded": ("full_name",)}

    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    full_name_folded = models.CharField(max_length=150, editable=False, blank=True, db_index=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)
    must_change_password = models.BooleanField(
        "phải đổi mật khẩu",
        default=False,
        help_text="Mật khẩu tạm do quản trị viên đặt: phải đổi ở lần đăng nhập tiếp theo.",
    )

    # Set by a service acting on the account (e.g. the role-grant form creating it),
    # so that its audit entry is filed under the unit the action belongs to.
    audit_area_path: str = ""

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def set_password(self, raw_password: str | None) -> None:
        """A new password clears the must-change flag; an administrator's reset
        (danvan.core.accounts.reset_password) sets it again afterwards."""
        super().set_password(raw_password)
        self.must_change_password = False

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.username

    def get_additional_data(self) -> dict[str, str]:
        """Audit entries of an account are filed under a unit, so that the board
        administrators of that unit read them: the unit the acting service names,
        else the unit of the account's first role."""
        path = self.audit_area_path
        if not path and self.pk is not None:
            row = (
                RoleAssignment.objects.filter(user_id=self.pk)
                .exclude(role=Role.SYSTEM_ADMIN)
                .order_by("pk")
                .values_list("area__path", "organization__area__path")
                .first()
            )
            path = (row[0] or row[1] or "") if row else ""
        return {"area_path": path} if path else {}


class _TreeManager(MP_NodeManager):
    """treebeard's manager hard-codes its queryset class; use the model's own."""

    _queryset_class: type[MP_NodeQuerySet]

    def get_queryset(self) -> Any:
        return self._queryset_class(self.model, using=self._db).order_by("path")

    def move(self, node: Any, target: Any, pos: str | None = None) -> Any:
        # A move rewrites paths with UPDATE statements (no signals): scopes kept in
        # the processes hold paths.
        from danvan.core.scope import scopes_changed

        moved = super().move(node, target, pos)
        scopes_changed()
        return moved


class AreaKind(models.TextChoices):
    PROVINCE = "province", "Cấp tỉnh"
    DISTRICT = "district", "Cấp huyện"
    COMMUNE = "commune", "Cấp xã"
    HAMLET = "hamlet", "Ấp, khu vực"


# Unit types as the official list writes them, by level.
UNIT_TYPES: dict[str, list[str]] = {
    AreaKind.PROVINCE: ["Tỉnh", "Thành phố"],
    AreaKind.DISTRICT: ["Huyện", "Quận", "Thị xã", "Thành phố"],
    AreaKind.COMMUNE: ["Xã", "Phường", "Thị trấn", "Đặc khu"],
    AreaKind.HAMLET: ["Ấp", "Khu vực", "Khóm", "Tổ dân phố", "Thôn", "Bản", "Phum", "Sóc"],
}
HAMLET_TYPES = UNIT_TYPES[AreaKind.HAMLET]


class _FoldedNameQuerySet(MP_NodeQuerySet):
    def search(self, q: str) -> Any:
        """The nodes whose name holds every word of `q` (diacritics left out)."""
        return search_folded(self, q, "name_folded")


class _FoldedName(FoldedCopies):
    """A tree node known by its `name`, searched by `name_folded` (kept in step on save)."""

    folded = {"name_folded": ("name",)}
    name: Any

    def __str__(self) -> str:
        return str(self.name)


class AreaQuerySet(ScopedQuerySetMixin, _FoldedNameQuerySet):
    scope_area_path = "path"
    scope_org_path = None

    def current(self, on: date | None = None) -> AreaQuerySet:
        """Units in force on a date (today by default)."""
        on = on or timezone.localdate()  # the day in Việt Nam (TIME_ZONE)
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on)).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on)
        )

    def ended(self) -> AreaQuerySet:
        return self.filter(valid_to__isnull=False)

    def visible_to(self, user: AbstractBaseUser | AnonymousUser, verb: str = "view") -> Any:
        from danvan.core.scope import get_scope

        scope = get_scope(user)
        qs = super().visible_to(user, verb)
        # An organisation role lets its holder read the areas its bodies sit in.
        org_prefixes = scope.org_prefixes(verb)
        if org_prefixes and not scope.is_system_admin:
            org_q = Q()
            for prefix in org_prefixes:
                org_q |= Q(path__startswith=prefix)
            area_ids = Organization.objects.filter(org_q).values("area_id")
            qs = qs | self.filter(pk__in=area_ids)
        return qs


class Area(_FoldedName, MP_Node):
    """A unit of the administrative tree: province, district, commune, hamlet."""

    steplen = 4
    code = models.CharField("mã", max_length=20, db_index=True)
    name = models.CharField("tên", max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    unit_type = models.CharField("loại đơn vị", max_length=40)
    kind = models.CharField("cấp", max_length=20, choices=AreaKind.choices)
    population = models.PositiveIntegerField("dân số", null=True, blank=True)
    valid_from = models.DateField("có hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField(
        "ngừng hoạt động từ",
        null=True,
        blank=True,
        help_text="Ngày sắp xếp có hiệu lực; từ ngày này đơn vị chỉ còn là lịch sử.",
    )
    successor = models.ForeignKey(
        "self",
        verbose_name="đơn vị kế thừa",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    objects = _TreeManager.from_queryset(AreaQuerySet)()

    class Meta:
        verbose_name = "địa bàn"
        verbose_name_plural = "địa bàn"
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_to__isnull=True),
                name="area_code_unique_while_current",
            )
        ]

    def get_absolute_url(self) -> str:
        return reverse("staff:area_detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        return {"area_path": self.path}

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        started = self.valid_from is None or self.valid_from <= today
        return started and (self.valid_to is None or self.valid_to > today)

    def final_successor(self) -> Area | None:
        """Follow the successor chain to the unit that holds this unit's figures now."""
        seen = {self.pk}
        node = self.successor
        while node is not None and node.successor_id is not None:
            if node.pk in seen:  # a cycle would be a bug in the services
                break
            seen.add(node.pk)
            node = node.successor
        return node

    def lineage(self) -> list[Area]:
        """This unit and every unit whose figures roll up into it (transitively)."""
        from danvan.core.scope import lineage_paths

        paths = lineage_paths(self.path)
        q = Q()
        for p in paths:
            q |= Q(path=p)
        return list(Area.objects.filter(q))


class AreaMove(models.Model):
    """A unit that changed parent in a restructuring (e.g. a hamlet moving to the
    new commune). Kept so that the old parent's figures for earlier periods
    still count it."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="moves")
    old_path = models.CharField(max_length=255, db_index=True)
    moved_on = models.DateField()

    class Meta:
        verbose_name = "chuyển đơn vị"
        verbose_name_plural = "chuyển đơn vị"

    def __str__(self) -> str:
        return f"{self.area} ({self.moved_on:%d/%m/%Y})"


class RestructuringKind(models.TextChoices):
    MERGE = "merge", "Sáp nhập"
    SPLIT = "split", "Chia tách"
    RENAME = "rename", "Đổi tên"
    DISSOLVE = "dissolve", "Kết thúc hoạt động (bỏ cấp)"


class Restructuring(models.Model):
    """A recorded change of the unit tree, with its effective date and decision."""

    kind = models.CharField("loại", max_length=20, choices=RestructuringKind.choices)
    effective_on = models.DateField("ngày có hiệu lực")
    decision = models.CharField("căn cứ (nghị quyết, quyết định)", max_length=300, blank=True)
    note = models.TextField("ghi chú", blank=True)
    predecessors = models.ManyToManyField(
        Area, related_name="restructurings_out", verbose_name="đơn vị trước"
    )
    successors = models.ManyToManyField(
        Area, related_name="restructurings_in", verbose_name="đơn vị sau"
    )
    old_name = models.CharField("tên cũ", max_length=200, blank=True)
    new_name = models.CharField("tên mới", max_length=200, blank=True)
    created_by = staff_user_field("người thực hiện", related_name=None)
    created_at = models.DateTimeField("thời điểm thực hiện", auto_now_add=True)

    class Meta:
        verbose_name = "sắp xếp đơn vị hành chính"
        verbose_name_plural = "sắp xếp đơn vị hành chính"
        ordering = ["-effective_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.effective_on:%d/%m/%Y})"


class OrgKind(models.TextChoices):
    PARTY = "party", "Cấp ủy đảng"
    MOBILISATION_BOARD = "board", "Ban Dân vận"
    GOVERNMENT = "government", "Chính quyền (UBND)"
    FRONT = "front", "Mặt trận Tổ quốc"
    WOMEN = "women", "Hội Liên hiệp Phụ nữ"
    FARMERS = "farmers", "Hội Nông dân"
    YOUTH = "youth", "Đoàn Thanh niên"
    VETERANS = "veterans", "Hội Cựu chiến binh"
    TRADE_UNION = "trade_union", "Công đoàn"
    PARTY_CELL = "party_cell", "Chi bộ"
    FRONT_COMMITTEE = "front_committee", "Ban công tác Mặt trận"
    BRANCH = "branch", "Chi hội"
    YOUTH_BRANCH = "youth_branch", "Chi đoàn"


class OrganizationQuerySet(ScopedQuerySetMixin, _FoldedNameQuerySet):
    scope_area_path = "area__path"
    scope_org_path = "path"

    def current(self) -> OrganizationQuerySet:
        return self.filter(valid_to__isnull=True)


class Organization(_FoldedName, MP_Node):
    """A body at an area, child of its parent body (e.g. a hamlet branch of the commune union)."""

    steplen = 4
    name = models.CharField("tên tổ chức", max_length=255)
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField("loại tổ chức", max_length=30, choices=OrgKind.choices)
    area = area_field(related_name="organizations")
    valid_to = models.DateField("ngừng hoạt động từ", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    objects = _TreeManager.from_queryset(OrganizationQuerySet)()

    class Meta:
        verbose_name = "tổ chức"
        verbose_name_plural = "tổ chức"

    def get_absolute_url(self) -> str:
        return reverse("staff:org_detail", args=[self.pk])

    def get_additional_data(self) -> dict[str, str]:
        return {"area_path": self.area.path, "org_path": self.path}


class PeriodKind(models.TextChoices):
    HALF_YEAR = "half_year", "6 tháng"
    YEAR = "year", "Năm"


class PeriodQuerySet(models.QuerySet["Period"]):
    def latest_first(self) -> PeriodQuerySet:
        return self.order_by("-end", "-start")


class Period(models.Model):
    """A reporting period (kỳ báo cáo): six months or a year."""

    name = models.CharField("tên kỳ", max_length=100, unique=True)
    kind = models.CharField("loại kỳ", max_length=20, choices=PeriodKind.choices)
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày")

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["-end", "-start"]
        constraints = [ends_after("start", "end", inclusive=True, name="period_order")]

    def __str__(self) -> str:
        return self.name


class MemberCountQuerySet(OrganizationScopedQuerySet["MemberCount"]):
    """In scope by the body counted."""


class MemberCount(OrganizationAudited, models.Model):
    """How many members (đoàn viên, hội viên, đảng viên) a body has in a period."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="member_counts",
        verbose_name="tổ chức",
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="member_counts", verbose_name="kỳ báo cáo"
    )
    members = models.PositiveIntegerField("số đoàn viên, hội viên")
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    objects = MemberCountQuerySet.as_manager()

    class Meta:
        verbose_name = "số hội viên theo kỳ"
        verbose_name_plural = "số hội viên theo kỳ"
        constraints = [
            models.UniqueConstraint(fields=["organization", "period"], name="one_count_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.organization}: {self.members} ({self.period})"


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", "Quản trị hệ thống"
    BOARD_ADMIN = "board_admin", "Quản trị Ban Dân vận"
    ORG_OFFICER = "org_officer", "Cán bộ tổ chức"
    COLLABORATOR = "collaborator", "Cộng tác viên"
    INSPECTOR = "inspector", "Kiểm tra viên"
    VIEWER = "viewer", "Chỉ xem"


class RoleAssignmentQuerySet(ScopedQuerySetMixin, models.QuerySet["RoleAssignment"]):
    # A role held on an organisation is in the scope of the area the body sits in.
    scope_area_path = ("area__path", "organization__area__path")
    scope_org_path = "organization__path"


class RoleAssignment(models.Model):
    """A role held by a staff user over an area or an organisation and all below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name="tài khoản",
    )
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    area = area_field(null=True, blank=True)
    organization = organization_field("tổ chức", null=True, blank=True)
    granted_by = staff_user_field("người cấp quyền")
    created_at = models.DateTimeField("thời điểm cấp", auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [
            models.CheckConstraint(
                name="role_has_one_scope",
                condition=(
                    Q(role="system_admin", area__isnull=True, organization__isnull=True)
                    | (
                        ~Q(role="system_admin")
                        & (
                            Q(area__isnull=False, organization__isnull=True)
                            | Q(area__isnull=True, organization__isnull=False)
                        )
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area", "organization"], name="role_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} — {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.area_id:
            return str(self.area)
        if self.organization_id:
            return str(self.organization)
        return "Toàn hệ thống"

    def get_additional_data(self) -> dict[str, str]:
        data = {}
        if self.area_id:
            data["area_path"] = self.area.path  # type: ignore[union-attr]
        if self.organization_id:
            org = self.organization
            data["area_path"] = org.area.path  # type: ignore[union-attr]
            data["org_path"] = org.path  # type: ignore[union-attr]
        return data


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang chạy"
    DONE = "done", "Hoàn thành"
    FAILED = "failed", "Thất bại"


class JobQuerySet(models.QuerySet["Job"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser, verb: str = "view") -> JobQuerySet:
        """A job is seen by the person who started it (and system administrators)."""
        from danvan.core.scope import get_scope

        if not user.is_authenticated:
            return self.none()
        if get_scope(user).is_system_admin:
            return self
        return self.filter(created_by=user)


class Job(models.Model):
    """A background job (import, export, report) with its progress and outcome."""

    kind = models.CharField("loại", max_length=40)
    title = models.CharField("công việc", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    status = models.CharField(max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    input_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "công việc nền"
        verbose_name_plural = "công việc nền"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("staff:job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
