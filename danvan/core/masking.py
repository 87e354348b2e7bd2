"""Masks for personal data shown in lists, exports and public pages.

The data itself is kept as entered (the CCCD encrypted at rest: danvan.core.crypto);
a mask is applied where it is shown to someone who need not see it whole.
"""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """0912345678 -> 0912***678"""
    if len(phone) < 7:
        return "***" if phone else ""
    return f"{phone[:4]}***{phone[-3:]}"


def mask_cccd(cccd: str) -> str:
    """093201001234 -> 093*******34"""
    if not cccd:
        return ""
    return f"{cccd[:3]}{'*' * (len(cccd) - 5)}{cccd[-2:]}"


def mask_name(full_name: str) -> str:
    """Nguyễn Thị Mỹ Linh -> Nguyễn T. M. Linh: family and given name kept, the
    middle names reduced to initials (how winners are published)."""
    parts = full_name.split()
    if len(parts) <= 2:
        return full_name
    middle = " ".join(f"{p[0]}." for p in parts[1:-1])
    return f"{parts[0]} {middle} {parts[-1]}"
