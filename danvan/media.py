"""Public uploaded images under MEDIA_URL, in every profile (DEBUG or not).

Contest banners and survey share images are shown on public pages and fetched
by Zalo and Facebook for link previews, so the app serves them itself: only
below PUBLIC_MEDIA_PREFIXES, only image files, with their own Content-Type
(`X-Content-Type-Options: nosniff` comes from SecurityMiddleware) and a day of
caching (revalidated by Last-Modified). Everything else under MEDIA_ROOT
(uploaded imports under jobs/, exports under exports/) answers 404 here: those
files are served by staff views after their scope checks.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe
from django.views.static import serve

PUBLIC_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
CACHE_SECONDS = 24 * 3600


def public_path(path: str) -> str | None:
    """`path` (relative to MEDIA_ROOT) when it names a public image, else None:
    no `..`, no absolute path, no backslash, under a public prefix, an image type."""
    if "\\" in path or "\x00" in path or path.startswith("/"):
        return None
    normal = posixpath.normpath(path)
    if normal != path or normal.startswith(".."):
        return None
    if not normal.startswith(tuple(settings.PUBLIC_MEDIA_PREFIXES)):
        return None
    if posixpath.splitext(normal)[1].lower() not in PUBLIC_IMAGE_TYPES:
        return None
    return normal


@require_safe
def public_media(request: HttpRequest, path: str) -> HttpResponseBase:
    name = public_path(path)
    if name is None:
        raise Http404("Không tìm thấy tệp.")
    response = serve(request, name, document_root=str(settings.MEDIA_ROOT))
    if response.status_code == 200:
        response["Content-Type"] = PUBLIC_IMAGE_TYPES[posixpath.splitext(name)[1].lower()]
        response["Content-Disposition"] = "inline"
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response
