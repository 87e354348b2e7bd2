"""Audit trail: django-auditlog records every change of the staff-managed models
(who, what, when, from which address). The log table is append-only: database
triggers (see the migration) refuse UPDATE and DELETE on it.

Password values (and their hashes) are never recorded: the password field is
left out of the account's entries, and a separate entry says only that the
password was changed (by its owner, or reset by an administrator: the actor).
"""

from __future__ import annotations

from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db.models.signals import post_save

# What a password-change entry records instead of the values.
PASSWORD_CHANGED = {"password": ["******", "******"]}


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
        auditlog.register(User, exclude_fields=["password", "last_login", "full_name_folded"])
    post_save.connect(log_password_change, sender=User, dispatch_uid="danvan_password_change")


def log_password_change(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """One entry when an existing account gets a new password through
    set_password() (own change, administrator's reset, Django admin). Hash
    upgrades at sign-in are not password changes (Django clears `_password`)."""
    if created or auditlog_disabled.get() or getattr(instance, "_password", None) is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "password" not in update_fields:
        return
    LogEntry.objects.log_create(
        instance, action=LogEntry.Action.UPDATE, changes=dict(PASSWORD_CHANGED)
    )
