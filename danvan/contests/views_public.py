"""Public contest pages: for people on cheap phones, slow networks, often no JavaScript.

Every page works as plain HTML forms; attempt.js only adds the running clock,
saving each answer as it is chosen and a copy in localStorage.

This module: the list of contests, a contest's page and rules, and a round's
results with the live leaderboard. Registration, signing in and personal data
are in views_participant; the attempt in views_attempt; what they share in
public_helpers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from danvan.contests import participants as people
from danvan.contests.models import (
    Attempt,
    AttemptStatus,
    Award,
    Contest,
    ContestStatus,
    Participant,
    PrizeKind,
    Round,
)
from danvan.contests.public_helpers import (
    contest_phase,
    minutes_label,
    mmss,
    published_contest,
    round_state,
    signed_in_participant,
)
from danvan.core.cache import PublicPages
from danvan.core.masking import mask_name
from danvan.core.models import Area, AreaKind

LEADERBOARD_SIZE = 100
LEADERBOARD_TTL = 10  # seconds


@dataclass
class RoundCard:
    round: Round
    state: str  # upcoming | open | ended | closing | published
    label: str
    badge: str
    used: int = 0
    resume_url: str = ""
    last_result_url: str = ""

    @property
    def time_limit(self) -> str:
        return minutes_label(self.round.time_limit_seconds)

    @property
    def remaining(self) -> int | None:
        if not self.round.max_attempts:
            return None
        return max(0, self.round.max_attempts - self.used)


def round_cards(contest: Contest, participant: Participant | None) -> list[RoundCard]:
    now = timezone.now()
    rounds = list(contest.rounds.order_by("number"))
    mine: dict[int, list[tuple[Any, ...]]] = {}
    if participant is not None:
        for row in (
            Attempt.objects.filter(participant=participant)
            .order_by("number")
            .values_list("round_id", "status", "deadline", "token")
        ):
            mine.setdefault(row[0], []).append(row)
    cards = []
    for rnd in rounds:
        state, label, badge = round_state(rnd, now)
        card = RoundCard(rnd, state, label, badge)
        for _rid, status, deadline, token in mine.get(rnd.pk, []):
            card.used += 1
            if status == AttemptStatus.IN_PROGRESS and deadline > now:
                card.resume_url = reverse("contests:attempt", args=[token])
            elif status != AttemptStatus.IN_PROGRESS:
                card.last_result_url = reverse("contests:result", args=[token])
        cards.append(card)
    return cards


# --- Lists and the contest page ----------------------------------------------------------


@require_safe
def contest_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    published = Contest.objects.published().only("title", "slug", "summary", "starts_at", "ends_at")
    return render(
        request,
        "contests/public/list.html",
        {
            "open_contests": published.filter(starts_at__lte=now, ends_at__gt=now),
            "upcoming": published.filter(starts_at__gt=now).order_by("starts_at"),
            "ended": published.filter(ends_at__lte=now).order_by("-ends_at")[:20],
        },
    )


@require_safe
@never_cache
def contest_detail(request: HttpRequest, slug: str) -> HttpResponse:
    contest, participant = signed_in_participant(request, slug)
    return render(
        request,
        "contests/public/detail.html",
        {
            "contest": contest,
            "phase": contest_phase(contest, timezone.now()),
            "participant": participant,
            "display_name": participant.full_name if participant else "",
            "access_code": people.format_access_code(participant.access_code)
            if participant
            else "",
            "rounds": round_cards(contest, participant),
            "overall_awards": Award.objects.filter(prize__contest=contest, round__isnull=True)
            .select_related("prize")
            .order_by("prize__kind", "rank"),
        },
    )


@require_safe
def contest_rules(request: HttpRequest, slug: str) -> HttpResponse:
    contest = published_contest(slug)
    return render(request, "contests/public/rules.html", {"contest": contest})


# --- Registration and signing in --------------------------------------------------------


def _commune_names(paths: set[str]) -> dict[str, str]:
    if not paths:
        return {}
    return dict(Area.objects.filter(path__in=paths).values_list("path", "name"))


def live_leaderboard(rnd: Round) -> list[dict[str, Any]]:
    """Top counted attempts by score, time, submission; masked names, commune.
    Cached for a few seconds: cheap under load, fresh enough to watch."""
    key = f"contests:leaderboard:{rnd.pk}"
    rows = cache.get(key)
    if rows is not None:
        return rows  # type: ignore[no-any-return]
    query = (
        Attempt.objects.filter(round=rnd, counted=True)
        .order_by("-score", "duration_ms", "submitted_at", "pk")
        .values_list(
            "score",
            "duration_ms",
            "participant__full_name",
            "participant__erased_at",
            "participant__area__path",
            "participant__area__name",
            "participant__area__kind",
        )[:LEADERBOARD_SIZE]
    )
    steplen = Area.steplen
    attempts = list(query)
    parents = {path[:-steplen] for *_rest, path, _name, kind in attempts if kind == AreaKind.HAMLET}
    communes = _commune_names(parents)
    rows = []
    for place, (score, duration_ms, name, erased_at, path, area_name, kind) in enumerate(
        attempts, start=1
    ):
        commune = communes.get(path[:-steplen], "") if kind == AreaKind.HAMLET else area_name
        rows.append(
            {
                "place": place,
                "name": "(đã xóa dữ liệu)" if erased_at else mask_name(name),
                "commune": commune,
                "score": score or 0,
                "duration": mmss((duration_ms or 0) / 1000),
            }
        )
    cache.set(key, rows, LEADERBOARD_TTL)
    return rows


# Rendered results pages for visitors without a session, kept in each process
# for LEADERBOARD_TTL seconds: the page everyone refreshes at a deadline costs
# about as much as a bare view. Visitors with a session (who may have messages
# waiting) get a fresh render, from the cached rows.
_RESULTS_PAGES = PublicPages("contests:results", ttl=LEADERBOARD_TTL, versioned=False)


@require_safe
@_RESULTS_PAGES.cached
def round_results(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    return render_round_results(request, slug, number)


def render_round_results(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    rnd = get_object_or_404(
        Round.objects.select_related("contest").filter(
            contest__slug=slug, contest__status=ContestStatus.PUBLISHED
        ),
        number=number,
    )
    contest = rnd.contest
    now = timezone.now()
    state, label, badge = round_state(rnd, now)
    context: dict[str, Any] = {
        "contest": contest,
        "round": rnd,
        "state": state,
        "state_label": label,
        "badge": badge,
        "rounds": list(contest.rounds.order_by("number").values_list("number", "title")),
    }
    if state == "published":
        awards: QuerySet[Award] = (
            Award.objects.filter(round=rnd).select_related("prize").order_by("prize__kind", "rank")
        )
        individual: dict[str, list[Award]] = {}
        collective: list[Award] = []
        order = [k for k, _ in PrizeKind.choices]
        for award in awards:
            if award.prize.kind == PrizeKind.COLLECTIVE:
                collective.append(award)
            else:
                individual.setdefault(award.prize.kind, []).append(award)
        context["prizes"] = [
            (PrizeKind(kind).label, individual[kind]) for kind in order if kind in individual
        ]
        context["collective"] = collective
    elif state != "upcoming":
        context["leaderboard"] = live_leaderboard(rnd)
    return render(request, "contests/public/results.html", context)


# --- Personal data: see, export, erase ------------------------------------------------------
