"""Staff session policy (idle expiry, a temporary password to change first), the
audit log's request context (who, and from which address), the cleaning of
submitted text and the security headers of every page."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from auditlog.middleware import AuditlogMiddleware as BaseAuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from danvan.core.text import CONTROL_RE, clean_text

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


def _cleaned(data: QueryDict) -> QueryDict:
    """`data` with `clean_text` applied to every key and value (the same object
    when there is nothing to clean), immutable as Django gives it."""
    if not any(CONTROL_RE.search(k) or any(map(CONTROL_RE.search, vs)) for k, vs in data.lists()):
        return data
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        clean.setlist(clean_text(key), [clean_text(v) for v in values])
    clean._mutable = False
    return clean


class CleanInputMiddleware:
    """The one cleaning of what a form sends: control characters (other than tab
    and line breaks) are removed from the query string, the form fields and the
    cookies before any view reads them, so that no NUL reaches PostgreSQL (which
    refuses it with a 500) and no terminal escape reaches a log or an export.
    Uploaded files are untouched; JSON bodies go through `clean_json` where they
    are parsed, spreadsheet cells through `clean_text` where they are read. A
    path with a control character in it is no page of ours: 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if CONTROL_RE.search(request.path_info):
            raise Http404("Không tìm thấy trang.")
        # Immutable QueryDicts, as Django's (the stubs know no immutable type to build).
        request.GET = _cleaned(request.GET)  # type: ignore[assignment]
        if request.method == "POST":
            request.POST = _cleaned(request.POST)  # type: ignore[assignment]
        if any(CONTROL_RE.search(v) for v in request.COOKIES.values()):
            request.COOKIES = {k: clean_text(v) for k, v in request.COOKIES.items()}
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer (CONTENT_SECURITY_POLICY), and
    `Cache-Control: no-store, private` on the staff workspace and on any page
    shown to a signed-in official, so that names and figures do not stay in the
    browser cache of a shared commune computer after signing out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CONTENT_SECURITY_POLICY
        # Django's own debug pages (DEBUG only) are built with inline script and style.
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        if policy and not debug_page and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        if request.path.startswith(settings.STAFF_PATH_PREFIXES) or self._signed_in(request):
            patch_cache_control(response, no_store=True, private=True)
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        """Whether an official is signed in; a request without a session cookie is
        not asked (reading the session would add `Vary: Cookie` to public pages)."""
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return False
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
