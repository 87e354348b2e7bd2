"""What a process keeps in memory and forgets when rows change.

A process keeps some things between requests (the scopes of its users, an
app's rendered public pages, the units a survey offers) and must drop them
when the rows they were made of change. An app's `ready()` says which, once:

    on_rows_changed(scopes_changed, Area, Organization, uid="scope")

(`cache.Version.on_change_of` does the same for a counter shared by every
process.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models.signals import post_delete, post_save


def on_rows_changed(
    action: Callable[[], object], *models: Any, uid: str, deletes: bool = True
) -> None:
    """Call `action()` whenever a row of one of `models` is saved and, unless
    `deletes` is false, deleted. `uid` names the connections (one a model and
    signal), so that connecting again replaces them rather than doubling."""

    def receiver(**kwargs: object) -> None:
        action()

    for model in models:
        name = f"{uid}:{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=name)
        if deletes:
            post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{name}:del")
