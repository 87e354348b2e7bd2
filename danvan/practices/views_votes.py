"""Public voting pages (namespace "votes"): the campaigns, a campaign with its
entries and live counts, the identification (CCCD and phone, once per
session; or the phone confirmed by a one-time code when a gateway is set),
and the vote itself (POST only). Works without JavaScript: every vote is a
small form; the answer is the campaign page again, at the entry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from danvan.core import phone_codes
from danvan.core.masking import mask_phone
from danvan.core.middleware import client_ip
from danvan.core.ratelimit import RateLimited, too_many
from danvan.practices import votes
from danvan.practices.forms_votes import CodeForm, VoterForm
from danvan.practices.models import Campaign, CampaignStatus, Entry, Photo, PhotoStatus

SHOWN = (CampaignStatus.PUBLISHED, CampaignStatus.CLOSED, CampaignStatus.ANNOUNCED)
PENDING_KEY = "practices_voter_pending"
"""The session's identification waiting for its one-time code: the code's
ticket, the voter key it will give, the phone masked (never the number)."""
CODE_PURPOSE = "practices:vote"
CODE_TEXT = (
    "Mã xác nhận bình chọn “{title}”: {{code}}. Hiệu lực {{minutes}} phút. "
    "Không đưa mã này cho bất kỳ ai."
)


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


def _entry_of(request: HttpRequest, campaign: Campaign) -> Entry | None:
    raw = request.GET.get("muc") or request.POST.get("muc") or ""
    # str.isdigit() also takes "²" or "٣", which int() refuses: ASCII digits only.
    number = int(raw) if raw.isascii() and raw.isdigit() else None
    return Entry.objects.filter(campaign=campaign, pk=number).first() if number else None


def _identified(
    request: HttpRequest, campaign: Campaign, entry: Entry | None, voter: str
) -> HttpResponse:
    """The person is known: remember them in a fresh session, and count the
    vote they came to cast."""
    request.session.cycle_key()
    request.session[votes.SESSION_KEY] = voter
    if entry is None:
        return redirect(_at(campaign, None))
    try:
        counted = votes.cast_vote(campaign, entry.pk, voter)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(_at(campaign, None))
    return _voted(request, campaign, entry.pk, counted)


@require_http_methods(["GET", "POST"])
def identify(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _campaign(slug)
    entry = _entry_of(request, campaign)
    by_phone = phone_codes.enabled()
    form = VoterForm(request.POST or None, by_phone=by_phone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            votes.LIMITS.check_all(
                [("voter_ip", client_ip(request)), ("voter_phone", votes.phone_key(data["phone"]))]
            )
        except RateLimited as error:
            return too_many(request, error)
        if not by_phone:
            return _identified(request, campaign, entry, data["voter"])
        text = CODE_TEXT.format(title=campaign.title[:60])
        try:
            ticket = phone_codes.send_code(CODE_PURPOSE, data["phone"], text)
        except phone_codes.CodeError as error:
            form.add_error(None, error.message)
        else:
            request.session[PENDING_KEY] = {
                "slug": campaign.slug,
                "ticket": ticket,
                "voter": data["voter"],
                "phone": mask_phone(data["phone"]),
            }
            url = reverse("votes:confirm", args=[campaign.slug])
            return redirect(f"{url}?muc={entry.pk}" if entry else url)
    return render(
        request,
        "practices/votes/identify.html",
        {"campaign": campaign, "form": form, "entry": entry, "by_phone": by_phone},
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """The one-time code sent to the phone given at `identify`."""
    campaign = _campaign(slug)
    entry = _entry_of(request, campaign)
    pending = request.session.get(PENDING_KEY) or {}
    if pending.get("slug") != campaign.slug:
        url = reverse("votes:identify", args=[campaign.slug])
        return redirect(f"{url}?muc={entry.pk}" if entry else url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone_codes.check_code(pending["ticket"], form.cleaned_data["code"])
        except phone_codes.CodeError as error:
            form.add_error("code", error.message)
        else:
            del request.session[PENDING_KEY]
            return _identified(request, campaign, entry, pending["voter"])
    return render(
        request,
        "practices/votes/confirm.html",
        {"campaign": campaign, "form": form, "entry": entry, "phone": pending["phone"]},
    )
