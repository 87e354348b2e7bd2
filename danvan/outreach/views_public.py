"""Public pages: a citizen's petition and its tracking by code, at /kien-nghi/
(namespace "petitions"); the notices of dialogues, at /doi-thoai/ (namespace
"dialogues"). The tracking page shows a petition's status, its dates, its
deadline and its public answer, never who raised it nor what it says."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from danvan.core.antispam import HONEYPOT, check_stamp, form_stamp
from danvan.core.forms import form_error
from danvan.core.middleware import client_ip
from danvan.core.models import Area
from danvan.core.photos import PhotoStatus
from danvan.core.places import public_places
from danvan.core.ratelimit import RateLimited, too_many
from danvan.outreach import forms as f
from danvan.outreach import petitions
from danvan.outreach.models import Dialogue, DialogueStatus, Petition, PetitionStatus, Source

DONE_SESSION_KEY = "outreach:petition-code"


@require_http_methods(["GET", "POST"])
def petition_new(request: HttpRequest) -> HttpResponse:
    areas, province, provinces = public_places(request)
    form = f.PublicPetitionForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data[HONEYPOT]:  # a robot: thanked, nothing kept
            return redirect("petitions:track")
        keys = [("petition_ip", client_ip(request))]
        if data["raiser_phone"]:
            keys.append(("petition_phone", petitions.phone_hash(data["raiser_phone"])))
        try:
            check_stamp(data["t"])
            petitions.LIMITS.check_all(keys)
        except RateLimited as error:
            return too_many(request, error)
        except ValidationError as error:
            form_error(form, error)
        else:
            petition = petitions.receive_petition(
                content=data["content"],
                field=data["field"],
                area=Area.objects.get(pk=data["place"]),
                source=Source.CITIZEN,
                raiser_name=data["raiser_name"],
                raiser_phone=data["raiser_phone"],
            )
            # The code is shown once, on the next page, from the session (never in the URL).
            request.session[DONE_SESSION_KEY] = petition.code
            return redirect("petitions:sent")
    return render(
        request,
        "outreach/public/petition_new.html",
        {"form": form, "stamp": form_stamp(), "provinces": provinces, "province": province},
    )


@require_safe
@never_cache
def petition_sent(request: HttpRequest) -> HttpResponse:
    code = request.session.get(DONE_SESSION_KEY, "")
    return render(
        request,
        "outreach/public/petition_sent.html",
        {"code": petitions.display_code(code) if code else ""},
    )


@require_safe
@never_cache
def petition_track(request: HttpRequest) -> HttpResponse:
    """Look a petition up by its code (rate limited per address: codes are not
    to be enumerated)."""
    form = f.TrackForm(request.GET or None)
    petition = None
    not_found = False
    if form.is_valid():
        try:
            petitions.LIMITS.check_all([("track_ip", client_ip(request))])
        except RateLimited as error:
            return too_many(request, error)
        code = petitions.normalize_code(form.cleaned_data["code"])
        petition = (
            Petition.objects.filter(code=code).select_related("area", "agency").first()
            if code
            else None
        )
        not_found = petition is None
    steps = list(petition.steps.values("status", "at")) if petition else []
    labels = dict(PetitionStatus.choices)
    return render(
        request,
        "outreach/public/petition_track.html",
        {
            "form": form,
            "petition": petition,
            "code": petitions.display_code(petition.code) if petition else "",
            "steps": [(labels[s["status"]], s["at"]) for s in steps],
            "late": petitions.is_late(petition) if petition else False,
            "not_found": not_found,
        },
    )


@require_safe
def dialogue_notices(request: HttpRequest) -> HttpResponse:
    """The dialogues announced: those to come first, then the past ones (newest first)."""
    now = timezone.now()
    coming = list(
        Dialogue.objects.public()
        .filter(starts_at__gte=now)
        .select_related("area")
        .order_by("starts_at")[:50]
    )
    past = (
        Dialogue.objects.public()
        .filter(starts_at__lt=now)
        .select_related("area")
        .order_by("-starts_at", "-pk")
    )
    page = Paginator(past, 20).get_page(request.GET.get("page"))
    return render(request, "outreach/public/dialogues.html", {"coming": coming, "page_obj": page})


@require_safe
def dialogue_notice(request: HttpRequest, pk: int) -> HttpResponse:
    dialogue = Dialogue.objects.public().filter(pk=pk).select_related("area", "organizer").first()
    if dialogue is None:
        raise Http404("Không tìm thấy.")
    return render(
        request,
        "outreach/public/dialogue.html",
        {
            "dialogue": dialogue,
            "cohosts": dialogue.cohosts.all(),
            "photos": list(dialogue.photos.filter(status=PhotoStatus.READY))
            if dialogue.status == DialogueStatus.HELD
            else [],
            "petition_url": reverse("petitions:new"),
        },
    )
