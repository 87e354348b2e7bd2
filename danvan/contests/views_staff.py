"""Staff views of the contests app, at /quan-ly/cuoc-thi/ (namespace "contests_staff").

Thin function views in the habit of danvan.core.views_staff: fetch-and-check
through the user's scope (a contest is seen with VIEW and changed with MANAGE
through `Contest.objects.visible_to`; anything out of scope is a 404, the same
answer as a missing object), a form, a write, a redirect. Every action that
changes a state is a POST behind a confirmation page. The question bank (with
its answer key) is MANAGE-only. See tests/test_staff_personas.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from danvan.contests import bank_io  # registers the "import_questions" job handler
from danvan.contests import forms_staff as f
from danvan.contests.models import (
    LETTERS,
    Category,
    Contest,
    ContestStatus,
    Prize,
    PrizeKind,
    Question,
    Round,
    RoundStatus,
)
from danvan.contests.sanitize import clean_html
from danvan.contests.services import (
    ContestError,
    draw_scope,
    rounds_still_drawing,
)
from danvan.contests.staff_services import (
    MSG_ARCHIVED,
    add_category,
    archive_contest,
    bank_counts,
    create_contest,
    publish_contest,
    publish_problems,
    rename_category,
    round_problems,
    save_question,
    save_round,
    set_prizes,
    set_question_active,
    unpublish_contest,
    update_contest,
)
from danvan.core.jobs import start_job
from danvan.core.listing import StaffRequest, filter_list, paginate
from danvan.core.models import Organization
from danvan.core.scope import MANAGE, VIEW, can, get_scope, get_visible_or_404
from danvan.core.text import search_terms, vn_sort_key

NAV = "contests"


# --- Fetch-and-check helpers ----------------------------------------------------------------


def _contest(request: StaffRequest, pk: int, verb: str = VIEW) -> Contest:
    qs = Contest.objects.select_related("organization__area", "target_area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def _round(request: StaffRequest, pk: int, verb: str = VIEW) -> Round:
    qs = Round.objects.select_related("contest__organization__area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


def _in_contests(qs: QuerySet[Any], request: StaffRequest, verb: str, pk: int) -> Any:
    """An object of a contest the user may `verb`, else 404."""
    allowed = Contest.objects.visible_to(request.user, verb)
    obj = qs.filter(contest__in=allowed, pk=pk).first()
    if obj is None:
        raise Http404("Không tìm thấy.")
    return obj


def _archived(request: HttpRequest, contest: Contest) -> HttpResponse | None:
    """Refuse changes to an archived contest (a redirect with a message), else None."""
    if contest.status == ContestStatus.ARCHIVED:
        messages.error(request, MSG_ARCHIVED)
        return redirect("contests_staff:contest_detail", pk=contest.pk)
    return None


def _refuse(request: HttpRequest, error: ValidationError, to: str, pk: int) -> HttpResponse:
    """A change refused by its service: its message, and back to `to`."""
    messages.error(request, error.messages[0])
    return redirect(to, pk=pk)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=bank_io.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _warn_bank(request: HttpRequest, contest: Contest) -> None:
    """After a change to the bank or a round of a published contest: say what no
    longer works, so it can be fixed before participants meet it."""
    if contest.status != ContestStatus.PUBLISHED:
        return
    for problem in publish_problems(contest):
        messages.warning(request, problem)


# --- Contests -------------------------------------------------------------------------------


@require_safe
@login_required
def contest_list(request: StaffRequest) -> HttpResponse:
    form = f.ContestFilterForm(request.GET or None)
    qs = (
        Contest.objects.visible_to(request.user)
        .select_related("organization")
        .annotate(round_count=Count("rounds", distinct=True))
        .order_by("-starts_at", "-pk")
    )
    # Few per unit (tens): the search is in Python, ignoring diacritics.
    page, querystring = paginate(request, filter_list(qs, form))
    return render(
        request,
        "contests/staff/contest_list.html",
        {
            "nav": NAV,
            "form": form,
            "page_obj": page,
            "querystring": querystring,
            "can_add": Organization.objects.visible_to(request.user, MANAGE).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def contest_add(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404
    form = f.ContestForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        contest = create_contest(form.save(commit=False), created_by=request.user)
        messages.success(
            request,
            f"Đã tạo cuộc thi “{contest.title}” (bản nháp). Tiếp theo: thêm chủ đề, câu hỏi "
            "và các đợt thi.",
        )
        return redirect("contests_staff:contest_detail", pk=contest.pk)
    return render(
        request, "contests/staff/contest_form.html", {"nav": NAV, "form": form, "contest": None}
    )


@require_safe
@login_required
def contest_detail(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    can_manage = can(request.user, MANAGE, contest)
    rounds = list(contest.rounds.annotate(quota_total=Count("quotas")))
    for rnd in rounds:
        rnd.stats_url = reverse("contests_stats:round_stats", args=[rnd.pk])  # type: ignore[attr-defined]
    counts = bank_counts(contest)
    return render(
        request,
        "contests/staff/contest_detail.html",
        {
            "nav": NAV,
            "contest": contest,
            "can_manage": can_manage,
            "rounds": rounds,
            "now": timezone.now(),
            "prizes": Prize.objects.filter(contest=contest, round__isnull=True),
            "bank_total": counts.total,
            "category_count": contest.categories.count(),
            "participant_count": contest.participants.count(),
            "problems": publish_problems(contest) if can_manage else [],
            "participants_export_url": reverse("contests_stats:export_participants", args=[pk]),
            "public_url": contest.get_absolute_url()
            if contest.status == ContestStatus.PUBLISHED
            else "",
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def contest_edit(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
    if refused := _archived(request, contest):
        return refused
    form = f.ContestForm(
        request.POST or None, request.FILES or None, instance=contest, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_contest(form.save(commit=False))
        except ValidationError as error:
            return _refuse(request, error, "contests_staff:contest_detail", contest.pk)
        messages.success(request, "Đã lưu thông tin cuộc thi.")
        return redirect("contests_staff:contest_detail", pk=contest.pk)
    return render(
        request, "contests/staff/contest_form.html", {"nav": NAV, "form": form, "contest": contest}
    )


@require_safe
@login_required
def contest_preview(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    rounds = list(contest.rounds.prefetch_related("prizes"))
    return render(
        request,
        "contests/staff/contest_preview.html",
        {
            "contest": contest,
            # Stored sanitised; cleaned again here in case of data written elsewhere.
            "intro": clean_html(contest.intro),
            "rules": clean_html(contest.rules),
            "rounds": rounds,
            "overall_prizes": Prize.objects.filter(contest=contest, round__isnull=True),
            "now": timezone.now(),
        },
    )


def _status_action(
    request: StaffRequest,
    pk: int,
    *,
    action: str,
    allowed_from: tuple[str, ...],
    change: Callable[[Contest], Contest],
    done: str,
) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
    problems: list[str] = []
    if action == "publish" and contest.status in allowed_from:
        problems = publish_problems(contest)
    blocked = contest.status not in allowed_from
    if request.method == "POST":
        try:
            change(contest)
        except ValidationError as error:
            if error.code != "problems":
                return _refuse(request, error, "contests_staff:contest_detail", contest.pk)
            messages.error(request, error.messages[0])
            problems = publish_problems(contest)
        else:
            messages.success(request, done)
            return redirect("contests_staff:contest_detail", pk=contest.pk)
    return render(
        request,
        "contests/staff/contest_status.html",
        {
            "nav": NAV,
            "contest": contest,
            "action": action,
            "blocked": blocked,
            "problems": problems,
            "participant_count": contest.participants.count(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def contest_publish(request: StaffRequest, pk: int) -> HttpResponse:
    return _status_action(
        request,
        pk,
        action="publish",
        allowed_from=(ContestStatus.DRAFT,),
        change=publish_contest,
        done="Đã công bố cuộc thi. Người dân có thể xem và đăng ký dự thi.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def contest_unpublish(request: StaffRequest, pk: int) -> HttpResponse:
    return _status_action(
        request,
        pk,
        action="unpublish",
        allowed_from=(ContestStatus.PUBLISHED, ContestStatus.ARCHIVED),
        change=unpublish_contest,
        done="Đã chuyển cuộc thi về bản nháp; người dân không còn thấy cuộc thi.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def contest_archive(request: StaffRequest, pk: int) -> HttpResponse:
    return _status_action(
        request,
        pk,
        action="archive",
        allowed_from=(ContestStatus.DRAFT, ContestStatus.PUBLISHED),
        change=archive_contest,
        done="Đã lưu trữ cuộc thi.",
    )


# --- Prizes ---------------------------------------------------------------------------------


def _prizes_view(request: StaffRequest, contest: Contest, rnd: Round | None) -> HttpResponse:
    existing = {p.kind: p for p in Prize.objects.filter(contest=contest, round=rnd)}
    initial: dict[str, Any] = {kind: p.quantity for kind, p in existing.items()}
    if PrizeKind.COLLECTIVE in existing:
        initial["collective_basis"] = existing[PrizeKind.COLLECTIVE].basis
    form = f.PrizeForm(request.POST or None, initial=initial)
    back = (
        reverse("contests_staff:round_detail", args=[rnd.pk])
        if rnd is not None
        else reverse("contests_staff:contest_detail", args=[contest.pk])
    )
    locked = rnd is not None and rnd.status != RoundStatus.SCHEDULED
    if request.method == "POST":
        if locked:
            messages.error(request, "Đợt thi đã tổng hợp kết quả; không sửa được giải thưởng.")
            return redirect(back)
        if form.is_valid():
            data = form.cleaned_data
            quantities = {kind: data[kind] for kind in PrizeKind.values}
            try:
                set_prizes(contest, rnd, quantities, data["collective_basis"])
            except ValidationError as error:
                messages.error(request, error.messages[0])
                return redirect(back)
            messages.success(request, "Đã lưu cơ cấu giải thưởng.")
            return redirect(back)
    return render(
        request,
        "contests/staff/prize_form.html",
        {
            "nav": NAV,
            "contest": contest,
            "round": rnd,
            "form": form,
            "locked": locked,
            "back": back,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def contest_prizes(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
    if refused := _archived(request, contest):
        return refused
    return _prizes_view(request, contest, None)


@require_http_methods(["GET", "POST"])
@login_required
def round_prizes(request: StaffRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk, MANAGE)
    if refused := _archived(request, rnd.contest):
        return refused
    return _prizes_view(request, rnd.contest, rnd)


# --- Rounds ---------------------------------------------------------------------------------


def _round_draws(rnd: Round) -> dict[str, Any]:
    """What the round can draw, and the rounds still running when it closes that
    can draw some of the same questions (their answers wait for those rounds)."""
    scope = draw_scope(rnd, rnd.quotas.values_list("category_id", "count"))
    later = rounds_still_drawing(rnd.contest_id, rnd.closes_at, exclude=rnd.pk)
    return {
        "scope": scope,
        "categories": sorted(
            Category.objects.filter(pk__in=scope.categories).values_list("name", flat=True),
            key=vn_sort_key,
        ),
        "shared": [other for other, theirs in later if theirs.overlaps(scope)],
    }


@require_http_methods(["GET", "POST"])
@login_required
def round_add(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
    if refused := _archived(request, contest):
        return refused
    form = f.RoundForm(request.POST or None, contest=contest)
    if request.method == "POST" and form.is_valid():
        try:
            rnd = save_round(form.save(commit=False), form.quotas())
        except ValidationError as error:
            return _refuse(request, error, "contests_staff:contest_detail", contest.pk)
        messages.success(request, f"Đã thêm {rnd}.")
        _warn_bank(request, contest)
        return redirect("contests_staff:round_detail", pk=rnd.pk)
    return render(
        request,
        "contests/staff/round_form.html",
        {"nav": NAV, "contest": contest, "round": None, "form": form},
    )


@require_safe
@login_required
def round_detail(request: StaffRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    contest = rnd.contest
    can_manage = can(request.user, MANAGE, contest)
    now = timezone.now()
    return render(
        request,
        "contests/staff/round_detail.html",
        {
            "nav": NAV,
            "contest": contest,
            "round": rnd,
            "can_manage": can_manage,
            "quotas": rnd.quotas.select_related("category").order_by("category__name"),
            "prizes": Prize.objects.filter(round=rnd),
            "draws": _round_draws(rnd),
            "problems": round_problems(rnd, bank_counts(contest))
            if rnd.status == RoundStatus.SCHEDULED
            else [],
            "tie_break": " → ".join(f.TIE_BREAKS[k] for k in rnd.tie_break_keys()),
            "time_limit_minutes": rnd.time_limit_seconds // 60,
            "now": now,
            "ended": now >= rnd.closes_at,
            "stats_url": reverse("contests_stats:round_stats", args=[rnd.pk]),
            "results_export_url": reverse("contests_stats:export_results", args=[rnd.pk]),
            "attempt_count": rnd.attempts.count(),
            "awards": rnd.awards.select_related("prize").order_by("prize__kind", "rank")
            if rnd.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_edit(request: StaffRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk, MANAGE)
    contest = rnd.contest
    if refused := _archived(request, contest):
        return refused
    if rnd.status != RoundStatus.SCHEDULED:
        messages.error(
            request, f"{rnd} đang ở trạng thái “{rnd.get_status_display()}”; không sửa được nữa."
        )
        return redirect("contests_staff:round_detail", pk=rnd.pk)
    form = f.RoundForm(request.POST or None, instance=rnd, contest=contest)
    if request.method == "POST" and form.is_valid():
        try:
            rnd = save_round(form.save(commit=False), form.quotas())
        except ValidationError as error:
            return _refuse(request, error, "contests_staff:round_detail", rnd.pk)
        messages.success(request, f"Đã lưu {rnd}.")
        _warn_bank(request, contest)
        return redirect("contests_staff:round_detail", pk=rnd.pk)
    return render(
        request,
        "contests/staff/round_form.html",
        {"nav": NAV, "contest": contest, "round": rnd, "form": form, "draws": _round_draws(rnd)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_close(request: StaffRequest, pk: int) -> HttpResponse:
    from danvan.contests.closing import check_closable

    rnd = _round(request, pk, MANAGE)
    reason = ""
    try:
        check_closable(rnd, timezone.now())
    except ContestError as exc:
        reason = exc.message
    if request.method == "POST":
        if reason:
            messages.error(request, reason)
            return redirect("contests_staff:round_detail", pk=rnd.pk)
        title = f"Tổng hợp kết quả {rnd} — {_short(rnd.contest.title)}"[:200]
        job = start_job(request.user, "close_round", title, params={"round_id": rnd.pk})
        messages.info(request, "Đang tổng hợp kết quả; trang sẽ tự cập nhật khi xong.")
        return redirect(job)
    return render(
        request,
        "contests/staff/round_action.html",
        {
            "nav": NAV,
            "contest": rnd.contest,
            "round": rnd,
            "action": "close",
            "reason": reason,
            "in_progress": rnd.attempts.filter(status="in_progress").count(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def round_publish(request: StaffRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk, MANAGE)
    reason = ""
    if rnd.status == RoundStatus.PUBLISHED:
        reason = "Kết quả đợt thi đã được công bố."
    elif rnd.status != RoundStatus.CLOSED:
        reason = "Đợt thi chưa được tổng hợp kết quả; hãy tổng hợp trước khi công bố."
    if request.method == "POST":
        if not reason:
            from danvan.contests.closing import publish_round

            try:
                publish_round(rnd)
            except ContestError as exc:
                reason = exc.message
            else:
                messages.success(request, f"Đã công bố kết quả {rnd}.")
                return redirect("contests_staff:round_detail", pk=rnd.pk)
        messages.error(request, reason)
        return redirect("contests_staff:round_detail", pk=rnd.pk)
    return render(
        request,
        "contests/staff/round_action.html",
        {
            "nav": NAV,
            "contest": rnd.contest,
            "round": rnd,
            "action": "publish",
            "reason": reason,
            "award_count": rnd.awards.count(),
        },
    )


# --- Question bank --------------------------------------------------------------------------


@require_safe
@login_required
def question_list(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
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
    return render(
        request,
        "contests/staff/question_list.html",
        {
            "nav": NAV,
            "contest": contest,
            "form": form,
            "page_obj": page,
            "querystring": querystring,
            "bank_total": bank_counts(contest).total,
            "has_categories": contest.categories.exists(),
            "archived": contest.status == ContestStatus.ARCHIVED,
        },
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
                return _refuse(request, error, "contests_staff:question_list", contest.pk)
            messages.success(request, "Đã lưu câu hỏi." if question else "Đã thêm câu hỏi.")
            _warn_bank(request, contest)
            if question is None and "them_tiep" in request.POST:
                url = reverse("contests_staff:question_add", args=[contest.pk])
                return redirect(f"{url}?chu_de={saved.category_id}")
            return redirect("contests_staff:question_list", pk=contest.pk)
    return render(
        request,
        "contests/staff/question_form.html",
        {
            "nav": NAV,
            "contest": contest,
            "question": question,
            "form": form,
            "formset": formset,
            "live": contest.status == ContestStatus.PUBLISHED,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def question_add(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
    if refused := _archived(request, contest):
        return refused
    if not contest.categories.exists():
        messages.info(request, "Hãy thêm ít nhất một chủ đề trước khi thêm câu hỏi.")
        return redirect("contests_staff:category_list", pk=contest.pk)
    return _question_form_view(request, contest, None)


@require_http_methods(["GET", "POST"])
@login_required
def question_edit(request: StaffRequest, pk: int) -> HttpResponse:
    question = _in_contests(Question.objects.select_related("contest"), request, MANAGE, pk)
    if refused := _archived(request, question.contest):
        return refused
    return _question_form_view(request, question.contest, question)


@require_http_methods(["GET", "POST"])
@login_required
def question_toggle(request: StaffRequest, pk: int) -> HttpResponse:
    """Stop using a question (it stays in the bank and in past papers) or use it again."""
    question = _in_contests(
        Question.objects.select_related("contest", "category"), request, MANAGE, pk
    )
    contest = question.contest
    if refused := _archived(request, contest):
        return refused
    if request.method == "POST":
        try:
            set_question_active(question, not question.active)
        except ValidationError as error:
            return _refuse(request, error, "contests_staff:question_list", contest.pk)
        messages.success(
            request,
            "Đã dùng lại câu hỏi." if question.active else "Đã ngừng dùng câu hỏi.",
        )
        _warn_bank(request, contest)
        return redirect("contests_staff:question_list", pk=contest.pk)
    return render(
        request,
        "contests/staff/question_toggle.html",
        {"nav": NAV, "contest": contest, "question": question},
    )


@require_http_methods(["GET", "POST"])
@login_required
def category_list(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
    form = f.CategoryForm(request.POST or None, contest=contest)
    if request.method == "POST":
        if refused := _archived(request, contest):
            return refused
        if form.is_valid():
            try:
                category = add_category(contest, form.cleaned_data["name"])
            except ValidationError as error:
                return _refuse(request, error, "contests_staff:category_list", contest.pk)
            messages.success(request, f"Đã thêm chủ đề “{category.name}”.")
            return redirect("contests_staff:category_list", pk=contest.pk)
    categories = contest.categories.annotate(
        active_count=Count("questions", filter=Q(questions__active=True)),
        total_count=Count("questions"),
    ).order_by("name")
    return render(
        request,
        "contests/staff/category_list.html",
        {
            "nav": NAV,
            "contest": contest,
            "categories": categories,
            "form": form,
            "archived": contest.status == ContestStatus.ARCHIVED,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def category_rename(request: StaffRequest, pk: int) -> HttpResponse:
    category = _in_contests(Category.objects.select_related("contest"), request, MANAGE, pk)
    contest = category.contest
    if refused := _archived(request, contest):
        return refused
    form = f.CategoryForm(
        request.POST or None, contest=contest, category=category, initial={"name": category.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            rename_category(category, form.cleaned_data["name"])
        except ValidationError as error:
            return _refuse(request, error, "contests_staff:category_list", contest.pk)
        messages.success(request, f"Đã đổi tên chủ đề thành “{category.name}”.")
        return redirect("contests_staff:category_list", pk=contest.pk)
    return render(
        request,
        "contests/staff/category_form.html",
        {"nav": NAV, "contest": contest, "category": category, "form": form},
    )


@require_http_methods(["GET", "POST"])
@login_required
def question_import(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
    if refused := _archived(request, contest):
        return refused
    form = f.QuestionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = start_job(
            request.user,
            "import_questions",
            f"Nhập câu hỏi từ {upload.name} — {_short(contest.title)}"[:200],
            params={"contest_id": contest.pk},
            input_file=upload,
        )
        messages.info(request, "Đã nhận file; hệ thống đang kiểm tra và nhập câu hỏi.")
        return redirect(job)
    return render(
        request,
        "contests/staff/question_import.html",
        {"nav": NAV, "contest": contest, "form": form},
    )


@require_safe
@login_required
def question_export(request: StaffRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk, MANAGE)
    include_inactive = request.GET.get("tat_ca") == "1"
    data = bank_io.export_bank(contest, include_inactive=include_inactive)
    return _xlsx(data, f"ngan-hang-cau-hoi-{contest.slug}.xlsx")


@require_safe
@login_required
def question_template(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(MANAGE):
        raise Http404
    return _xlsx(bank_io.question_template(), "mau-nhap-cau-hoi.xlsx")
