"""Shared helpers of the public contest pages (views_public, views_participant,
views_attempt): the participant's session, the published contest or round of
a URL, small formatting and the error pages.

A participant has no account: their id sits in the session under
f"contest:{contest.pk}:participant", beside a `verified` mark. Every way in
proves who they are (a fresh registration, the access code, phone plus CCCD,
a one-time code); a session without the mark (signed in by a phone alone,
before that was refused) counts as signed out.
"""

from __future__ import annotations

from datetime import datetime

from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import get_object_or_404, render

from danvan.contests.models import (
    Contest,
    ContestStatus,
    Participant,
    Round,
    RoundStatus,
)
from danvan.contests.services import (
    CONTEST_LONG_TEXTS,
    ROUND_TTL,
)
from danvan.core.cache import LocalCache
from danvan.core.text import VN_TZ

# Rounds (with their contest) for the start of an attempt; emptied in this
# process when a round or contest is saved (apps.ContestsConfig.ready).
ROUNDS = LocalCache(ttl=ROUND_TTL)


def participant_key(contest_id: int) -> str:
    return f"contest:{contest_id}:participant"


def verified_key(contest_id: int) -> str:
    return f"contest:{contest_id}:verified"


def otp_phone_key(contest_id: int) -> str:
    return f"contest:{contest_id}:otp_phone"


def session_participant_id(request: HttpRequest, contest_id: int) -> int | None:
    if not request.session.get(verified_key(contest_id)):
        return None
    value = request.session.get(participant_key(contest_id))
    return int(value) if value else None


def current_participant(request: HttpRequest, contest: Contest) -> Participant | None:
    pid = session_participant_id(request, contest.pk)
    if pid is None:
        return None
    participant = (
        Participant.objects.select_related("area")
        .filter(pk=pid, contest=contest, erased_at__isnull=True)
        .first()
    )
    if participant is None:
        forget_participant(request, contest)
    return participant


def remember_participant(request: HttpRequest, contest: Contest, participant: Participant) -> None:
    request.session.cycle_key()  # a new session id on every sign-in (no fixation)
    request.session[participant_key(contest.pk)] = participant.pk
    request.session[verified_key(contest.pk)] = True
    request.session.pop(otp_phone_key(contest.pk), None)


def forget_participant(request: HttpRequest, contest: Contest) -> None:
    request.session.pop(participant_key(contest.pk), None)
    request.session.pop(verified_key(contest.pk), None)


# --- Small helpers --------------------------------------------------------------------


def published_contest(slug: str) -> Contest:
    return get_object_or_404(
        Contest.objects.published().select_related("target_area", "organization"), slug=slug
    )


def signed_in_participant(request: HttpRequest, slug: str) -> tuple[Contest, Participant | None]:
    """The published contest of the URL (else 404) and its participant signed in, if any."""
    contest = published_contest(slug)
    return contest, current_participant(request, contest)


def mmss(total_seconds: float | int | None) -> str:
    if total_seconds is None:
        return ""
    seconds = max(0, int(total_seconds))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def minutes_label(seconds: int) -> str:
    """600 -> "10 phút", 90 -> "1 phút 30 giây"."""
    minutes, rest = divmod(int(seconds), 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút {rest} giây" if rest else f"{minutes} phút"


def clock(dt: datetime) -> str:
    """HH:MM:SS in Việt Nam time."""
    return dt.astimezone(VN_TZ).strftime("%H:%M:%S")


def error_page(
    request: HttpRequest, message: str, status: int, contest: Contest | None = None
) -> HttpResponse:
    return render(
        request,
        "contests/public/error.html",
        {"message": message, "status": status, "contest": contest},
        status=status,
    )


def contest_phase(contest: Contest, now: datetime) -> str:
    if now < contest.starts_at:
        return "upcoming"
    if now >= contest.ends_at:
        return "ended"
    return "open"


def round_state(rnd: Round, now: datetime) -> tuple[str, str, str]:
    if rnd.status == RoundStatus.PUBLISHED:
        return "published", "Đã công bố kết quả", "badge-ok"
    if rnd.status in (RoundStatus.CLOSING, RoundStatus.CLOSED):
        return "closing", "Đang tổng hợp kết quả", "badge-warn"
    if now < rnd.opens_at:
        return "upcoming", "Sắp mở", "badge-muted"
    if now < rnd.closes_at:
        return "open", "Đang diễn ra", "badge-ok"
    return "ended", "Đã kết thúc", "badge-muted"


def published_round(slug: str, number: int) -> Round:
    """A round of a published contest with its contest (the long texts left out);
    404 otherwise. Kept ROUND_TTL seconds in the process: a start re-checks the
    clock itself, so what may lag is a change by staff (another closing time,
    unpublishing), by at most that long."""
    rnd = ROUNDS.get((slug, number))
    if rnd is None:
        rnd = get_object_or_404(
            Round.objects.select_related("contest")
            .defer(*(f"contest__{name}" for name in CONTEST_LONG_TEXTS))
            .filter(contest__slug=slug, contest__status=ContestStatus.PUBLISHED),
            number=number,
        )
        ROUNDS.set((slug, number), rnd)
    return rnd
