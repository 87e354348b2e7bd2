"""Statistics pages and Excel exports of contests (staff).

Thin function views: fetch-and-check through the user's scope (a round through
its contest: `Round.objects.visible_to`), compute (`stats`), draw (`charts`),
render. Anything out of scope answers 404, like anything missing.

Exports: masked personal data for everyone in scope; the full file only for a
user who may manage the contest *and* asks with `?day_du=1`. Small files are
sent at once; from `exports.SYNC_LIMIT` rows on, a background job writes the
file and `job_download` serves it to the job's owner.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_http_methods

from danvan.contests import exports
from danvan.contests.models import Contest, Round
from danvan.contests.stats import Breakdowns, Row, contest_statistics, round_statistics
from danvan.core import charts, excel
from danvan.core.jobs import start_job
from danvan.core.models import Job
from danvan.core.scope import MANAGE, can, get_visible_or_404
from danvan.core.views_common import staff_page

CHART_ROWS = 15  # bars drawn per chart; the table under it lists every row
FULL_FLAG = "day_du"


def _svg(markup: str) -> SafeString:
    # charts.* escape every piece of text they draw.
    return mark_safe(markup)


def _bars(
    rows: list[Row], title: str, *, fixed: bool = False, limit: int = CHART_ROWS
) -> dict[str, Any]:
    """A breakdown for the page. Fixed groups (age bands, sex, occupation) keep
    their empty groups on the chart; places and organisations show the largest."""
    filled = [r for r in rows if r.participants or r.attempts]
    shown = rows[:limit] if fixed else filled[:limit]
    return {
        "title": title,
        "svg": _svg(
            charts.bar_chart([(r.label, r.participants) for r in shown], title, unit=" người")
        ),
        "rows": rows if fixed else filled,
        "has_data": bool(filled),
        "hidden": max(0, len(filled) - len(shown)),
    }


def _sections(stats: Breakdowns) -> list[dict[str, Any]]:
    return [
        _bars(stats.communes, "Người dự thi theo xã, phường"),
        _bars(stats.hamlets, "Người dự thi theo ấp, khu vực"),
        _bars(stats.organizations, "Người dự thi theo tổ chức"),
        _bars(stats.age_bands, "Người dự thi theo độ tuổi", fixed=True),
        _bars(stats.sexes, "Người dự thi theo giới tính", fixed=True),
        _bars(stats.occupations, "Người dự thi theo đối tượng", fixed=True),
    ]


def _per_day(stats: Breakdowns) -> SafeString:
    return _svg(
        charts.column_chart(
            [(d.day.strftime("%d/%m"), d.attempts) for d in stats.per_day],
            "Số lượt thi đã nộp theo ngày",
            y_title="Lượt thi",
            unit=" lượt",
        )
    )


def _wants_full(request: HttpRequest) -> bool:
    return request.GET.get(FULL_FLAG) == "1" or request.POST.get(FULL_FLAG) == "1"


def _recent_exports(request: HttpRequest, **params: int) -> list[Job]:
    qs = Job.objects.visible_to(request.user).filter(
        created_by_id=request.user.pk, kind__in=exports.EXPORT_KINDS
    )
    for key, value in params.items():
        qs = qs.filter(**{f"params__{key}": value})
    return list(qs[:5])


# --- Pages -------------------------------------------------------------------------


@staff_page
def round_stats(request: HttpRequest, pk: int) -> HttpResponse:
    rnd: Round = get_visible_or_404(Round.objects.select_related("contest"), request.user, pk=pk)
    stats = round_statistics(rnd)
    return render(
        request,
        "contests/stats/round.html",
        {
            "nav": "contests",
            "round": rnd,
            "contest": rnd.contest,
            "stats": stats,
            "per_day_svg": _per_day(stats),
            "histogram_svg": _svg(
                charts.histogram(
                    stats.score_distribution, "Phổ điểm (lượt được tính của mỗi người)"
                )
            ),
            "sections": _sections(stats),
            "hardest": stats.hardest(10),
            "can_reveal": can(request.user, MANAGE, rnd.contest),
            "sync_limit": exports.SYNC_LIMIT,
            "recent_exports": _recent_exports(request, round=rnd.pk),
        },
    )


@staff_page
def contest_stats(request: HttpRequest, pk: int) -> HttpResponse:
    contest: Contest = get_visible_or_404(Contest.objects, request.user, pk=pk)
    stats = contest_statistics(contest)
    return render(
        request,
        "contests/stats/contest.html",
        {
            "nav": "contests",
            "contest": contest,
            "stats": stats,
            "per_day_svg": _per_day(stats),
            "rounds_svg": _svg(
                charts.bar_chart(
                    [(r.label, r.participants) for r in stats.rounds],
                    "Người dự thi theo đợt",
                    unit=" người",
                )
            ),
            "sections": _sections(stats),
            "can_reveal": can(request.user, MANAGE, contest),
            "recent_exports": _recent_exports(request, contest=contest.pk),
        },
    )


# --- Exports -----------------------------------------------------------------------


def _export(
    request: HttpRequest,
    contest: Contest,
    *,
    kind: str,
    title: str,
    params: dict[str, Any],
    rows: int,
    back: str,
    build: Callable[[bool], tuple[bytes, tuple[str, str]]],
) -> HttpResponse:
    """A workbook of `rows` rows: sent at once (`build(reveal)` gives its bytes and
    file names), or, when large, a confirmation page on GET and a background job
    (`kind` with `params`) on POST. Full personal data only for those who may."""
    reveal = exports.may_reveal(request.user, contest, _wants_full(request))
    if rows < exports.SYNC_LIMIT:
        if reveal:
            exports.log_personal_export(contest)
        data, names = build(reveal)
        return excel.attachment(data, excel.XLSX, names)
    title = title[:200]
    params = {**params, "reveal": reveal}
    if request.method != "POST":
        return render(
            request,
            "contests/stats/export_confirm.html",
            {"nav": "contests", "title": title, "rows": rows, "full": reveal, "back": back},
        )
    job = start_job(request.user, kind, title, params=params)
    messages.info(request, "Tệp đang được tạo trong nền; khi xong, bấm “Tải tệp” ở trang thống kê.")
    return redirect(job)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def export_results(request: HttpRequest, pk: int) -> HttpResponse:
    rnd: Round = get_visible_or_404(Round.objects.select_related("contest"), request.user, pk=pk)
    return _export(
        request,
        rnd.contest,
        kind="export_results",
        title=f"Xuất kết quả {rnd} — {rnd.contest.title}",
        params={"round": rnd.pk},
        rows=exports.count_results(rnd),
        back=reverse("contests_stats:round_stats", args=[rnd.pk]),
        build=lambda reveal: (
            exports.results_workbook(rnd, reveal),
            exports.results_filenames(rnd, reveal),
        ),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def export_participants(request: HttpRequest, pk: int) -> HttpResponse:
    contest: Contest = get_visible_or_404(Contest.objects, request.user, pk=pk)
    return _export(
        request,
        contest,
        kind="export_participants",
        title=f"Xuất danh sách người dự thi — {contest.title}",
        params={"contest": contest.pk},
        rows=exports.count_participants(contest),
        back=reverse("contests_stats:contest_stats", args=[contest.pk]),
        build=lambda reveal: (
            exports.participants_workbook(contest, reveal),
            exports.participants_filenames(contest, reveal),
        ),
    )


@staff_page
def job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file of a finished export job, for the person who started it."""
    job: Job = get_visible_or_404(Job.objects, request.user, pk=pk)
    name = exports.job_file(job)
    if name is None:
        raise Http404("Không tìm thấy tệp.")
    response = FileResponse(default_storage.open(name, "rb"), content_type=excel.XLSX)
    fallback = posixpath.basename(name)
    response["Content-Disposition"] = excel.content_disposition(
        str(job.result.get("ascii_filename") or fallback),
        str(job.result.get("filename") or fallback),
    )
    response["Cache-Control"] = "private, no-store"
    return response
