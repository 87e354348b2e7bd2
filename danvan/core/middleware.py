"""Staff session policy (idle expiry, a temporary password to change first) and
the audit log's request context (who, and from which address)."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN_KEY = "danvan_last_seen"


def client_ip(request: HttpRequest) -> str:
    """The client's address. Behind N trusted proxies (PROXY_COUNT, as for django-axes)
    take the N-th address from the right of X-Forwarded-For; otherwise REMOTE_ADDR."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return remote


def client_address(request: HttpRequest) -> str | None:
    """The client's address as sign-in throttling, rate limits and the audit log
    see it. The decision (REMOTE_ADDR, or the PROXY_COUNT-th address from the
    right of X-Forwarded-For) is `client_ip`'s; this only turns what is not an
    IP address into None (a port suffix is dropped), so that the address
    columns of the audit log and of django-axes never receive garbage."""
    value = client_ip(request).strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # 203.0.113.9:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class AuditlogMiddleware(BaseAuditlogMiddleware):
    """django-auditlog's middleware records the first address of X-Forwarded-For,
    which the client writes itself. Take the address the way sign-in throttling
    does instead (PROXY_COUNT trusted proxies), and the port only from the
    connection or from those proxies."""

    @staticmethod
    def _get_remote_addr(request: HttpRequest) -> str | None:
        if settings.AUDITLOG_DISABLE_REMOTE_ADDR:
            return None
        return client_address(request)

    @staticmethod
    def _get_remote_port(request: HttpRequest) -> int | None:
        proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
        if proxies:
            ports = request.headers.get("X-Forwarded-Port", "").split(",")
            value = ports[-1].strip()
        else:
            value = str(request.META.get("REMOTE_PORT", ""))
        return int(value) if value.isdigit() and 0 < int(value) < 65536 else None


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after a period of inactivity; an account whose password
    an administrator reset is sent to change it before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - int(last_seen) > settings.STAFF_IDLE_SECONDS:
                logout(request)
                messages.info(
                    request, "Phiên làm việc đã hết hạn do không hoạt động. Vui lòng đăng nhập lại."
                )
            else:
                # Write at most once a minute to keep session saves cheap.
                if last_seen is None or now - int(last_seen) >= 60:
                    request.session[LAST_SEEN_KEY] = now
                if getattr(request.user, "must_change_password", False):
                    response = self._change_password_first(request)
                    if response is not None:
                        return response
        return self.get_response(request)

    @staticmethod
    def _change_password_first(request: HttpRequest) -> HttpResponse | None:
        """Inside the staff workspace and the admin, only the password change and
        signing out are open while the password is a temporary one."""
        path = request.path
        workspace = (reverse("staff:dashboard"), reverse("admin:index"))
        allowed = (
            reverse("staff:password_change"),
            reverse("staff:password_change_done"),
            reverse("staff:logout"),
        )
        if not path.startswith(workspace) or path in allowed:
            return None
        messages.warning(
            request,
            "Mật khẩu của bạn là mật khẩu tạm do quản trị viên đặt. "
            "Vui lòng đổi mật khẩu mới trước khi tiếp tục.",
        )
        return redirect("staff:password_change")
