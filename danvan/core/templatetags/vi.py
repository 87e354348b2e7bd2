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
