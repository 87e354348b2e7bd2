"""The public showcase of practices and exemplars (at /mo-hinh/, namespace
"practices_public"): those recognised (or replicated), with filters by field,
commune and year, and a detail page to share (Zalo, Facebook: og:title,
og:description). Nothing a staff page keeps private is shown: no phone, no
staff names, no evaluation."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from danvan.core.cache import PublicPages
from danvan.core.models import Area, AreaKind
from danvan.practices.models import Field, Kind, Photo, PhotoStatus, Practice, Status

SHOWN = (Status.RECOGNISED, Status.REPLICATED)
PAGES = PublicPages("practices:public")
"""The public pages of practices and good deeds, kept 30 s for visitors without
a session; any change of a practice, a deed, a photo or a result shows at once
(apps.py connects the signals that call `PAGES.changed`)."""


def ready_photos(to_attr: str = "shown_photos") -> Prefetch:
    """The photos whose sizes are made, in order, as a list on each row."""
    return Prefetch(
        "photos", queryset=Photo.objects.filter(status=PhotoStatus.READY), to_attr=to_attr
    )


def chosen_commune(request: HttpRequest) -> Area | None:
    """The commune of the `xa` filter of a public list, if it names one."""
    raw = request.GET.get("xa", "")
    if not raw.isdigit():
        return None
    return Area.objects.filter(pk=int(raw), kind=AreaKind.COMMUNE).first()


def communes_of(rows: Any) -> Any:
    """The current communes where some of `rows` (practices, deeds) are, in
    the commune or one of its hamlets, by name: the choices of the `xa` filter."""
    pairs = rows.values_list("area__path", "area__kind").distinct().order_by()
    paths = {path[: -Area.steplen] if kind == AreaKind.HAMLET else path for path, kind in pairs}
    return Area.objects.filter(
        kind=AreaKind.COMMUNE, valid_to__isnull=True, path__in=paths
    ).order_by("name")


def commune_filter(request: HttpRequest, shown: Any) -> tuple[Any, dict[str, Any]]:
    """`shown` (the published practices or deeds) narrowed to the commune asked
    by ?xa=, with its hamlets, and what the filter shows: `communes` (where
    some of `shown` are) and `commune` (the one chosen, or "")."""
    place = chosen_commune(request)
    qs = shown if place is None else shown.filter(area__path__startswith=place.path)
    return qs, {"communes": communes_of(shown), "commune": place.pk if place else ""}


def showcase_page(request: HttpRequest, shown: Any, per_page: int) -> Page:
    """The page asked by ?page= of `shown` (published practices or deeds, in
    their order), each with its area and its ready photos."""
    rows = shown.select_related("area").prefetch_related(ready_photos())
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def share_preview(
    request: HttpRequest, title: str, description: str, photos: list[Photo]
) -> dict[str, object]:
    """og:title, og:description, og:url and, with a photo, og:image (absolute
    URLs), for templates/public/_og.html."""
    og: dict[str, object] = {
        "title": title,
        "description": description,
        "url": request.build_absolute_uri(),
    }
    image = photos[0].share if photos else None
    if image is not None:
        og["image"] = request.build_absolute_uri(image["url"])
        og["image_width"], og["image_height"] = image["width"], image["height"]
    return og


@require_safe
@PAGES.cached
def gallery(request: HttpRequest) -> HttpResponse:
    qs, commune = commune_filter(request, Practice.objects.filter(status__in=SHOWN))
    kind = request.GET.get("loai", "")
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    field = request.GET.get("linh_vuc", "")
    if field in Field.values:
        qs = qs.filter(field=field)
    year = request.GET.get("nam", "")
    if year.isdigit():
        qs = qs.filter(year=int(year))
    page = showcase_page(request, qs.order_by("-decision_date", "-pk"), 24)
    return render(
        request,
        "practices/public/gallery.html",
        {
            "page_obj": page,
            "fields": Field.choices,
            "kinds": Kind.choices,
            "kind": kind,
            "field": field,
            "year": year,
            **commune,
        },
    )


@require_safe
@PAGES.cached
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    practice = (
        Practice.objects.filter(status__in=SHOWN)
        .select_related("area", "organization")
        .filter(pk=pk)
        .first()
    )
    if practice is None:
        raise Http404("Không tìm thấy.")
    summary = (practice.aims or practice.method or practice.title)[:200]
    photos = list(practice.photos.filter(status=PhotoStatus.READY))
    return render(
        request,
        "practices/public/detail.html",
        {
            "practice": practice,
            "indicators": practice.indicators.all(),
            "photos": photos,
            "og": share_preview(request, practice.title, summary, photos),
        },
    )
