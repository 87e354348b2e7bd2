"""One-time codes that prove a person holds a phone, for any app (public
voting: `danvan.practices.views_votes`). Sent through the same gateway as the
contests' sign-in codes (`settings.CONTEST_OTP_GATEWAY`, a dotted path to a
class with `send(phone, text)` that raises on failure); off when it is empty.

A code is 6 digits, valid `CODE_TTL`, `MAX_TRIES` wrong entries, one per
(purpose, phone) at a time (a new one replaces it), spent once right. Only a
keyed hash of it is kept, in the shared cache (no table: a code lives five
minutes); the tries are counted there atomically, so guesses sent in parallel
still count one each. Sending is rate limited by the caller.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string

from danvan.core.crypto import keyed_hash

logger = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
NOT_SENT = "Chưa gửi được mã xác nhận tới số điện thoại này. Vui lòng thử lại sau ít phút."
WRONG = "Mã xác nhận không đúng. Bạn còn {left} lần thử."
EXPIRED = "Mã xác nhận đã hết hạn hoặc đã dùng. Vui lòng gửi lại mã mới."
TOO_MANY = "Bạn đã nhập sai quá nhiều lần, mã này không dùng được nữa. Vui lòng gửi lại mã mới."


class CodeError(Exception):
    """A refusal with a Vietnamese message for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def enabled() -> bool:
    return bool(getattr(settings, "CONTEST_OTP_GATEWAY", ""))


def _gateway() -> Any:
    path = getattr(settings, "CONTEST_OTP_GATEWAY", "")
    return import_string(path)() if path else None


def _keys(ticket: str) -> tuple[str, str]:
    return f"phone-code:{ticket}", f"phone-code-tries:{ticket}"


def _digest(ticket: str, code: str) -> str:
    return keyed_hash(b"core:phone-code-value", f"{ticket}:{code}".encode())


def send_code(purpose: str, phone: str, text: str) -> str:
    """Send a fresh code to `phone`; `text` holds "{code}" and "{minutes}".
    Returns the ticket to check it by (a keyed hash of purpose and phone: the
    caller keeps it, e.g. in the session, never the phone). Raises CodeError
    when no gateway is set or it fails (no code is then kept)."""
    sender = _gateway()
    if sender is None:
        raise CodeError(NOT_SENT)
    ticket = keyed_hash(b"core:phone-code", f"{purpose}:{phone}".encode())[:40]
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    key, tries = _keys(ticket)
    ttl = int(CODE_TTL.total_seconds())
    cache.set_many({key: _digest(ticket, code), tries: 0}, ttl)
    try:
        sender.send(phone, text.format(code=code, minutes=ttl // 60))
    except Exception:
        logger.exception("could not send a one-time code")
        cache.delete_many([key, tries])
        raise CodeError(NOT_SENT) from None
    return ticket


def check_code(ticket: str, code: str) -> None:
    """Spend the code of `ticket` if `code` is it; else raise CodeError (a
    wrong code counts a try; the last try spends the code)."""
    key, tries = _keys(ticket)
    digest = cache.get(key)
    if digest is None:
        raise CodeError(EXPIRED)
    try:
        used = int(cache.incr(tries))
    except ValueError:  # expired since
        raise CodeError(EXPIRED) from None
    if used > MAX_TRIES:
        cache.delete(key)
        raise CodeError(TOO_MANY)
    typed = "".join(ch for ch in code if ch.isascii() and ch.isdigit())
    if constant_time_compare(_digest(ticket, typed), digest):
        if not cache.delete(key):  # spent by a parallel request
            raise CodeError(EXPIRED)
        return
    if used == MAX_TRIES:
        cache.delete(key)
        raise CodeError(TOO_MANY)
    raise CodeError(WRONG.format(left=MAX_TRIES - used))
