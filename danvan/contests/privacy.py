"""Personal data of participants: the CCCD encrypted at rest, a keyed hash to
recognise a returning participant, masks for lists."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from danvan.core.validators import normalize_cccd


def _key(purpose: bytes) -> bytes:
    secret = (getattr(settings, "FIELD_ENCRYPTION_KEY", "") or settings.SECRET_KEY).encode()
    return hashlib.sha256(purpose + b"\x00" + secret).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_key(b"danvan-cccd-encryption")))


def encrypt_cccd(cccd: str) -> str:
    return _fernet().encrypt(normalize_cccd(cccd).encode()).decode() if cccd else ""


def decrypt_cccd(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def cccd_hash(cccd: str) -> str:
    """A keyed hash (HMAC-SHA256): equal for equal numbers, useless without the key."""
    if not cccd:
        return ""
    number = normalize_cccd(cccd).encode()
    return hmac.new(_key(b"danvan-cccd-hash"), number, hashlib.sha256).hexdigest()


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
