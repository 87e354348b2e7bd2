"""Scope: which objects a staff user may see or act on.

A role is held on a node of the unit tree (Area) or of the organisation tree
(Organization) and covers the node's whole subtree: the Wagtail habit on a
materialised-path tree. The same prefixes answer both questions:

* "which objects may this user see?"  -> ``Model.objects.visible_to(user, verb)``
* "may this user act on this object?" -> ``can(user, verb, obj)``, which asks
  the same queryset for the object, and ``get_visible_or_404`` for views.

History follows restructuring: a unit that was merged into a unit in scope is
in scope too (its figures roll up into the successor), so a new commune's
officers read the records of the communes it was formed from.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Manager, Model, Q, QuerySet
from django.http import Http404

from danvan.core.cache import LocalCache

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

VIEW = "view"  # read records in scope
MANAGE = "manage"  # change records in scope (organisations, member counts...)
MANAGE_TREE = "manage_tree"  # add hamlets, import, restructure units
GRANT = "grant"  # grant and revoke roles in scope
AUDIT = "audit"  # read the audit log of the scope

ALL_ROLES = {"board_admin", "org_officer", "collaborator", "inspector", "viewer"}
VERB_ROLES: dict[str, set[str]] = {
    VIEW: ALL_ROLES,
    MANAGE: {"board_admin", "org_officer"},
    MANAGE_TREE: {"board_admin"},
    GRANT: {"board_admin"},
    AUDIT: {"board_admin"},
}
# Roles an administrator may hand out (never system_admin).
GRANTABLE_ROLES = ["board_admin", "org_officer", "collaborator", "inspector", "viewer"]


def _minimal(prefixes: set[str]) -> list[str]:
    """Drop prefixes already covered by a shorter one."""
    out: list[str] = []
    for p in sorted(prefixes, key=len):
        if not any(p.startswith(q) for q in out):
            out.append(p)
    return sorted(out)


def history_map() -> dict[str, str]:
    """Path of every ended unit with a successor -> path of its final successor."""
    from danvan.core.models import Area

    rows = list(Area.objects.filter(successor__isnull=False).values_list("pk", "path", "successor"))
    if not rows:
        return {}
    succ_of = {pk: succ for pk, _path, succ in rows}
    ids = set(succ_of) | set(succ_of.values())
    path_of = dict(Area.objects.filter(pk__in=ids).values_list("pk", "path"))
    result: dict[str, str] = {}
    for pk, path, succ in rows:
        seen = {pk}
        while succ in succ_of and succ not in seen:
            seen.add(succ)
            succ = succ_of[succ]
        result[path] = path_of[succ]
    return result


def current_path(path: str, history: dict[str, str]) -> str:
    """Where a unit's figures are counted now: the path under its final
    successor when it (or a unit above it) was merged away, else itself."""
    from danvan.core.models import Area

    step = Area.steplen
    for depth in range(len(path), 0, -step):
        old = path[:depth]
        if old in history:
            return history[old] + path[depth:]
    return path


def lineage_paths(path: str, history: dict[str, str] | None = None) -> list[str]:
    """The subtree at `path` plus every ended unit whose figures roll up into it."""
    history = history_map() if history is None else history
    found = {path}
    found.update(old for old, new in history.items() if new.startswith(path))
    return _minimal(found)


@dataclass
class Grant:
    role: str
    area_path: str | None
    org_path: str | None


@dataclass
class Scope:
    user_id: int | None
    is_system_admin: bool = False
    grants: list[Grant] = field(default_factory=list)
    _history: dict[str, str] | None = None

    def _history_map(self) -> dict[str, str]:
        if self._history is None:
            self._history = history_map()
        return self._history

    def roles(self) -> set[str]:
        return {g.role for g in self.grants} | ({"system_admin"} if self.is_system_admin else set())

    def allows(self, verb: str) -> bool:
        """Whether the user holds any role that grants `verb` somewhere."""
        return self.is_system_admin or any(g.role in VERB_ROLES[verb] for g in self.grants)

    def area_prefixes(self, verb: str) -> list[str]:
        roles = VERB_ROLES[verb]
        paths = {g.area_path for g in self.grants if g.role in roles and g.area_path}
        if not paths:
            return []
        history = self._history_map()
        out: set[str] = set()
        for p in paths:
            out.update(lineage_paths(p, history))
        return _minimal(out)

    def org_prefixes(self, verb: str) -> list[str]:
        roles = VERB_ROLES[verb]
        return _minimal({g.org_path for g in self.grants if g.role in roles and g.org_path})


_ANON = Scope(user_id=None)


# --- Scopes kept in the process -------------------------------------------------
#
# With a shared cache (Redis: settings.SHARED_CACHE), a process keeps each user's
# scope, with the unit-history map it needs, under the current *scope version*:
# a random token in the shared cache that every change of a role, a unit, an
# organisation or a unit move replaces (signals in danvan.core.apps: at once and
# again after the commit, so a request that read the old rows in between cannot
# keep them under the new token). A request then costs one cache read instead of
# the role and history queries; a revoked role is gone at the next request in
# every process. Without a shared cache nothing is kept across requests.

SCOPE_VERSION_KEY = "core:scope-version"
_SCOPES = LocalCache(ttl=300, size=2048)


def scope_version() -> str | None:
    """The current scope version, or None when scopes are not kept."""
    from django.conf import settings
    from django.core.cache import cache

    if not getattr(settings, "SHARED_CACHE", False):
        return None
    version = cache.get(SCOPE_VERSION_KEY)
    if version is None:
        cache.add(SCOPE_VERSION_KEY, secrets.token_hex(8), None)
        version = cache.get(SCOPE_VERSION_KEY)
    return str(version) if version is not None else None


def replace_scope_version() -> None:
    from django.core.cache import cache

    cache.set(SCOPE_VERSION_KEY, secrets.token_hex(8), None)
    _SCOPES.clear()


def scopes_changed() -> None:
    """A role, unit or organisation changed: every kept scope is stale. The
    version is replaced now and once more when the transaction commits."""
    from django.db import connection, transaction

    replace_scope_version()
    current = set(connection.savepoint_ids)
    if connection.in_atomic_block and any(
        entry[1] is replace_scope_version and entry[0] <= current
        for entry in connection.run_on_commit  # (savepoint ids, function, robust)
    ):
        return  # already due at this commit, whatever rolls back (many units saved)
    transaction.on_commit(replace_scope_version)


def _build_scope(user_id: int, is_superuser: bool) -> Scope:
    from danvan.core.models import RoleAssignment

    rows = RoleAssignment.objects.filter(user_id=user_id).values_list(
        "role", "area__path", "organization__path"
    )
    grants = [Grant(role, area, org) for role, area, org in rows]
    return Scope(
        user_id=user_id,
        is_system_admin=is_superuser or any(g.role == "system_admin" for g in grants),
        grants=[g for g in grants if g.role != "system_admin"],
    )


def get_scope(user: AnyUser, version: Any = None) -> Scope:
    """The user's scope, built once per user object (so once per request), and
    kept in the process under the scope version when the cache is shared.
    `version`: the scope version, when the caller has just read it with
    others in one round trip (`danvan.plans.models.readers_key`)."""
    if not user.is_authenticated or not user.is_active:
        return _ANON
    cached = getattr(user, "_danvan_scope", None)
    if cached is not None:
        return cached
    if version is None:
        version = scope_version()
    superuser = bool(getattr(user, "is_superuser", False))
    key = (version, user.pk, superuser)
    scope: Scope | None = _SCOPES.get(key) if version is not None else None
    if scope is None:
        scope = _build_scope(int(user.pk), superuser)
        if version is not None:
            scope._history_map()  # kept with the scope (same version)
            _SCOPES.set(key, scope)
    user._danvan_scope = scope  # type: ignore[union-attr,attr-defined]
    return scope


def forget_scope(user: AnyUser) -> None:
    if hasattr(user, "_danvan_scope"):
        del user._danvan_scope  # type: ignore[union-attr]


def _prefix_q(field_name: str, prefixes: list[str]) -> Q:
    q = Q()
    for p in prefixes:
        q |= Q(**{f"{field_name}__startswith": p})
    return q


class ScopedQuerySetMixin:
    """Adds ``visible_to(user, verb)`` to a queryset of a scoped model.

    A model declares where its area path and organisation path live, e.g.
    ``scope_area_path = "organization__area__path"``.
    """

    scope_area_path: str | tuple[str, ...] | None = None
    scope_org_path: str | None = None

    def visible_to(self, user: AnyUser, verb: str = VIEW) -> Any:
        qs: QuerySet[Any] = self  # type: ignore[assignment]
        scope = get_scope(user)
        if scope.user_id is None:
            return qs.none()
        if scope.is_system_admin:
            return qs.all()
        q = Q()
        matched = False
        if self.scope_area_path:
            prefixes = scope.area_prefixes(verb)
            if prefixes:
                fields = (
                    (self.scope_area_path,)
                    if isinstance(self.scope_area_path, str)
                    else self.scope_area_path
                )
                for field_name in fields:
                    q |= _prefix_q(field_name, prefixes)
                matched = True
        if self.scope_org_path:
            prefixes = scope.org_prefixes(verb)
            if prefixes:
                q |= _prefix_q(self.scope_org_path, prefixes)
                matched = True
        return qs.filter(q) if matched else qs.none()


M = TypeVar("M", bound=Model)


class OrganizationScopedQuerySet(ScopedQuerySetMixin, QuerySet[M]):
    """The records of a body (their `organization`): in scope where the user
    holds a role on the body, or on its unit."""

    scope_area_path = "organization__area__path"
    scope_org_path = "organization__path"


def get_visible_or_404(
    qs: QuerySet[M] | Manager[M], user: AnyUser, verb: str = VIEW, **lookup: Any
) -> M:
    """Fetch-and-check: the object if it exists and is in scope, else 404 (same answer)."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return qs.visible_to(user, verb).get(**lookup)  # type: ignore[union-attr, no-any-return]
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy.") from None


def can(user: AnyUser, verb: str, obj: Model) -> bool:
    """May `user` do `verb` on `obj`? Asks the very queryset that lists objects."""
    manager = type(obj)._default_manager
    return bool(manager.visible_to(user, verb).filter(pk=obj.pk).exists())  # type: ignore[attr-defined]


V = TypeVar("V", bound=Callable[..., Any])


def manager_only(view: V) -> V:
    """A staff view for those who may manage something (a create or import
    page): 404 for the others, as a viewer. Goes below `login_required` (or
    `core.views_common.staff_form_view`)."""

    @wraps(view)
    def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not get_scope(request.user).allows(MANAGE):
            raise Http404("Không tìm thấy.")  # as for an object out of scope
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
