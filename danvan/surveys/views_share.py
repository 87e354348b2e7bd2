"""The default share image of a public survey (Open Graph "og:image"), drawn
from its title when staff uploaded none: see `share.default_image_png`."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

from danvan.surveys import share
from danvan.surveys.views_public import public_survey


@require_safe
def share_image(request: HttpRequest, slug: str) -> HttpResponse:
    """The PNG, for published and closed surveys only (a draft is not public).
    Its URL carries the digest (`?v=`), so it may be cached a long time."""
    survey = public_survey(slug)
    data, digest = share.default_image_png(survey)
    etag = f'"{digest[:32]}"'
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers={"ETag": etag})
    response = HttpResponse(data, content_type="image/png")
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Disposition"] = f'inline; filename="anh-chia-se-{survey.slug}.png"'
    return response
