"""Public uploaded images under MEDIA_URL, in every profile (DEBUG or not).

Contest banners and survey share images are shown on public pages and fetched
by Zalo and Facebook for link previews, so the app serves them itself: only
below PUBLIC_MEDIA_PREFIXES, only image files, with their own Content-Type
(`X-Content-Type-Options: nosniff` comes from SecurityMiddleware) and a day of
caching (revalidated by Last-Modified). They are read through the default
storage (STORAGES), a folder on this machine or an S3-compatible bucket alike.
Everything else in the storage (uploaded imports under jobs/, exports under
exports/) answers 404 here: those files are served by staff views after their
scope checks.
"""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.static import was_modified_since

PUBLIC_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
CACHE_SECONDS = 24 * 3600


def public_path(path: str) -> str | None:
    """`path` (a name in the storage) when it names a public image, else None:
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
    if name is None or not default_storage.exists(name):
        raise Http404("Không tìm thấy tệp.")
    modified = _modified_time(name)
    response: HttpResponseBase
    if modified is not None and not was_modified_since(
        request.headers.get("If-Modified-Since"), modified
    ):
        response = HttpResponseNotModified()
    else:
        try:
            image = default_storage.open(name, "rb")
        except OSError:  # a folder of that name
            raise Http404("Không tìm thấy tệp.") from None
        content_type = PUBLIC_IMAGE_TYPES[posixpath.splitext(name)[1].lower()]
        response = FileResponse(image, content_type=content_type)
        response["Content-Disposition"] = "inline"
        if modified is not None:
            response["Last-Modified"] = http_date(modified)
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _modified_time(name: str) -> float | None:
    """When the file last changed, if the storage can tell."""
    try:
        return default_storage.get_modified_time(name).timestamp()
    except (NotImplementedError, OSError):
        return None
