"""An S3-compatible bucket as the default storage (STORAGES, set by S3_BUCKET).

Needs the optional extra `s3` (django-storages with boto3: `uv sync --extra s3`);
this module is imported only when the setting names it. Every file the app
writes or reads (uploaded imports, exports, banners, share images) goes through
Django's storage API, so the web servers and the worker then share no disk.

The bucket stays private. Links to files stay under MEDIA_URL, as with the
folder: the public images are read from the bucket and served by the app
(`danvan.media`, within the Content-Security-Policy's `img-src 'self'`), the
exports by the staff views after their checks. Nothing is linked at the bucket.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage


class BucketStorage(S3Storage):
    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name or "").lstrip("/"))
