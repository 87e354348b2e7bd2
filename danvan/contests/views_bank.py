"""Staff views of a contest's question bank, at /quan-ly/cuoc-thi/ (namespace
"contests_staff"): topics, questions (with their answer key, so MANAGE only),
their import from and export to Excel. See views_staff for the habits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from danvan.contests import (
    bank_io,  # registers the "import_questions" job handler
    bank_preview,
)
from danvan.contests import forms_bank as f
from danvan.contests.bank_layout import ROLE_CHOICES
from danvan.contests.models import (
    LETTERS,
    Category,
    Contest,
    ContestStatus,
    Question,
)
from danvan.contests.staff_pages import (
    contest_page,
    editable,
    fetch_contest,
    managed_category,
    managed_contest,
    managed_question,
    refuse,
    refuse_if_archived,
    shorten,
    warn_bank,
    write_then_back,
    xlsx_response,
)
from danvan.contests.staff_services import (
    add_category,
    bank_counts,
    rename_category,
    save_question,
    set_question_active,
)
from danvan.core.jobs import start_job
from danvan.core.listing import StaffRequest, paginate
from danvan.core.scope import MANAGE, get_scope
from danvan.core.text import search_terms
from danvan.core.views_common import staff_form_view, staff_page

# --- Question bank --------------------------------------------------------------------------


@staff_page
def question_list(request: StaffRequest, pk: int) -> HttpResponse:
    contest = fetch_contest(request, pk, MANAGE)
    form = f.QuestionFilterForm(request.GET or None, contest=contest)
    qs = Question.objects.filter(contest=contest)
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        for term in search_terms(data["q"]):
            qs = qs.filter(text_folded__contains=term)
        if data["category"]:
            qs = qs.filter(category=data["category"])
        state = data["state"]
    if state == "inactive":
        qs = qs.filter(active=False)
    elif state != "all":
        qs = qs.filter(active=True)
    qs = qs.select_related("category").prefetch_related("choices").order_by("category__name", "pk")
    page, querystring = paginate(request, qs)
    for q in page:
        q.right_letters = ", ".join(  # type: ignore[attr-defined]
            LETTERS[i]
            for i, c in enumerate(sorted(q.choices.all(), key=lambda c: c.position))
            if c.correct and i < len(LETTERS)
        )
    return contest_page(
        request,
        "contests/staff/question_list.html",
        contest,
        form=form,
        page_obj=page,
        querystring=querystring,
        bank_total=bank_counts(contest).total,
        has_categories=contest.categories.exists(),
        archived=contest.status == ContestStatus.ARCHIVED,
    )


def _question_form_view(
    request: StaffRequest, contest: Contest, question: Question | None
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial = {}
    if question is None and request.GET.get("chu_de"):
        initial["category"] = request.GET["chu_de"]
    form = f.QuestionForm(data, instance=question, contest=contest, initial=initial)
    formset = f.choice_formset(data, question)
    if request.method == "POST":
        form_ok = form.is_valid()
        formset.multiple = form.cleaned_data.get("multiple") if form_ok else None
        if formset.is_valid() and form_ok:
            rows = [
                ((cf.cleaned_data.get("text") or "").strip(), bool(cf.cleaned_data.get("correct")))
                for cf in formset.forms
            ]
            try:
                saved = save_question(form.save(commit=False), rows)
            except ValidationError as error:
                return refuse(request, error, "contests_staff:question_list", contest.pk)
            messages.success(request, "Đã lưu câu hỏi." if question else "Đã thêm câu hỏi.")
            warn_bank(request, contest)
            if question is None and "them_tiep" in request.POST:
                url = reverse("contests_staff:question_add", args=[contest.pk])
                return redirect(f"{url}?chu_de={saved.category_id}")
            return redirect("contests_staff:question_list", pk=contest.pk)
    return contest_page(
        request,
        "contests/staff/question_form.html",
        contest,
        question=question,
        form=form,
        formset=formset,
        live=contest.status == ContestStatus.PUBLISHED,
    )


@editable(managed_contest)
def question_add(request: StaffRequest, contest: Contest) -> HttpResponse:
    if not contest.categories.exists():
        messages.info(request, "Hãy thêm ít nhất một chủ đề trước khi thêm câu hỏi.")
        return redirect("contests_staff:category_list", pk=contest.pk)
    return _question_form_view(request, contest, None)


@editable(managed_question)
def question_edit(request: StaffRequest, question: Question) -> HttpResponse:
    return _question_form_view(request, question.contest, question)


@editable(managed_question)
def question_toggle(request: StaffRequest, question: Question) -> HttpResponse:
    """Stop using a question (it stays in the bank and in past papers) or use it again."""
    contest = question.contest
    if request.method == "POST":
        return write_then_back(
            request,
            lambda: set_question_active(question, not question.active),
            lambda q: "Đã dùng lại câu hỏi." if q.active else "Đã ngừng dùng câu hỏi.",
            "contests_staff:question_list",
            contest.pk,
            warn=contest,
        )
    return contest_page(request, "contests/staff/question_toggle.html", contest, question=question)


@staff_form_view
def category_list(request: StaffRequest, pk: int) -> HttpResponse:
    contest = fetch_contest(request, pk, MANAGE)
    form = f.CategoryForm(request.POST or None, contest=contest)
    if request.method == "POST":
        if refused := refuse_if_archived(request, contest):
            return refused
        if form.is_valid():
            return write_then_back(
                request,
                lambda: add_category(contest, form.cleaned_data["name"]),
                lambda category: f"Đã thêm chủ đề “{category.name}”.",
                "contests_staff:category_list",
                contest.pk,
            )
    categories = contest.categories.annotate(
        active_count=Count("questions", filter=Q(questions__active=True)),
        total_count=Count("questions"),
    ).order_by("name")
    return contest_page(
        request,
        "contests/staff/category_list.html",
        contest,
        categories=categories,
        form=form,
        archived=contest.status == ContestStatus.ARCHIVED,
    )


@editable(managed_category)
def category_rename(request: StaffRequest, category: Category) -> HttpResponse:
    contest = category.contest
    form = f.CategoryForm(
        request.POST or None, contest=contest, category=category, initial={"name": category.name}
    )
    if request.method == "POST" and form.is_valid():
        return write_then_back(
            request,
            lambda: rename_category(category, form.cleaned_data["name"]),
            lambda renamed: f"Đã đổi tên chủ đề thành “{renamed.name}”.",
            "contests_staff:category_list",
            contest.pk,
        )
    return contest_page(
        request, "contests/staff/category_form.html", contest, category=category, form=form
    )


@editable(managed_contest)
def question_import(request: StaffRequest, contest: Contest) -> HttpResponse:
    """Upload a question file (.xlsx or .csv, the template or the unit's own
    table), see how its columns are read and its first rows, name the columns
    not recognised, then import it in the background."""
    if request.method == "POST" and "tep" in request.POST:
        return _import_preview(request, contest)
    form = f.QuestionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            preview = bank_preview.preview_of(data, upload.name)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            preview.default_category = form.cleaned_data["default_category"]
            waiting = bank_preview.keep(request, contest, upload.name, data)
            return _preview_page(request, contest, waiting, preview)
    return contest_page(
        request,
        "contests/staff/question_import.html",
        contest,
        form=form,
        categories=contest.categories.order_by("name"),
    )


def _import_preview(request: StaffRequest, contest: Contest) -> HttpResponse:
    waiting = bank_preview.pending(request, contest, request.POST.get("tep", ""))
    if waiting is None:
        messages.error(request, "File đã hết hạn xem trước; hãy chọn lại file.")
        return redirect("contests_staff:question_import", pk=contest.pk)
    preview = bank_preview.preview_of(waiting.read(), waiting.name, request.POST)
    if "nhap" not in request.POST or preview.problem:
        return _preview_page(request, contest, waiting, preview)
    with default_storage.open(waiting.path, "rb") as fh:
        job = start_job(
            request.user,
            "import_questions",
            f"Nhập câu hỏi từ {waiting.name} — {shorten(contest.title)}"[:200],
            params={
                "contest_id": contest.pk,
                "name": waiting.name,
                "layout": preview.layout.as_params(),
                "default_category": preview.default_category,
            },
            input_file=File(fh, name=waiting.name),
        )
    waiting.discard(request)
    messages.info(request, "Đã nhận file; hệ thống đang kiểm tra và nhập câu hỏi.")
    return redirect(job)


def _preview_page(
    request: StaffRequest, contest: Contest, waiting: Any, preview: Any
) -> HttpResponse:
    return contest_page(
        request,
        "contests/staff/question_import_preview.html",
        contest,
        waiting=waiting,
        preview=preview,
        roles=ROLE_CHOICES,
        categories=contest.categories.order_by("name"),
    )


@staff_page
def question_export(request: StaffRequest, pk: int) -> HttpResponse:
    contest = fetch_contest(request, pk, MANAGE)
    include_inactive = request.GET.get("tat_ca") == "1"
    data = bank_io.export_bank(contest, include_inactive=include_inactive)
    return xlsx_response(data, f"ngan-hang-cau-hoi-{contest.slug}.xlsx")


@staff_page
def question_template(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404
    return xlsx_response(bank_io.question_template(), "mau-nhap-cau-hoi.xlsx")
