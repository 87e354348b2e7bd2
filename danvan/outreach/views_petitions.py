"""Staff pages of petitions, at /quan-ly/kien-nghi/ (namespace "petitions_staff"):
the list with its reminders (late, due soon), a petition recorded by staff
(prefilled from a dialogue, a survey's answer or an opinion report by the
query string: a GET never writes), its page and timeline, the actions
(assign, answer, close, reopen, return), the statistics with charts, and the
Excel export. A petition is seen by the officers of its unit and of the agency
assigned to it; out of scope is a 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from openpyxl import Workbook

from danvan.core.charts import bar_chart
from danvan.core.crypto import decrypt
from danvan.core.excel import add_notes, append_row, workbook_bytes, write_header, xlsx_attachment
from danvan.core.listing import StaffRequest, filter_exact, list_page
from danvan.core.masking import mask_phone
from danvan.core.models import Area
from danvan.core.review import in_unit
from danvan.core.scope import MANAGE, can, get_visible_or_404
from danvan.core.text import format_date, format_datetime
from danvan.core.views_common import form_page, move_links, staff_form_view, staff_page
from danvan.outreach import forms as f
from danvan.outreach import petitions
from danvan.outreach.models import OPEN_STATUSES, Dialogue, Petition, Source
from danvan.outreach.stats import petition_stats

NAV = "petitions"


def _fetch(request: StaffRequest, pk: int, verb: str = "view") -> Petition:
    qs = Petition.objects.select_related("area", "agency", "dialogue", "created_by")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def _filtered(request: StaffRequest) -> tuple[f.PetitionFilterForm, Any]:
    form = f.PetitionFilterForm(request.GET or None)
    qs = Petition.objects.visible_to(request.user).select_related("area", "agency")
    qs = filter_exact(qs, form, ("status", "field", "source"))
    if form.is_valid():
        data = form.cleaned_data
        today = timezone.localdate()
        if data.get("han") == "late":
            qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=today)
        elif data.get("han") == "soon":
            soon = today + timedelta(petitions.DUE_SOON_DAYS)
            qs = qs.filter(status__in=OPEN_STATUSES, deadline__gte=today, deadline__lte=soon)
        if data.get("tu"):
            qs = qs.filter(received_at__date__gte=data["tu"])
        if data.get("den"):
            qs = qs.filter(received_at__date__lte=data["den"])
        q = (data.get("q") or "").strip()
        if q:
            code = petitions.normalize_code(q)
            qs = (
                qs.filter(Q(code=code) | Q(content__icontains=q))
                if code
                else qs.filter(content__icontains=q)
            )
    return form, qs.order_by("-received_at", "-pk")


@staff_page
def petition_list(request: StaffRequest) -> HttpResponse:
    form, qs = _filtered(request)
    return list_page(
        request,
        "outreach/staff/petition_list.html",
        qs,
        nav=NAV,
        form=form,
        reminders=petitions.reminders(Petition.objects.visible_to(request.user)),
        can_add=f.petition_areas(request.user).exists(),
        export_query=request.GET.urlencode(),
    )


@staff_page
def petition_export(request: StaffRequest) -> HttpResponse:
    """The list as filtered, in Excel; who raised a petition is not exported."""
    _form, qs = _filtered(request)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Kiến nghị, phản ánh")
    write_header(
        ws,
        [("STT", 6), ("Mã", 14), ("Tiếp nhận", 18), ("Địa bàn", 24), ("Lĩnh vực", 22),
         ("Nguồn", 26), ("Nội dung", 60), ("Cơ quan giải quyết", 30), ("Hạn", 12),
         ("Trạng thái", 16), ("Trả lời lúc", 18), ("Đúng hạn", 10), ("Trả lời", 60)],
    )  # fmt: skip
    for number, p in enumerate(qs.iterator(chunk_size=2000), start=1):
        on_time = p.answered_on_time
        append_row(
            ws,
            [
                number,
                petitions.display_code(p.code),
                format_datetime(p.received_at),
                p.area.name,
                p.get_field_display(),
                p.get_source_display(),
                p.content,
                p.agency.name if p.agency else "",
                format_date(p.deadline) if p.deadline else "",
                p.get_status_display(),
                format_datetime(p.answered_at) if p.answered_at else "",
                "" if on_time is None else ("Có" if on_time else "Không"),
                p.answer,
            ],
        )
    add_notes(
        wb,
        [
            "Danh sách theo bộ lọc đang chọn, trong phạm vi của người xuất.",
            "Không có thông tin người kiến nghị (được giữ kín).",
        ],
    )
    return xlsx_attachment(workbook_bytes(wb), "Kiến nghị, phản ánh")


PREFILL_SOURCES = {
    "survey": Source.SURVEY,
    "opinion": Source.OPINION,
    "communicator": Source.COMMUNICATOR,
    "dialogue": Source.DIALOGUE,
}


def _prefill(request: StaffRequest) -> dict[str, Any]:
    """What another page hands over by its link ("one click from there"): the
    source, a note naming the record, the text, the unit, the dialogue."""
    initial: dict[str, Any] = {"source": Source.RECEPTION}
    source = request.GET.get("nguon", "")
    if source in PREFILL_SOURCES:
        initial["source"] = PREFILL_SOURCES[source]
    for param, name, limit in (("noi_dung", "content", 5000), ("ghi_chu", "source_note", 300)):
        if request.GET.get(param):
            initial[name] = request.GET[param][:limit]
    unit = request.GET.get("don_vi", "")
    if unit.isdigit():
        area = f.petition_areas(request.user).filter(pk=int(unit)).first()
        if area is not None:
            initial["area"] = area.pk
    dialogue_pk = request.GET.get("doi_thoai", "")
    if dialogue_pk.isdigit():
        dialogue = Dialogue.objects.visible_to(request.user).filter(pk=int(dialogue_pk)).first()
        if dialogue is not None:
            initial.update(dialogue=dialogue.pk, source=Source.DIALOGUE, area=dialogue.area_id)
    return initial


@staff_form_view
def petition_add(request: StaffRequest) -> HttpResponse:
    if not f.petition_areas(request.user).exists():
        raise Http404  # petitions are recorded by the officers of a unit
    form = f.PetitionForm(request.POST or None, user=request.user, initial=_prefill(request))

    def receive(data: dict[str, Any]) -> Petition:
        return petitions.receive_petition(
            content=data["content"],
            field=data["field"],
            area=data["area"],
            source=data["source"],
            source_note=data["source_note"],
            dialogue=data["dialogue"],
            raiser_name=data["raiser_name"],
            raiser_phone=data["raiser_phone"],
            by=request.user,
        )

    return form_page(
        request,
        form,
        receive,
        done=lambda petition: (
            f"Đã tiếp nhận kiến nghị, mã tra cứu {petitions.display_code(petition.code)}."
        ),
        template="outreach/staff/petition_form.html",
        context={"nav": NAV},
    )


@staff_page
def petition_detail(request: StaffRequest, pk: int) -> HttpResponse:
    petition = _fetch(request, pk)
    can_manage = can(request.user, MANAGE, petition)
    phone = decrypt(petition.raiser_phone_encrypted) if petition.raiser_phone_encrypted else ""
    actions = move_links(petition, "petitions_staff:{}", petitions.MOVES, petitions.LABELS)
    return render(
        request,
        "outreach/staff/petition_detail.html",
        {
            "nav": NAV,
            "petition": petition,
            "code": petitions.display_code(petition.code),
            "can_manage": can_manage,
            "phone": phone if can_manage else mask_phone(phone),
            "actions": actions if can_manage else [],
            "steps": petition.steps.select_related("by"),
            "late": petitions.is_late(petition),
        },
    )


@staff_form_view
def petition_move(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    petition = _fetch(request, pk, MANAGE)
    return form_page(
        request,
        f.MoveForm(request.POST or None, action=action, petition=petition),
        lambda data: petitions.move_petition(petition, action, by=request.user, **data),
        done=petitions.MOVES[action][2],
        then=petition,
        template="outreach/staff/petition_move.html",
        context={"nav": NAV, "petition": petition, "action": action,
                 "code": petitions.display_code(petition.code),
                 "label": petitions.LABELS[action],
                 "blocked": petition.status not in petitions.MOVES[action][0]},
    )  # fmt: skip


@staff_page
def petition_stats_page(request: StaffRequest) -> HttpResponse:
    """Received, answered on time, late, by agency, field and unit, with charts."""
    form, qs = _filtered(request)
    visible = Area.objects.visible_to(request.user)
    root = None
    unit = request.GET.get("don_vi", "")
    if unit.isdigit():
        root = visible.filter(pk=int(unit)).first()
    if root is None:  # the reader's own top unit, when there is one
        top = list(visible.current().order_by("depth", "path")[:2])
        if top and (len(top) == 1 or top[1].depth > top[0].depth):
            root = top[0]
    if root is not None:
        qs = qs.filter(in_unit(root))
    stats = petition_stats(qs, root=root)
    charts = {
        "agency": bar_chart(
            [(name, t.received) for name, t in stats.by_agency[:15]],
            "Kiến nghị theo cơ quan giải quyết",
            unit=" kiến nghị",
        ),
        "field": bar_chart(
            [(name, t.received) for name, t in stats.by_field],
            "Kiến nghị theo lĩnh vực",
            unit=" kiến nghị",
        ),
        "unit": bar_chart(
            [(name, t.received) for name, t in stats.by_unit[:30]],
            "Kiến nghị theo đơn vị",
            unit=" kiến nghị",
        ),
    }
    return render(
        request,
        "outreach/staff/petition_stats.html",
        {
            "nav": NAV,
            "form": form,
            "stats": stats,
            "charts": {name: mark_safe(svg) for name, svg in charts.items()},
            "root": root,
            "up": visible.filter(path=root.path[: -Area.steplen]).first() if root else None,
        },
    )
