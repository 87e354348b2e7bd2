"""Staff sessions end after a period of inactivity."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LAST_SEEN_KEY = "danvan_last_seen"


class StaffIdleTimeoutMiddleware:
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
        return self.get_response(request)
