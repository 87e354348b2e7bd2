"""Staff pages of practices and exemplars, at /quan-ly/mo-hinh/ (namespace
"practices_staff"). Scoped like every staff page: a practice is seen with VIEW
and changed with MANAGE through `Practice.objects.visible_to`; out of scope is
a 404. Writes go through `services`; a refusal is shown, nothing changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from danvan.core.cache import LocalCache
from danvan.core.excel import xlsx_attachment
from danvan.core.listing import StaffRequest, filter_exact, list_page
from danvan.core.models import Area, Organization
from danvan.core.photos import PhotosForm
from danvan.core.review import in_unit
from danvan.core.scope import (
    MANAGE,
    SCOPE_VERSION_KEY,
    VIEW,
    can,
    get_scope,
    get_visible_or_404,
    manager_only,
)
from danvan.core.views_common import form_page, import_page, staff_form_view, staff_page
from danvan.practices import evaluation, imports, services
from danvan.practices import forms as f
from danvan.practices.coverage import commune_coverage
from danvan.practices.exports import export_workbook
from danvan.practices.models import Practice, Status
from danvan.practices.photos import MAX_PRACTICE_PHOTOS
from danvan.practices.views_public import PAGES

NAV = "practices"
_COVERAGE_TABLES = LocalCache(ttl=60, size=256)
"""Rendered coverage tables, by versions, reader's scope and year (`coverage`)."""


def _fetch(request: StaffRequest, pk: int, verb: str = "view") -> Practice:
    qs = Practice.objects.select_related("area", "organization", "replicated_from")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def _filtered(request: StaffRequest) -> tuple[f.PracticeFilterForm, Any]:
    """The practices the user sees, narrowed by the list's filters and search."""
    form = f.PracticeFilterForm(request.GET or None)
    qs = Practice.objects.visible_to(request.user).select_related("area", "organization")
    qs = filter_exact(qs, form, ("kind", "field", "level", "status", "year"))
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            qs = qs.search(data["q"])
        if data.get("xa"):
            commune = Area.objects.filter(pk=data["xa"]).first()
            if commune is None:
                return form, qs.none()
            qs = qs.filter(in_unit(commune))
    return form, qs.order_by("-year", "title_folded", "pk")


@staff_page
def practice_list(request: StaffRequest) -> HttpResponse:
    form, qs = _filtered(request)
    return list_page(
        request,
        "practices/staff/practice_list.html",
        qs,
        nav=NAV,
        form=form,
        can_add=Organization.objects.visible_to(request.user, MANAGE).exists(),
        export_query=request.GET.urlencode(),
    )


@staff_page
def practice_export(request: StaffRequest) -> HttpResponse:
    """The list as it is filtered, in Excel (Vietnamese intact, formula-safe cells)."""
    _form, qs = _filtered(request)
    return xlsx_attachment(export_workbook(qs), "Danh sách mô hình, điển hình")


def _form_page(request: StaffRequest, practice: Practice | None) -> HttpResponse:
    form = f.PracticeForm(request.POST or None, instance=practice, user=request.user)

    def save(data: dict[str, Any]) -> Practice:
        if practice is None:
            return services.register_practice(
                by=request.user, partners=data["partners"], **form.values()
            )
        return services.update_practice(practice, partners=data["partners"], **form.values())

    return form_page(
        request,
        form,
        save,
        done=(lambda saved: f"Đã đăng ký “{saved.title}”.") if practice is None else "Đã lưu.",
        template="practices/staff/practice_form.html",
        context={"nav": NAV, "practice": practice},
    )


@staff_form_view
@manager_only
def practice_add(request: StaffRequest) -> HttpResponse:
    return _form_page(request, None)


@staff_form_view
def practice_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _form_page(request, _fetch(request, pk, MANAGE))


@staff_page
def practice_detail(request: StaffRequest, pk: int) -> HttpResponse:
    practice = _fetch(request, pk)
    can_manage = can(request.user, MANAGE, practice)
    moves = [
        (reverse(f"practices_staff:practice_{action}", args=[practice.pk]), move)
        for action, move in services.MOVES.items()
        if practice.status in move.sources
    ]
    return render(
        request,
        "practices/staff/practice_detail.html",
        {
            "nav": NAV,
            "practice": practice,
            "steps": practice.steps.select_related("by"),
            "indicators": practice.indicators.all(),
            "partners": practice.partners.order_by("path"),
            "replicas": practice.replicas.visible_to(request.user).select_related("area"),
            "can_manage": can_manage,
            "moves": moves if can_manage else [],
            "can_replicate": can_manage
            and practice.status in (Status.RECOGNISED, Status.REPLICATED),
            "photos": practice.photos.all(),
            "max_photos": MAX_PRACTICE_PHOTOS,
            "photos_form": PhotosForm(),
            "photos_add_url": reverse("practices_staff:practice_photos", args=[practice.pk]),
            "documents": practice.documents.all(),
            "document_form": f.DocumentForm(),
        },
    )


@staff_form_view
def practice_move(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    """A lifecycle step: the page that asks for what it needs, the change on POST."""
    practice = _fetch(request, pk, MANAGE)
    move = services.MOVES.get(action)
    if move is None:
        raise Http404
    blocked = practice.status not in move.sources
    return form_page(
        request,
        f.MoveForm(request.POST or None),
        lambda data: services.advance(practice, action, by=request.user, **data),
        done=move.done,
        then=practice,
        blocked=blocked,
        template="practices/staff/practice_move.html",
        context={
            "nav": NAV,
            "practice": practice,
            "action": action,
            "move": move,
            "target_label": Status(move.target).label,
            "blocked": blocked,
        },
    )


@staff_form_view
def practice_replicate(request: StaffRequest, pk: int) -> HttpResponse:
    """Record that a unit's own practice replicates this recognised one."""
    original = _fetch(request, pk, MANAGE)
    return form_page(
        request,
        f.ReplicaForm(request.POST or None, user=request.user, original=original),
        lambda data: services.replicate_practice(original, data["copy"], by=request.user),
        done="Đã ghi nhận mô hình nhân rộng.",
        then=original,
        template="practices/staff/practice_replicate.html",
        context={"nav": NAV, "practice": original},
    )


@staff_form_view
def practice_evaluate(request: StaffRequest, pk: int) -> HttpResponse:
    """The council's scores of a proposed practice: the signed-in member's own
    form, every member's total and the average."""
    practice = _fetch(request, pk, MANAGE)
    items = evaluation.criteria()
    errors: list[str] = []
    if request.method == "POST":
        scores: dict[int, int] = {}
        for c in items:
            raw = request.POST.get(f"tc_{c.pk}", "").strip()
            if not raw.isdigit():
                errors.append(f"Chưa chấm “{c.name}” (0 đến 10).")
                continue
            scores[c.pk] = int(raw)
        if not errors:
            try:
                evaluation.score_practice(practice, request.user, scores)
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(request, "Đã ghi điểm của bạn.")
                return redirect("practices_staff:practice_evaluate", pk=practice.pk)
    result = evaluation.evaluation_of(practice)
    mine = next((m.scores for m in result.members if m.member.pk == request.user.pk), {})
    posted = {c.pk: request.POST.get(f"tc_{c.pk}", "") for c in items} if errors else {}
    return render(
        request,
        "practices/staff/practice_evaluate.html",
        {
            "nav": NAV,
            "practice": practice,
            "evaluation": result,
            "rows": [(c, posted.get(c.pk, mine.get(c.pk, ""))) for c in items],
            "errors": errors,
            "open": practice.status == Status.PROPOSED,
        },
    )


@staff_form_view
def practice_results(request: StaffRequest, pk: int) -> HttpResponse:
    """The practice's results as numbered indicators (label, value, unit, date)."""
    practice = _fetch(request, pk, MANAGE)
    initial = [
        {"label": i.label, "value": i.value, "unit": i.unit, "measured_on": i.measured_on}
        for i in practice.indicators.all()
    ]
    formset = f.IndicatorFormSet(request.POST or None, initial=initial, prefix="kq")
    if request.method == "POST" and formset.is_valid():
        rows = [
            (d["label"], d["value"], d["unit"], d["measured_on"])
            for d in formset.cleaned_data
            if d and d.get("label")
        ]
        services.set_indicators(practice, rows)
        messages.success(request, f"Đã lưu {len(rows)} kết quả.")
        return redirect(practice)
    return render(
        request,
        "practices/staff/practice_results.html",
        {"nav": NAV, "practice": practice, "formset": formset},
    )


@staff_form_view
@manager_only
def practice_import(request: StaffRequest) -> HttpResponse:
    """A year's registrations from the Excel template, checked and written by a job."""
    return import_page(
        request,
        f.RegistrationImportForm(request.POST or None, request.FILES or None),
        kind="import_practices",
        title=lambda data: f"Nhập đăng ký mô hình từ {data['file'].name}",
        template="practices/staff/practice_import.html",
        context={"nav": NAV},
    )


@staff_page
def registration_template(request: StaffRequest) -> HttpResponse:
    return xlsx_attachment(imports.registration_template(), "Mẫu đăng ký mô hình")


@staff_page
def coverage(request: StaffRequest) -> HttpResponse:
    """Per commune: does it have a practice that counts for the plan's target?
    The table is rendered once and kept (`_COVERAGE_TABLES`) for readers of
    the same scope and year, until a practice, a unit or a role changes."""
    year_text = request.GET.get("nam", "")
    year = int(year_text) if year_text.isdigit() else None
    scope = get_scope(request.user)
    versions = cache.get_many([PAGES.key, SCOPE_VERSION_KEY])
    key = (
        versions.get(PAGES.key),
        versions.get(SCOPE_VERSION_KEY),
        scope.is_system_admin,
        tuple(scope.area_prefixes(VIEW)),
        tuple(scope.org_prefixes(VIEW)),
        year,
    )
    kept = _COVERAGE_TABLES.get(key)
    if kept is None:
        rows = commune_coverage(request.user, year=year)
        table = render_to_string("practices/staff/_coverage_table.html", {"rows": rows})
        kept = (table, sum(1 for r in rows if r.covered), len(rows))
        _COVERAGE_TABLES.set(key, kept)
    table, covered, total = kept
    return render(
        request,
        "practices/staff/coverage.html",
        {
            "nav": NAV,
            "table": mark_safe(table),  # rendered by our template, which escaped it
            "covered": covered,
            "total": total,
            "year": year or "",
        },
    )
