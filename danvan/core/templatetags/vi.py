"""Template filters for Vietnamese display: dd/mm/yyyy dates, grouped numbers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template

from danvan.core.text import format_date, format_datetime

register = template.Library()


@register.filter
def vndate(value: date | datetime | None) -> str:
    return format_date(value)


@register.filter
def vndatetime(value: datetime | None) -> str:
    return format_datetime(value) if value else ""


@register.filter
def mask_phone(value: str | None) -> str:
    """0912345678 -> 0912***678: a phone in a list."""
    from danvan.core.masking import mask_phone as masked

    return masked(value or "")


@register.filter
def vnnumber(value: Any) -> str:
    """1234567 -> 1.234.567 (Vietnamese thousands separator)."""
    if value is None or value == "":
        return ""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return str(value)


@register.filter
def percent(part: Any, whole: Any) -> str:
    try:
        return f"{100 * float(part) / float(whole):.1f}%".replace(".", ",")
    except (TypeError, ValueError, ZeroDivisionError):
        return "—"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.simple_tag(takes_context=True)
def unit_link(context: Any, unit: Any, label: str = "") -> str:
    """A link to the page of a unit (an Area or an Organization) when the reader
    may open it, its name as plain text when not: a link never ends in a 404
    (the city above a commune officer, the old province of a merged one)."""
    from django.urls import reverse
    from django.utils.html import format_html

    from danvan.core.models import Area
    from danvan.core.scope import VIEW, can

    if unit is None:
        return ""
    text = label or unit.name
    request = context.get("request")
    user = getattr(request, "user", None)
    seen: dict[tuple[str, int], bool] = context.render_context.setdefault("unit_link", {})
    key = (type(unit).__name__, unit.pk)
    if key not in seen:
        seen[key] = bool(user is not None and user.is_authenticated and can(user, VIEW, unit))
    if not seen[key]:
        return format_html('<span class="unit-out-of-scope">{}</span>', text)
    page = "staff:area_detail" if isinstance(unit, Area) else "staff:org_detail"
    return format_html('<a href="{}">{}</a>', reverse(page, args=[unit.pk]), text)


FOLLOW_UP_TEXT = 1500
"""The words handed to a follow-up by its link, at most (the rest is read at its source)."""


@register.simple_tag(takes_context=True)
def follow_ups(context: Any, source: str, text: str, note: str = "", unit: Any = None) -> str:
    """Links to the actions other apps registered on the people's words
    (`core.registry.register_follow_up`), for the reader they allow: e.g.
    "Chuyển thành kiến nghị" under a survey's written answer."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.html import format_html, format_html_join

    from danvan.core.registry import FOLLOW_UPS

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not FOLLOW_UPS:
        return ""
    params = {"nguon": source, "noi_dung": str(text)[:FOLLOW_UP_TEXT], "ghi_chu": note}
    if unit is not None:
        params["don_vi"] = str(getattr(unit, "pk", unit))
    query = urlencode({k: v for k, v in params.items() if v})
    links = [(f"{reverse(f.url_name)}?{query}", f.label) for f in FOLLOW_UPS if f.allowed(user)]
    if not links:
        return ""
    return format_html(
        '<span class="follow-ups small">{}</span>',
        format_html_join(" · ", '<a href="{}">{}</a>', links),
    )
