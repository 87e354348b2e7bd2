"""Personal data of participants: the CCCD encrypted at rest and a keyed hash to
recognise a returning participant. The keys are core's (danvan.core.crypto):
FIELD_ENCRYPTION_KEYS and HASH_KEY; the masks for lists are core's too
(danvan.core.masking)."""

from __future__ import annotations

import logging

from danvan.core import crypto
from danvan.core.crypto import DecryptionError
from danvan.core.masking import mask_cccd
from danvan.core.validators import normalize_cccd

__all__ = ["DecryptionError"]

logger = logging.getLogger(__name__)

# Shown instead of a CCCD that the configured keys cannot read.
CCCD_UNREADABLE = (
    "Đã khai, nhưng hệ thống tạm thời không đọc được số đã lưu; vui lòng báo ban tổ chức."
)


def encrypt_cccd(cccd: str) -> str:
    return crypto.encrypt(normalize_cccd(cccd)) if cccd else ""


def decrypt_cccd(token: str) -> str:
    """The number in clear; DecryptionError when no configured key reads it."""
    return crypto.decrypt(token)


def cccd_or_notice(token: str, *, masked: bool) -> str:
    """For a page: the number (masked or not), or CCCD_UNREADABLE, logged as an
    error, when the keys cannot read it."""
    try:
        number = decrypt_cccd(token)
    except DecryptionError:
        logger.error("stored CCCD not readable with FIELD_ENCRYPTION_KEYS")
        return CCCD_UNREADABLE
    return mask_cccd(number) if masked else number


def cccd_hash(cccd: str) -> str:
    """A keyed hash (HMAC-SHA256): equal for equal numbers, useless without the key."""
    if not cccd:
        return ""
    return crypto.keyed_hash(b"danvan-cccd-hash", normalize_cccd(cccd).encode())
