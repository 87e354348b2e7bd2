"""Staff accounts seen from an administrator's scope.

A board administrator looks after the accounts of the officials whose roles all
lie inside their GRANT scope: resets a forgotten password (a temporary one the
official must change at the next sign-in) and deactivates or reactivates an
account. An account with a role anywhere else (or a system administrator) is
out of scope: a 404, like any object out of scope. Every write is one
transaction and leaves an audit entry (never a password value).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from danvan.core import signin
from danvan.core.models import Role, RoleAssignment, User
from danvan.core.scope import GRANT, get_scope
from danvan.core.text import search_terms

# Letters and digits that cannot be misread when dictated over the phone
# (no 0/O, 1/l/I, 5/S, 2/Z).
_READABLE = "abcdefghjkmnpqrtuvwxy346789"


def accounts_in_scope(actor: Any) -> QuerySet[User]:
    """Accounts whose roles all lie inside the actor's GRANT scope (at least one role)."""
    scope = get_scope(actor)
    if scope.is_system_admin:
        return User.objects.all()
    if not scope.allows(GRANT):
        return User.objects.none()
    inside = RoleAssignment.objects.visible_to(actor, GRANT)
    outside = RoleAssignment.objects.exclude(pk__in=inside.values("pk"))
    return (
        User.objects.filter(pk__in=inside.values("user_id"), is_superuser=False)
        .exclude(pk__in=outside.values("user_id"))
        .distinct()
    )


def grantable_users(actor: Any) -> QuerySet[User]:
    """Active accounts the role-grant form lists: those holding at least one
    role inside the actor's GRANT scope (every account for a system administrator)."""
    scope = get_scope(actor)
    users = User.objects.filter(is_active=True)
    if scope.is_system_admin:
        return users
    if not scope.allows(GRANT):
        return users.none()
    inside = RoleAssignment.objects.visible_to(actor, GRANT)
    return users.filter(pk__in=inside.values("user_id"), is_superuser=False)


def search_accounts(qs: QuerySet[User], q: str, prefix: str = "") -> QuerySet[User]:
    """Accounts (or rows pointing at them through `prefix`, e.g. "user__") whose
    user name or full name holds every word of `q`, ignoring diacritics and case."""
    for term in search_terms(q):
        qs = qs.filter(
            Q(**{f"{prefix}username__icontains": term})
            | Q(**{f"{prefix}full_name_folded__contains": term})
        )
    return qs


def get_account_or_404(actor: Any, pk: Any) -> User:
    try:
        return accounts_in_scope(actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy.") from None


def audit_path(actor: Any, account: User) -> str:
    """The unit under which an action on `account` is filed in the audit log:
    the first of its roles inside the actor's scope."""
    if actor is None:
        return ""
    row = (
        RoleAssignment.objects.visible_to(actor, GRANT)
        .filter(user=account)
        .exclude(role=Role.SYSTEM_ADMIN)
        .order_by("pk")
        .values_list("area__path", "organization__area__path")
        .first()
    )
    return (row[0] or row[1] or "") if row else ""


def temporary_password() -> str:
    """A random password easy to read out: three groups of four, e.g. "k7tq-m3xa-9hrw"."""
    return "-".join("".join(secrets.choice(_READABLE) for _ in range(4)) for _ in range(3))


def _refuse_self(actor: Any, account: User, message: str) -> None:
    if actor is not None and account.pk == actor.pk:
        raise ValidationError(message, code="self")


@transaction.atomic
def reset_password(actor: Any, account: User, *, password: str = "") -> str:
    """Give the account a temporary password (the one given, else a random one)
    that must be changed at the next sign-in; its other sessions end. Returns
    the temporary password, to be shown once to the administrator."""
    _refuse_self(
        actor,
        account,
        "Bạn không thể đặt lại mật khẩu của chính mình ở đây; hãy dùng mục “Đổi mật khẩu”.",
    )
    account = User.objects.select_for_update().get(pk=account.pk)
    password = password or temporary_password()
    password_validation.validate_password(password, account)
    account.set_password(password)
    account.must_change_password = True
    account.audit_area_path = audit_path(actor, account)
    account.save()
    signin.clear_account(account.get_username())
    return password


@transaction.atomic
def set_account_active(actor: Any, account: User, active: bool) -> User:
    """Deactivate an account (the official left: no sign-in, sessions end at the
    next request, roles and history kept) or reactivate it."""
    if not active:
        _refuse_self(actor, account, "Bạn không thể tự khóa tài khoản của chính mình.")
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.is_active != active:
        account.is_active = active
        account.audit_area_path = audit_path(actor, account)
        account.save(update_fields=["is_active"])
    return account
