"""Django admin, for technical administrators (is_staff). Day-to-day work is in
the staff workspace at /quan-ly/, which applies each user's scope."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from danvan.core.models import (
    Area,
    Job,
    MemberCount,
    Organization,
    Period,
    Restructuring,
    RoleAssignment,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Thông tin cán bộ", {"fields": ("full_name", "phone")}),
    )
    list_display = ("username", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "full_name", "email")


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "start", "end")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    # Tree nodes are added through the services (staff workspace, import_units).
    def has_add_permission(self, request: Any) -> bool:
        return False

    list_display = ("name", "code", "kind", "valid_from", "valid_to", "successor")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth", "numchild", "successor")
    raw_id_fields = ()


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    # Tree nodes are added through the services (staff workspace, import_units).
    def has_add_permission(self, request: Any) -> bool:
        return False

    list_display = ("name", "kind", "area", "valid_to")
    list_filter = ("kind",)
    search_fields = ("name",)
    readonly_fields = ("path", "depth", "numchild")
    raw_id_fields = ("area",)


@admin.register(MemberCount)
class MemberCountAdmin(admin.ModelAdmin):
    list_display = ("organization", "period", "members", "updated_at")
    list_filter = ("period",)
    raw_id_fields = ("organization",)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "area", "organization", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "area", "organization", "granted_by")


@admin.register(Restructuring)
class RestructuringAdmin(admin.ModelAdmin):
    list_display = ("kind", "effective_on", "decision")
    readonly_fields = ("predecessors", "successors", "created_by")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "created_by", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = ("progress_done", "progress_total", "result", "errors")
