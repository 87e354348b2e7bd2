"""Good people, good deeds: the public nomination and the published list (at
/nguoi-tot-viec-tot/, namespace "practices"), and the staff side (in
"practices_staff"): the list, a staff nomination, verification, publishing,
commendation. Staff see the nominations of the units in their scope."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from danvan.core import images
from danvan.core.crypto import decrypt
from danvan.core.forms import form_error
from danvan.core.listing import StaffRequest, list_page, status_filter
from danvan.core.masking import mask_phone
from danvan.core.middleware import client_ip
from danvan.core.models import Area
from danvan.core.photos import PhotosForm
from danvan.core.places import public_places
from danvan.core.ratelimit import RateLimited, too_many
from danvan.core.scope import MANAGE, can, get_scope, get_visible_or_404, manager_only
from danvan.core.views_common import form_page, move_links, staff_form_view, staff_page
from danvan.practices import deeds
from danvan.practices import forms_deeds as f
from danvan.practices.models import DeedStatus, GoodDeed, PhotoStatus
from danvan.practices.photos import MAX_DEED_PHOTOS
from danvan.practices.views_public import (
    PAGES,
    commune_filter,
    share_preview,
    showcase_page,
)

NAV = "practices"

# --- Public ----------------------------------------------------------------------------


@require_safe
@PAGES.cached
def published(request: HttpRequest) -> HttpResponse:
    """The published good deeds, newest first, with filters by commune and year."""
    qs, commune = commune_filter(request, GoodDeed.objects.filter(status=DeedStatus.PUBLISHED))
    year = request.GET.get("nam", "")
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(published_at__year=int(year))
    page = showcase_page(request, qs.order_by("-published_at", "-pk"), 20)
    return render(
        request,
        "practices/public/deeds.html",
        {"page_obj": page, "year": year, **commune},
    )


@require_safe
@PAGES.cached
def deed_public(request: HttpRequest, pk: int) -> HttpResponse:
    """A published good deed, to share (og:title, og:description, og:image)."""
    deed = (
        GoodDeed.objects.filter(status=DeedStatus.PUBLISHED, pk=pk).select_related("area").first()
    )
    if deed is None:
        raise Http404("Không tìm thấy.")
    photos = list(deed.photos.filter(status=PhotoStatus.READY))
    title = f"{deed.public_name} — gương người tốt, việc tốt"
    return render(
        request,
        "practices/public/deed.html",
        {
            "deed": deed,
            "photos": photos,
            "og": share_preview(request, title, deed.deed[:200], photos),
        },
    )


@require_http_methods(["GET", "POST"])
def nominate(request: HttpRequest) -> HttpResponse:
    areas, province, provinces = public_places(request)
    form = f.PublicDeedForm(request.POST or None, request.FILES or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photos: list[images.Checked] = []
        if data["trang_web"]:  # a robot: thanked, nothing kept
            return redirect("practices:nominated")
        try:
            deeds.check_stamp(data["t"])
            deeds.LIMITS.check_all(
                [
                    ("deed_ip", client_ip(request)),
                    ("deed_phone", deeds.phone_hash(data["nominator_phone"])),
                ]
            )
        except RateLimited as error:
            return too_many(request, error)
        except ValidationError as error:
            form_error(form, error)
        else:
            try:  # decoded only once the limits have let the request through
                photos = images.check_images(data["photos"])
            except ValidationError as error:
                form.add_error("photos", error)
        if form.is_valid():
            deeds.nominate(
                nominee_name=data["nominee_name"],
                collective=data["collective"],
                area=Area.objects.get(pk=data["place"]),
                deed=data["deed"],
                nominator_name=data["nominator_name"],
                nominator_phone=data["nominator_phone"],
                photos=photos,
            )
            return redirect("practices:nominated")
    # A fresh signed time with every page shown (the time-to-fill check).
    return render(
        request,
        "practices/public/nominate.html",
        {
            "form": form,
            "stamp": deeds.form_stamp(),
            "photos_lost": bool(request.FILES),
            "provinces": provinces,
            "province": province,
        },
    )


@require_safe
def nominated(request: HttpRequest) -> HttpResponse:
    return render(request, "practices/public/nominated.html")


# --- Staff -----------------------------------------------------------------------------


def _fetch(request: StaffRequest, pk: int, verb: str = "view") -> GoodDeed:
    return get_visible_or_404(GoodDeed.objects.select_related("area"), request.user, verb, pk=pk)


@staff_page
def deed_list(request: StaffRequest) -> HttpResponse:
    qs = GoodDeed.objects.visible_to(request.user).select_related("area")
    qs, chosen = status_filter(request, qs, DeedStatus)
    return list_page(
        request,
        "practices/staff/deed_list.html",
        qs.order_by("-created_at", "-pk"),
        nav=NAV,
        can_add=get_scope(request.user).allows(MANAGE),
        **chosen,
    )


@staff_form_view
@manager_only
def deed_add(request: StaffRequest) -> HttpResponse:
    form = f.DeedForm(
        request.POST or None,
        request.FILES or None,
        areas=Area.objects.visible_to(request.user, MANAGE),
        initial={"nominator_name": request.user.get_full_name()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        area = get_visible_or_404(Area.objects, request.user, MANAGE, pk=data["place"])
        try:
            photos = images.check_images(data["photos"])
        except ValidationError as error:
            form.add_error("photos", error)
        else:
            deed = deeds.nominate(
                nominee_name=data["nominee_name"],
                collective=data["collective"],
                area=area,
                deed=data["deed"],
                nominator_name=data["nominator_name"],
                by_staff=request.user,
                photos=photos,
            )
            messages.success(request, "Đã ghi nhận; hãy xác minh rồi công bố.")
            return redirect(deed)
    return render(
        request,
        "practices/staff/deed_form.html",
        {"nav": NAV, "form": form, "photos_lost": bool(request.FILES)},
    )


@staff_page
def deed_detail(request: StaffRequest, pk: int) -> HttpResponse:
    deed = _fetch(request, pk)
    can_manage = can(request.user, MANAGE, deed)
    phone = ""
    if can_manage and deed.nominator_phone_encrypted:
        phone = decrypt(deed.nominator_phone_encrypted)
    actions = move_links(deed, "practices_staff:deed_{}", deeds.DEED_MOVES, deeds.DEED_LABELS)
    return render(
        request,
        "practices/staff/deed_detail.html",
        {
            "nav": NAV,
            "deed": deed,
            "can_manage": can_manage,
            "phone": phone if can_manage else mask_phone(phone),
            "actions": actions if can_manage else [],
            "commend_form": f.CommendForm() if deed.status == DeedStatus.PUBLISHED else None,
            "photos": deed.photos.all(),
            "max_photos": MAX_DEED_PHOTOS,
            "photos_form": PhotosForm(),
            "photos_add_url": reverse("practices_staff:deed_photos", args=[deed.pk]),
        },
    )


@staff_form_view
def deed_move(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    deed = _fetch(request, pk, MANAGE)
    form = f.DeedMoveForm(request.POST or None, initial={"nominee_consents": deed.nominee_consents})

    def move(data: dict[str, Any]) -> None:
        consents = data["nominee_consents"] if action == "verify" else None
        deeds.move_deed(deed, action, note=data["note"], nominee_consents=consents)

    return form_page(
        request,
        form,
        move,
        done=deeds.DEED_MOVES[action][2],
        then=deed,
        template="practices/staff/deed_move.html",
        context={"nav": NAV, "deed": deed, "action": action,
                 "label": deeds.DEED_LABELS[action],
                 "blocked": deed.status not in deeds.DEED_MOVES[action][0]},
    )  # fmt: skip


@staff_form_view
def deed_commend(request: StaffRequest, pk: int) -> HttpResponse:
    deed = _fetch(request, pk, MANAGE)
    return form_page(
        request,
        f.CommendForm(request.POST or None),
        lambda data: deeds.commend(deed, **data),
        done="Đã ghi nhận khen thưởng.",
        then=deed,
        template="practices/staff/deed_commend.html",
        context={"nav": NAV, "deed": deed},
    )
