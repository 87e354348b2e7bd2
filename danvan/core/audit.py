"""Audit trail: django-auditlog records every change of the staff-managed models
(who, what, when, from which address). The log table is append-only: database
triggers (see the migration) refuse UPDATE and DELETE on it.

Password values (and their hashes) are never recorded: the password field is
left out of the account's entries, and a separate entry says only that the
password was changed (by its owner, or reset by an administrator: the actor).

The audit page lists the entries filed under the units of the reader's audit
scope, but shows an entry's values (and the object's name) only to those who
may see its object now: each app registers, for each audited model, the rule
"which objects may this user see" (`register_visibility`, in its
AppConfig.ready, beside `register_audited` for the models it audits; both at
once with `register_audited_models`), so core never imports the apps. Others
see who, when, what kind of change, on what kind of record and in which unit.
An entry of an object deleted since shows its values to whoever sees the
entry, unless the model says otherwise (a draft only its author could read).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from auditlog.context import auditlog_disabled
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db.models import Model, Q, QuerySet
from django.db.models.signals import post_save

from danvan.core.scope import VIEW, get_scope

# What a password-change entry records instead of the values.
PASSWORD_CHANGED = {"password": ["******", "******"]}


@dataclass(frozen=True)
class Visibility:
    visible: Callable[[Any], QuerySet[Any]]  # user -> the objects they may see now
    show_deleted: bool  # a deleted object's entries show their values


VISIBILITY: dict[type[Model], Visibility] = {}


def register_audited(*models: type[Model], exclude_fields: Iterable[str] = ()) -> None:
    """Record every change of `models` (each once: registering again is a
    no-op), leaving `exclude_fields` out of their entries."""
    for model in models:
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=list(exclude_fields))


def register_visibility(
    model: type[Model], visible: Callable[[Any], QuerySet[Any]], *, show_deleted: bool = True
) -> None:
    """Declare who may read the values of `model`'s audit entries: those for
    whom `visible(user)` contains the object."""
    VISIBILITY[model] = Visibility(visible, show_deleted)


def register_audited_models(
    rules: Mapping[type[Model], Callable[[Any], QuerySet[Any]]],
    *,
    exclude_fields: Mapping[type[Model], Iterable[str]] | None = None,
    hide_deleted: Iterable[type[Model]] = (),
) -> None:
    """Audit each model of `rules` (`register_audited`) and declare who may
    read the values of its entries: `rules[model]`, e.g. `scoped(model)` or
    `through(...)` (`register_visibility`). `exclude_fields[model]` is left
    out of that model's entries; the entries of a deleted object of a model in
    `hide_deleted` show their values to no one (`show_deleted=False`).

        register_audited_models(
            {Programme: scoped(Programme), Inspection: scoped(Inspection)},
            exclude_fields={Inspection: ["notes"]},
        )
    """
    exclude_fields = exclude_fields or {}
    hidden = set(hide_deleted)
    unknown = (set(exclude_fields) | hidden) - set(rules)
    if unknown:
        raise ValueError(f"Models without a visibility rule: {sorted(map(str, unknown))}")
    for model, rule in rules.items():
        register_audited(model, exclude_fields=exclude_fields.get(model, ()))
        register_visibility(model, rule, show_deleted=model not in hidden)


def scoped(model: type[Model], verb: str = VIEW) -> Callable[[Any], QuerySet[Any]]:
    """The rule of a scoped model: its `visible_to(user, verb)`."""

    def visible(user: Any) -> QuerySet[Any]:
        return model._default_manager.visible_to(user, verb)  # type: ignore[attr-defined,no-any-return]

    return visible


def through(
    model: type[Model], lookup: str, parents: Callable[[Any], QuerySet[Any]]
) -> Callable[[Any], QuerySet[Any]]:
    """The rule of a record that follows another one (a contest's question
    follows the contest): visible when `lookup` is among `parents(user)`."""

    def visible(user: Any) -> QuerySet[Any]:
        return model._default_manager.filter(**{f"{lookup}__in": parents(user)})

    return visible


def entries_with_values(user: Any, entries: Iterable[LogEntry]) -> set[int]:
    """The pks of the entries whose values `user` may read (one query a model)."""
    entries = list(entries)
    if get_scope(user).is_system_admin:
        return {e.pk for e in entries}
    by_model: dict[type[Model], list[LogEntry]] = defaultdict(list)
    for entry in entries:
        model = entry.content_type.model_class()
        if model is not None and model in VISIBILITY:
            by_model[model].append(entry)
    shown: set[int] = set()
    for model, group in by_model.items():
        rule = VISIBILITY[model]
        pks: dict[Any, list[LogEntry]] = defaultdict(list)
        for entry in group:
            try:
                pks[model._meta.pk.to_python(entry.object_pk)].append(entry)  # type: ignore[union-attr]
            except Exception:
                continue
        visible = set(rule.visible(user).filter(pk__in=list(pks)).values_list("pk", flat=True))
        existing = (
            set(model._default_manager.filter(pk__in=list(pks)).values_list("pk", flat=True))
            if rule.show_deleted
            else set()
        )
        for pk, items in pks.items():
            if pk in visible or (rule.show_deleted and pk not in existing):
                shown.update(e.pk for e in items)
    return shown


def register_models() -> None:
    from danvan.core.accounts import accounts_in_scope
    from danvan.core.models import (
        Area,
        MemberCount,
        Organization,
        Period,
        Restructuring,
        RoleAssignment,
        User,
    )

    areas = scoped(Area)
    register_audited_models(
        {
            Area: areas,
            Organization: scoped(Organization),
            MemberCount: scoped(MemberCount),
            Period: lambda user: Period.objects.all(),  # shared by every unit
            Restructuring: lambda user: Restructuring.objects.filter(
                Q(predecessors__in=areas(user)) | Q(successors__in=areas(user))
            ).distinct(),
            RoleAssignment: scoped(RoleAssignment),
            User: lambda user: User.objects.filter(
                Q(pk__in=accounts_in_scope(user)) | Q(pk=user.pk)
            ),
        },
        exclude_fields={User: ["password", "last_login", "full_name_folded"]},
    )
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
