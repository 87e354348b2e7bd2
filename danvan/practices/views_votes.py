"""Public voting pages (namespace "votes"): the campaigns, a campaign with its
entries and live counts, the identification (CCCD and phone, once per
session), and the vote itself (POST only). Works without JavaScript: every
vote is a small form; the answer is the campaign page again, at the entry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from danvan.core.middleware import client_ip
from danvan.core.ratelimit import RateLimited, too_many
from danvan.practices import votes
from danvan.practices.forms_votes import VoterForm
from danvan.practices.models import Campaign, CampaignStatus, Entry, Photo, PhotoStatus

SHOWN = (CampaignStatus.PUBLISHED, CampaignStatus.CLOSED, CampaignStatus.ANNOUNCED)


def _campaign(slug: str) -> Campaign:
    campaign = Campaign.objects.filter(slug=slug, status__in=SHOWN).first()
    if campaign is None:
        raise Http404("Không tìm thấy đợt bình chọn.")
    return campaign


def _at(campaign: Campaign, entry_pk: int | None) -> str:
    url = reverse("votes:campaign", args=[campaign.slug])
    return f"{url}#muc-{entry_pk}" if entry_pk else url


def _voted(request: HttpRequest, campaign: Campaign, entry_pk: int, counted: bool) -> HttpResponse:
    """Back to the entry on the campaign page, saying whether the vote counted."""
    if counted:
        messages.success(request, "Đã ghi nhận bình chọn của bạn. Cảm ơn bạn!")
    else:
        messages.info(request, "Bạn đã bình chọn cho mục này rồi; mỗi lần chỉ được tính một phiếu.")
    return redirect(_at(campaign, entry_pk))


@require_safe
def campaigns(request: HttpRequest) -> HttpResponse:
    qs = Campaign.objects.filter(status__in=SHOWN).order_by("-starts_at", "-pk")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "practices/votes/campaigns.html", {"page_obj": page})


@require_safe
def campaign(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    state = votes.phase(campaign)
    photos = Prefetch(
        "practice__photos",
        queryset=Photo.objects.filter(status=PhotoStatus.READY),
        to_attr="shown_photos",
    )
    deed_photos = Prefetch(
        "deed__photos",
        queryset=Photo.objects.filter(status=PhotoStatus.READY),
        to_attr="shown_photos",
    )
    entries = list(
        Entry.objects.filter(campaign=campaign)
        .select_related("practice__area", "deed__area")
        .prefetch_related(photos, deed_photos)
    )
    final = campaign.status == CampaignStatus.ANNOUNCED
    if final:
        entries.sort(key=lambda e: (e.rank or 0, e.position))
    voter = request.session.get(votes.SESSION_KEY, "")
    return render(
        request,
        "practices/votes/campaign.html",
        {
            "campaign": campaign,
            "phase": state,
            "entries": entries,
            "final": final,
            "show_counts": final or (campaign.show_counts and state in ("open", "ended")),
            "voted": votes.voted_entries(campaign, voter) if state == "open" else set(),
            "identified": bool(voter),
            "next_window": votes.next_window_at(campaign) if state == "open" else None,
        },
    )


@require_POST
def vote(request: HttpRequest, slug: str, entry_pk: int) -> HttpResponse:
    campaign = _campaign(slug)
    voter = request.session.get(votes.SESSION_KEY, "")
    if not voter:
        return redirect(f"{reverse('votes:identify', args=[slug])}?muc={entry_pk}")
    try:
        votes.LIMITS.check("vote_ip", client_ip(request))
        counted = votes.cast_vote(campaign, entry_pk, voter)
    except RateLimited as error:
        return too_many(request, error)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_at(campaign, None))
    return _voted(request, campaign, entry_pk, counted)


@require_http_methods(["GET", "POST"])
def identify(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    raw = request.GET.get("muc") or request.POST.get("muc") or ""
    # str.isdigit() also takes "²" or "٣", which int() refuses: ASCII digits only.
    number = int(raw) if raw.isascii() and raw.isdigit() else None
    entry = Entry.objects.filter(campaign=campaign, pk=number).first() if number else None
    form = VoterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            votes.LIMITS.check_all(
                [("voter_ip", client_ip(request)), ("voter_phone", votes.phone_key(data["phone"]))]
            )
        except RateLimited as error:
            return too_many(request, error)
        request.session.cycle_key()
        request.session[votes.SESSION_KEY] = data["voter"]
        if entry is None:
            return redirect(_at(campaign, None))
        try:
            counted = votes.cast_vote(campaign, entry.pk, data["voter"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(_at(campaign, None))
        return _voted(request, campaign, entry.pk, counted)
    return render(
        request,
        "practices/votes/identify.html",
        {"campaign": campaign, "form": form, "entry": entry},
    )
