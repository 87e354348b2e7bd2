from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from danvan.core.registry import HOME_SECTIONS, STAFF_MENU


def site(request: HttpRequest) -> dict[str, Any]:
    """Site name, which staff menu items the signed-in user may open, and the
    menu entries and home page sections the apps registered (danvan.core.registry)."""

    def staff_can() -> dict[str, bool]:
        from danvan.core.scope import AUDIT, GRANT, get_scope

        scope = get_scope(request.user)
        return {"grant": scope.allows(GRANT), "audit": scope.allows(AUDIT)}

    return {
        "SITE_NAME": settings.SITE_NAME,
        "staff_can": SimpleLazyObject(staff_can),
        "app_menu": STAFF_MENU,
        "home_sections": HOME_SECTIONS,
    }
