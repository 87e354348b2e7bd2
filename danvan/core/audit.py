"""Audit trail: django-auditlog records every change of the staff-managed models
(who, what, when, from which address). The log table is append-only: database
triggers (see the migration) refuse UPDATE and DELETE on it."""

from __future__ import annotations

from auditlog.registry import auditlog


def register_models() -> None:
    from danvan.core.models import (
        Area,
        MemberCount,
        Organization,
        Period,
        Restructuring,
        RoleAssignment,
        User,
    )

    for model in (Area, Organization, MemberCount, Period, Restructuring, RoleAssignment):
        if not auditlog.contains(model):
            auditlog.register(model)
    if not auditlog.contains(User):
        auditlog.register(User, exclude_fields=["password", "last_login"])
