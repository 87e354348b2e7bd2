"""Staff pages of voting campaigns (namespace "practices_staff", under
/quan-ly/mo-hinh/binh-chon/): the list, a new campaign, its page with the live
counts, its entries, editing, and the status actions (publish, freeze the
results, announce them) behind a confirmation. Scoped by the organising body
like contests and surveys; out of scope is a 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from danvan.core.excel import xlsx_attachment
from danvan.core.listing import StaffRequest, list_page, status_filter
from danvan.core.scope import MANAGE, can, get_scope, get_visible_or_404, manager_only
from danvan.core.status import StatusAction, status_action
from danvan.core.views_common import form_page, staff_form_view, staff_page
from danvan.practices import votes
from danvan.practices.exports import campaign_workbook
from danvan.practices.forms_votes import CampaignForm, EntriesForm
from danvan.practices.models import Campaign, CampaignStatus, Entry

NAV = "practices"


def _fetch(request: StaffRequest, pk: int, verb: str = "view") -> Campaign:
    qs = Campaign.objects.select_related("organization__area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


@staff_page
def campaign_list(request: StaffRequest) -> HttpResponse:
    qs = Campaign.objects.visible_to(request.user).select_related("organization")
    qs, chosen = status_filter(request, qs, CampaignStatus)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    return list_page(
        request,
        "practices/staff/campaign_list.html",
        qs.order_by("-starts_at", "-pk"),
        nav=NAV,
        q=q,
        can_add=get_scope(request.user).allows(MANAGE),
        **chosen,
    )


def _form_page(request: StaffRequest, campaign: Campaign | None) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)

    def save(data: dict[str, Any]) -> Campaign:
        if campaign is None:
            return votes.create_campaign(form.save(commit=False), user=request.user)
        votes.update_campaign(form.save(commit=False))
        return campaign

    def entries(saved: Campaign) -> str:  # a new campaign: choose what is voted on
        return reverse("practices_staff:campaign_entries", args=[saved.pk])

    return form_page(
        request,
        form,
        save,
        done="Đã tạo đợt bình chọn; hãy chọn các mục bình chọn." if campaign is None else "Đã lưu.",
        then=entries if campaign is None else campaign,
        template="practices/staff/campaign_form.html",
        context={"nav": NAV, "campaign": campaign},
    )


@staff_form_view
@manager_only
def campaign_add(request: StaffRequest) -> HttpResponse:
    return _form_page(request, None)


@staff_form_view
def campaign_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _form_page(request, _fetch(request, pk, MANAGE))


def _entries(campaign: Campaign) -> list[Entry]:
    entries = list(
        Entry.objects.filter(campaign=campaign).select_related("practice__area", "deed__area")
    )
    if campaign.status in (CampaignStatus.CLOSED, CampaignStatus.ANNOUNCED):
        entries.sort(key=lambda e: (e.rank or 0, e.position))
    else:
        entries.sort(key=lambda e: (-e.votes, e.position))
    return entries


@staff_page
def campaign_detail(request: StaffRequest, pk: int) -> HttpResponse:
    campaign = _fetch(request, pk)
    can_manage = can(request.user, MANAGE, campaign)
    actions = [
        (reverse(f"practices_staff:campaign_{a.name}", args=[campaign.pk]), a)
        for a in ACTIONS.values()
        if campaign.status in a.sources
    ]
    return render(
        request,
        "practices/staff/campaign_detail.html",
        {
            "nav": NAV,
            "campaign": campaign,
            "phase": votes.phase(campaign),
            "entries": _entries(campaign),
            "can_manage": can_manage,
            "actions": actions if can_manage else [],
            "public_url": request.build_absolute_uri(campaign.public_url()),
        },
    )


@staff_form_view
def campaign_entries(request: StaffRequest, pk: int) -> HttpResponse:
    campaign = _fetch(request, pk, MANAGE)
    current = Entry.objects.filter(campaign=campaign)
    form = EntriesForm(
        request.POST or None,
        user=request.user,
        initial={
            "practices": [e.practice_id for e in current if e.practice_id],
            "deeds": [e.deed_id for e in current if e.deed_id],
        },
    )
    blocked = campaign.status != CampaignStatus.DRAFT
    return form_page(
        request,
        form,
        lambda data: votes.set_entries(campaign, data["practices"], data["deeds"]),
        done="Đã lưu danh sách bình chọn.",
        then=campaign,
        blocked=blocked,
        template="practices/staff/campaign_entries.html",
        context={"nav": NAV, "campaign": campaign, "blocked": blocked},
    )


@staff_page
def campaign_export(request: StaffRequest, pk: int) -> HttpResponse:
    """The entries with their counts (live, or frozen with ranks), as Excel."""
    campaign = _fetch(request, pk)
    frozen = campaign.status in (CampaignStatus.CLOSED, CampaignStatus.ANNOUNCED)
    rows: list[list[Any]] = []
    for n, e in enumerate(_entries(campaign), start=1):
        thing: Any = e.practice or e.deed
        kind = e.practice.get_kind_display() if e.practice else "Việc tốt"
        votes_now = e.final_votes if frozen else e.votes
        name = e.practice.title if e.practice else thing.nominee_name  # staff see the name
        rows.append([e.rank if frozen else n, name, kind, thing.area.name, votes_now])
    data = campaign_workbook(campaign, rows, frozen)
    return xlsx_attachment(data, f"Kết quả bình chọn {campaign.title}")


ACTIONS = {
    "publish": StatusAction(
        "publish",
        sources=(CampaignStatus.DRAFT,),
        change=votes.publish_campaign,
        done="Đã công bố đợt bình chọn.",
        problems=votes.publish_problems,
        heading="Công bố đợt bình chọn",
        button="Công bố",
    ),
    "close": StatusAction(
        "close",
        sources=(CampaignStatus.PUBLISHED,),
        change=votes.close_campaign,
        done="Đã khóa kết quả: số phiếu được kiểm lại và xếp hạng.",
        problems=votes.close_problems,
        heading="Khóa kết quả bình chọn",
        button="Khóa kết quả",
    ),
    "announce": StatusAction(
        "announce",
        sources=(CampaignStatus.CLOSED,),
        change=votes.announce_campaign,
        done="Đã công bố kết quả.",
        heading="Công bố kết quả bình chọn",
        button="Công bố kết quả",
    ),
}


@staff_form_view
def campaign_status(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    campaign = _fetch(request, pk, MANAGE)
    return status_action(
        request,
        campaign,
        ACTIONS[action],
        template="practices/staff/campaign_status.html",
        detail_url=campaign.get_absolute_url(),
    )
