"""Keys for personal data: field encryption and keyed hashes.

Two settings of their own, both required in production (a system check,
`check_keys`, refuses to start without them); in development they are derived
from SECRET_KEY exactly as before they existed, so existing data still reads:

* FIELD_ENCRYPTION_KEYS: secrets, newest first. Each becomes a Fernet key
  (SHA-256 of a purpose label and the secret); data is encrypted with the
  newest and read with any of them (cryptography's MultiFernet), so a key can
  be rotated: add a new one in front, run `manage.py rotate_field_key`, then
  drop the old one. A value no key can read raises DecryptionError, never an
  empty string.
* HASH_KEY: the secret of the keyed hashes (HMAC-SHA256) that recognise a
  returning participant or a spent survey token, code or phone number. It
  cannot be rotated: a new key makes every stored hash unrecognisable, and so
  every one-response guard useless.

Models with encrypted columns are listed by their apps (`register_encrypted_field`,
in AppConfig.ready) so that the rotation command, here in core, finds them
without core importing the apps.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model

ENCRYPTION_PURPOSE = b"danvan-cccd-encryption"
ENCRYPTED_FIELDS: list[tuple[type[Model], str]] = []


class DecryptionError(Exception):
    """A stored value that none of the FIELD_ENCRYPTION_KEYS can read."""

    message = (
        "Không giải mã được dữ liệu cá nhân đã lưu: khóa mã hóa (FIELD_ENCRYPTION_KEYS) "
        "không khớp với dữ liệu. Hãy báo quản trị kỹ thuật."
    )


def derive(purpose: bytes, secret: str) -> bytes:
    """32 bytes for one purpose from one secret (the derivation used since the start)."""
    return hashlib.sha256(purpose + b"\x00" + secret.encode()).digest()


def _secrets() -> tuple[str, ...]:
    keys = tuple(k for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if k)
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set (docs/operations.md).")
    return keys


@cache
def _fernet_for(secret: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive(ENCRYPTION_PURPOSE, secret)))


def fernet() -> MultiFernet:
    """Encrypts with the newest key, decrypts with any."""
    return MultiFernet([_fernet_for(s) for s in _secrets()])


def newest_fernet() -> Fernet:
    return _fernet_for(_secrets()[0])


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(DecryptionError.message) from exc


def hash_key(purpose: bytes) -> bytes:
    """The key of one kind of keyed hash, derived from HASH_KEY."""
    secret = getattr(settings, "HASH_KEY", "")
    if not secret:
        raise ImproperlyConfigured("HASH_KEY must be set (docs/operations.md).")
    return derive(purpose, secret)


def keyed_hash(purpose: bytes, message: bytes) -> str:
    """HMAC-SHA256 of `message` under the key of `purpose`, as hex."""
    return hmac.new(hash_key(purpose), message, hashlib.sha256).hexdigest()


def register_encrypted_field(model: type[Model], field_name: str) -> None:
    """An app's column holding values of `encrypt` (for rotate_field_key)."""
    if (model, field_name) not in ENCRYPTED_FIELDS:
        ENCRYPTED_FIELDS.append((model, field_name))


@checks.register(checks.Tags.security, deploy=False)
def check_keys(**kwargs: object) -> list[checks.CheckMessage]:
    """Both keys are settings of their own in production (development derives them)."""
    errors: list[checks.CheckMessage] = []
    if not [k for k in getattr(settings, "FIELD_ENCRYPTION_KEYS", []) if k]:
        errors.append(
            checks.Error(
                "FIELD_ENCRYPTION_KEYS is not set.",
                hint="Set it to one long random secret (a comma-separated list, newest "
                "first, while rotating). An existing installation sets it to the value "
                "that encrypted its data: its former FIELD_ENCRYPTION_KEY, else its "
                "SECRET_KEY (docs/operations.md, 'Keys').",
                id="danvan.E001",
            )
        )
    if not getattr(settings, "HASH_KEY", ""):
        errors.append(
            checks.Error(
                "HASH_KEY is not set.",
                hint="Set it once and keep it: it cannot be rotated without losing every "
                "stored hash (returning participants, spent survey tokens and codes). An "
                "existing installation sets it to its former FIELD_ENCRYPTION_KEY, else "
                "its SECRET_KEY (docs/operations.md, 'Keys').",
                id="danvan.E002",
            )
        )
    return errors
