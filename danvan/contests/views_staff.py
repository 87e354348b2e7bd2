"""Staff views of the contests app, at /quan-ly/cuoc-thi/ (namespace "contests_staff").

Thin function views in the habit of danvan.core.views_staff: fetch-and-check
through the user's scope (a contest is seen with VIEW and changed with MANAGE
through `Contest.objects.visible_to`; anything out of scope is a 404, the same
answer as a missing object), a form, a write, a redirect. Every action that
changes a state is a POST behind a confirmation page. This module: contests,
their prizes and rounds; the question bank is in views_bank, the shared helpers
in staff_pages. See tests/test_staff_personas.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from danvan.contests import forms_staff as f
from danvan.contests.bank import ContestError, draw_scope, rounds_still_drawing
from danvan.contests.closing import check_closable, publish_round
from danvan.contests.models import (
    Category,
    Contest,
    ContestStatus,
    Prize,
    PrizeKind,
    Round,
    RoundStatus,
)
from danvan.contests.sanitize import clean_html
from danvan.contests.staff_pages import (
    NAV,
    contest_page,
    editable,
    fetch_contest,
    fetch_round,
    managed_contest,
    managed_round,
    refuse,
    shorten,
    warn_bank,
)
from danvan.contests.staff_services import (
    MSG_NOT_PUBLISHABLE,
    archive_contest,
    bank_counts,
    create_contest,
    publish_contest,
    publish_problems,
    round_problems,
    save_round,
    set_prizes,
    unpublish_contest,
    update_contest,
)
from danvan.core.jobs import start_job
from danvan.core.listing import StaffRequest, filter_list, list_page
from danvan.core.models import Organization
from danvan.core.scope import MANAGE, can, manager_only
from danvan.core.status import StatusAction, status_action
from danvan.core.text import vn_sort_key
from danvan.core.views_common import staff_form_view, staff_page

# --- Contests -------------------------------------------------------------------------------


@staff_page
def contest_list(request: StaffRequest) -> HttpResponse:
    form = f.ContestFilterForm(request.GET or None)
    qs = (
        Contest.objects.visible_to(request.user)
        .select_related("organization")
        .annotate(round_count=Count("rounds", distinct=True))
        .order_by("-starts_at", "-pk")
    )
    return list_page(
        request,
        "contests/staff/contest_list.html",
        filter_list(qs, form),  # few per unit: the search is in Python
        nav=NAV,
        form=form,
        can_add=Organization.objects.visible_to(request.user, MANAGE).exists(),
    )


@staff_form_view
@manager_only
def contest_add(request: StaffRequest) -> HttpResponse:
    return _contest_form_view(request, None)


def _contest_form_view(request: StaffRequest, contest: Contest | None) -> HttpResponse:
    """Create a contest (`contest` None: a draft) or edit its details."""
    form = f.ContestForm(
        request.POST or None, request.FILES or None, instance=contest, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        if contest is None:
            saved = create_contest(form.save(commit=False), created_by=request.user)
            messages.success(
                request,
                f"Đã tạo cuộc thi “{saved.title}” (bản nháp). Tiếp theo: thêm chủ đề, câu hỏi "
                "và các đợt thi.",
            )
        else:
            try:
                saved = update_contest(form.save(commit=False))
            except ValidationError as error:
                return refuse(request, error, "contests_staff:contest_detail", contest.pk)
            messages.success(request, "Đã lưu thông tin cuộc thi.")
        return redirect("contests_staff:contest_detail", pk=saved.pk)
    return render(
        request, "contests/staff/contest_form.html", {"nav": NAV, "form": form, "contest": contest}
    )


@staff_page
def contest_detail(request: StaffRequest, pk: int) -> HttpResponse:
    contest = fetch_contest(request, pk)
    can_manage = can(request.user, MANAGE, contest)
    rounds = list(contest.rounds.annotate(quota_total=Count("quotas")))
    for rnd in rounds:
        rnd.stats_url = reverse("contests_stats:round_stats", args=[rnd.pk])  # type: ignore[attr-defined]
    counts = bank_counts(contest)
    return contest_page(
        request,
        "contests/staff/contest_detail.html",
        contest,
        can_manage=can_manage,
        rounds=rounds,
        now=timezone.now(),
        prizes=Prize.objects.filter(contest=contest, round__isnull=True),
        bank_total=counts.total,
        category_count=contest.categories.count(),
        participant_count=contest.participants.count(),
        problems=publish_problems(contest) if can_manage else [],
        participants_export_url=reverse("contests_stats:export_participants", args=[pk]),
        public_url=contest.get_absolute_url() if contest.status == ContestStatus.PUBLISHED else "",
    )


@editable(managed_contest)
def contest_edit(request: StaffRequest, contest: Contest) -> HttpResponse:
    return _contest_form_view(request, contest)


@staff_page
def contest_preview(request: StaffRequest, pk: int) -> HttpResponse:
    contest = fetch_contest(request, pk)
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


def _restoring(contest: Contest) -> bool:
    return contest.status == ContestStatus.ARCHIVED


# The status actions of a contest (staff_services: the changes, under the row's lock).
STATUS_ACTIONS = {
    a.name: a
    for a in (
        StatusAction(
            "publish",
            (ContestStatus.DRAFT,),
            publish_contest,
            "Đã công bố cuộc thi. Người dân có thể xem và đăng ký dự thi.",
            problems=publish_problems,
            problems_message=MSG_NOT_PUBLISHABLE,
            blocked_note=lambda c: (
                f"Cuộc thi đang ở trạng thái “{c.get_status_display()}”; "
                "chỉ công bố được cuộc thi ở dạng bản nháp."
            ),
            heading="Công bố cuộc thi",
            button="Công bố",
            crumb="Công bố",
        ),
        StatusAction(
            "unpublish",
            (ContestStatus.PUBLISHED, ContestStatus.ARCHIVED),
            unpublish_contest,
            "Đã chuyển cuộc thi về bản nháp; người dân không còn thấy cuộc thi.",
            blocked_note="Cuộc thi đang là bản nháp.",
            heading=lambda c: (
                "Khôi phục cuộc thi về bản nháp" if _restoring(c) else "Ngừng công bố cuộc thi"
            ),
            button=lambda c: "Khôi phục" if _restoring(c) else "Ngừng công bố",
            crumb="Chuyển về bản nháp",
            danger=lambda c: not _restoring(c),
        ),
        StatusAction(
            "archive",
            (ContestStatus.DRAFT, ContestStatus.PUBLISHED),
            archive_contest,
            "Đã lưu trữ cuộc thi.",
            blocked_note="Cuộc thi đã được lưu trữ.",
            heading="Lưu trữ cuộc thi",
            button="Lưu trữ",
            crumb="Lưu trữ",
            danger=True,
        ),
    )
}


@staff_form_view
def contest_status(request: StaffRequest, pk: int, action: str) -> HttpResponse:
    """One of STATUS_ACTIONS, named by the URL (contest_publish, contest_unpublish,
    contest_archive): the confirmation page, the change on POST."""
    contest = fetch_contest(request, pk, MANAGE)
    return status_action(
        request,
        contest,
        STATUS_ACTIONS[action],
        template="contests/staff/contest_status.html",
        detail_url=reverse("contests_staff:contest_detail", args=[contest.pk]),
        context={"nav": NAV, "contest": contest, "participant_count": contest.participants.count()},
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
    return contest_page(
        request,
        "contests/staff/prize_form.html",
        contest,
        round=rnd,
        form=form,
        locked=locked,
        back=back,
    )


@editable(managed_contest)
def contest_prizes(request: StaffRequest, contest: Contest) -> HttpResponse:
    return _prizes_view(request, contest, None)


@editable(managed_round)
def round_prizes(request: StaffRequest, rnd: Round) -> HttpResponse:
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


def _round_form_view(request: StaffRequest, contest: Contest, rnd: Round | None) -> HttpResponse:
    """Add a round to `contest` (`rnd` None) or edit `rnd`."""
    form = f.RoundForm(request.POST or None, instance=rnd, contest=contest)
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_round(form.save(commit=False), form.quotas())
        except ValidationError as error:
            if rnd is None:
                return refuse(request, error, "contests_staff:contest_detail", contest.pk)
            return refuse(request, error, "contests_staff:round_detail", rnd.pk)
        messages.success(request, f"Đã thêm {saved}." if rnd is None else f"Đã lưu {saved}.")
        warn_bank(request, contest)
        return redirect("contests_staff:round_detail", pk=saved.pk)
    draws = {"draws": _round_draws(rnd)} if rnd is not None else {}
    return contest_page(
        request, "contests/staff/round_form.html", contest, round=rnd, form=form, **draws
    )


@editable(managed_contest)
def round_add(request: StaffRequest, contest: Contest) -> HttpResponse:
    return _round_form_view(request, contest, None)


@staff_page
def round_detail(request: StaffRequest, pk: int) -> HttpResponse:
    rnd = fetch_round(request, pk)
    contest = rnd.contest
    can_manage = can(request.user, MANAGE, contest)
    now = timezone.now()
    return contest_page(
        request,
        "contests/staff/round_detail.html",
        contest,
        round=rnd,
        can_manage=can_manage,
        quotas=rnd.quotas.select_related("category").order_by("category__name"),
        prizes=Prize.objects.filter(round=rnd),
        draws=_round_draws(rnd),
        problems=round_problems(rnd, bank_counts(contest))
        if rnd.status == RoundStatus.SCHEDULED
        else [],
        tie_break=" → ".join(f.TIE_BREAKS[k] for k in rnd.tie_break_keys()),
        time_limit_minutes=rnd.time_limit_seconds // 60,
        now=now,
        ended=now >= rnd.closes_at,
        stats_url=reverse("contests_stats:round_stats", args=[rnd.pk]),
        results_export_url=reverse("contests_stats:export_results", args=[rnd.pk]),
        attempt_count=rnd.attempts.count(),
        awards=rnd.awards.select_related("prize").order_by("prize__kind", "rank")
        if rnd.status in (RoundStatus.CLOSED, RoundStatus.PUBLISHED)
        else [],
    )


@editable(managed_round)
def round_edit(request: StaffRequest, rnd: Round) -> HttpResponse:
    if rnd.status != RoundStatus.SCHEDULED:
        messages.error(
            request, f"{rnd} đang ở trạng thái “{rnd.get_status_display()}”; không sửa được nữa."
        )
        return redirect("contests_staff:round_detail", pk=rnd.pk)
    return _round_form_view(request, rnd.contest, rnd)


@staff_form_view
def round_close(request: StaffRequest, pk: int) -> HttpResponse:
    rnd = fetch_round(request, pk, MANAGE)
    reason = ""
    try:
        check_closable(rnd, timezone.now())
    except ContestError as exc:
        reason = exc.message
    if request.method == "POST":
        if reason:
            messages.error(request, reason)
            return redirect("contests_staff:round_detail", pk=rnd.pk)
        title = f"Tổng hợp kết quả {rnd} — {shorten(rnd.contest.title)}"[:200]
        job = start_job(request.user, "close_round", title, params={"round_id": rnd.pk})
        messages.info(request, "Đang tổng hợp kết quả; trang sẽ tự cập nhật khi xong.")
        return redirect(job)
    in_progress = rnd.attempts.filter(status="in_progress").count()
    return contest_page(
        request,
        "contests/staff/round_close.html",
        rnd.contest,
        round=rnd,
        reason=reason,
        in_progress=in_progress,
    )


PUBLISH_RESULTS = StatusAction(
    "publish",
    (RoundStatus.CLOSED,),
    publish_round,
    lambda rnd: f"Đã công bố kết quả {rnd}.",
    refusals=(ContestError,),
    blocked_note=lambda rnd: (
        "Kết quả đợt thi đã được công bố."
        if rnd.status == RoundStatus.PUBLISHED
        else "Đợt thi chưa được tổng hợp kết quả; hãy tổng hợp trước khi công bố."
    ),
    heading=lambda rnd: f"Công bố kết quả {rnd}",
    button="Công bố kết quả",
    crumb="Công bố kết quả",
)


@staff_form_view
def round_publish(request: StaffRequest, pk: int) -> HttpResponse:
    rnd = fetch_round(request, pk, MANAGE)
    return status_action(
        request,
        rnd,
        PUBLISH_RESULTS,
        template="contests/staff/round_publish.html",
        detail_url=reverse("contests_staff:round_detail", args=[rnd.pk]),
        context={
            "nav": NAV,
            "contest": rnd.contest,
            "round": rnd,
            "award_count": rnd.awards.count(),
        },
    )
