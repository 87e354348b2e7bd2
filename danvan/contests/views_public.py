"""Public contest pages: for people on cheap phones, slow networks, often no JavaScript.

Every page works as plain HTML forms; attempt.js only adds the running clock,
saving each answer as it is chosen and a copy in localStorage.

A participant has no account: their id sits in the session under
f"contest:{contest.pk}:participant", beside a `verified` mark. Every way in
proves who they are (a fresh registration, the access code, phone plus CCCD,
a one-time code); a session without the mark (signed in by a phone alone,
before that was refused) counts as signed out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from danvan.contests import otp
from danvan.contests import participants as people
from danvan.contests.forms_public import (
    CodeSignInForm,
    EraseForm,
    OtpCodeForm,
    OtpSendForm,
    PhoneSignInForm,
    RegistrationForm,
)
from danvan.contests.models import (
    LETTERS,
    Attempt,
    AttemptStatus,
    Award,
    Contest,
    ContestStatus,
    Participant,
    Prediction,
    PrizeKind,
    Round,
    RoundStatus,
    ShowAnswers,
)
from danvan.contests.privacy import cccd_or_notice
from danvan.contests.ratelimit import LIMITS
from danvan.contests.services import (
    CONTEST_LONG_TEXTS,
    ROUND_TTL,
    Bank,
    ContestError,
    answers_visible,
    is_choice_id,
    load_bank,
    save_answers,
    start_attempt,
    submit_attempt,
    withheld_answers,
)
from danvan.core.cache import LocalCache
from danvan.core.masking import mask_name, mask_phone
from danvan.core.middleware import client_ip
from danvan.core.models import Area, AreaKind
from danvan.core.ratelimit import RateLimited
from danvan.core.text import VN_TZ, clean_json, format_datetime

LEADERBOARD_SIZE = 100
LEADERBOARD_TTL = 10  # seconds
# Rounds (with their contest) for the start of an attempt; emptied in this
# process when a round or contest is saved (apps.ContestsConfig.ready).
ROUNDS = LocalCache(ttl=ROUND_TTL)
LATE_MESSAGE = (
    "Đã hết thời gian làm bài; hệ thống đã ghi nhận các câu trả lời được lưu trước khi hết giờ."
)


# --- Sessions -----------------------------------------------------------------------


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


def too_many(request: HttpRequest, error: RateLimited) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def contest_phase(contest: Contest, now: datetime) -> str:
    if now < contest.starts_at:
        return "upcoming"
    if now >= contest.ends_at:
        return "ended"
    return "open"


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
    contest = published_contest(slug)
    participant = current_participant(request, contest)
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


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def register(request: HttpRequest, slug: str) -> HttpResponse:
    contest = published_contest(slug)
    if current_participant(request, contest) is not None:
        return redirect(contest)
    phase = contest_phase(contest, timezone.now())
    if phase != "open":
        return render(
            request,
            "contests/public/register.html",
            {"contest": contest, "phase": phase, "form": None},
        )
    if request.method == "POST":
        try:
            LIMITS.check("register_ip", client_ip(request))
        except RateLimited as error:
            return too_many(request, error)
        form = RegistrationForm(request.POST, contest=contest)
        if form.is_valid():
            try:
                signin = people.register(contest, form.registration())
            except people.ParticipantError as error:
                form.add_error(error.field, error.message)
            else:
                remember_participant(request, contest, signin.participant)
                if signin.created:
                    return redirect("contests:registered", slug=contest.slug)
                messages.info(
                    request,
                    "Bạn đã đăng ký cuộc thi này trước đây. "
                    "Hệ thống đã đăng nhập lại cho bạn, không tạo đăng ký mới.",
                )
                return redirect(contest)
    else:
        form = RegistrationForm(contest=contest)
    return render(
        request,
        "contests/public/register.html",
        {"contest": contest, "phase": phase, "form": form},
    )


@require_safe
@never_cache
def registered(request: HttpRequest, slug: str) -> HttpResponse:
    contest = published_contest(slug)
    participant = current_participant(request, contest)
    if participant is None:
        return redirect(contest)
    return render(
        request,
        "contests/public/registered.html",
        {
            "contest": contest,
            "participant": participant,
            "access_code": people.format_access_code(participant.access_code),
        },
    )


# The `cach` (way) each form of the sign-in page posts.
SIGNIN_WAYS = ("ma", "sdt", "otp-gui", "otp")


def welcome(request: HttpRequest, participant: Participant, show_code: bool) -> None:
    """Greet a participant just signed in; show the access code again to whoever
    signed in without it (that is how a lost code is recovered)."""
    text = f"Xin chào {participant.full_name}!"
    if show_code:
        code = people.format_access_code(participant.access_code)
        text += f" Mã dự thi của bạn là {code}: hãy ghi lại để lần sau đăng nhập nhanh."
    messages.success(request, text)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def sign_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Three ways back in, none of them a phone number alone: the access code;
    phone plus the CCCD given at registration; a one-time code sent to the
    phone (when a gateway is configured). The last two also recover a lost
    access code."""
    contest = published_contest(slug)
    forms: dict[str, Any] = {
        "code_form": CodeSignInForm(prefix="ma"),
        "phone_form": PhoneSignInForm(prefix="sdt"),
        "otp_send_form": OtpSendForm(prefix="otp"),
        "otp_code_form": OtpCodeForm(prefix="otp"),
    }
    otp_phone = request.session.get(otp_phone_key(contest.pk), "")
    if request.method == "POST":
        how = request.POST.get("cach", "")
        if how not in SIGNIN_WAYS:
            return redirect("contests:signin", slug=contest.slug)
        try:
            LIMITS.check("signin_ip", client_ip(request))
        except RateLimited as error:
            return too_many(request, error)
        participant = None
        if how == "ma":
            code_form = forms["code_form"] = CodeSignInForm(request.POST, prefix="ma")
            if code_form.is_valid():
                try:
                    signin = people.sign_in_by_code(contest, code_form.cleaned_data["access_code"])
                except people.ParticipantError as error:
                    code_form.add_error("access_code", error.message)
                else:
                    remember_participant(request, contest, signin.participant)
                    welcome(request, signin.participant, show_code=False)
                    return redirect(contest)
        elif how == "sdt":
            phone_form = forms["phone_form"] = PhoneSignInForm(request.POST, prefix="sdt")
            if phone_form.is_valid():
                try:
                    signin = people.sign_in_by_phone(
                        contest, phone_form.cleaned_data["phone"], phone_form.cleaned_data["cccd"]
                    )
                except people.ParticipantError as error:
                    phone_form.add_error(error.field, error.message)
                else:
                    participant = signin.participant
        elif not otp.enabled():
            messages.warning(request, OTP_OFF)
        elif how == "otp-gui":
            send_form = forms["otp_send_form"] = OtpSendForm(request.POST, prefix="otp")
            if send_form.is_valid():
                phone = send_form.cleaned_data["phone"]
                try:
                    LIMITS.check_all([("otp_phone", phone), ("otp_ip", client_ip(request))])
                except RateLimited as error:
                    return too_many(request, error)
                try:
                    otp.send_code(contest, phone)
                except otp.OtpError as error:
                    send_form.add_error(None, error.message)
                else:
                    request.session[otp_phone_key(contest.pk)] = phone
                    messages.info(
                        request,
                        "Nếu số điện thoại này đã đăng ký cuộc thi, một mã xác nhận gồm 6 chữ số "
                        f"vừa được gửi đến số {mask_phone(phone)}. Vui lòng nhập mã đó bên dưới.",
                    )
                    return redirect("contests:signin", slug=contest.slug)
        else:  # "otp": the code received
            otp_form = forms["otp_code_form"] = OtpCodeForm(request.POST, prefix="otp")
            if otp_form.is_valid():
                try:
                    participant = otp.verify_code(contest, otp_phone, otp_form.cleaned_data["code"])
                except otp.OtpError as error:
                    otp_form.add_error("code", error.message)
                else:
                    if participant is None:
                        otp_form.add_error("code", otp.WRONG_OR_EXPIRED)
        if participant is not None:
            remember_participant(request, contest, participant)
            welcome(request, participant, show_code=True)
            return redirect(contest)
    return render(
        request,
        "contests/public/signin.html",
        {
            "contest": contest,
            "otp_enabled": otp.enabled(),
            "otp_phone": mask_phone(otp_phone),
            **forms,
        },
    )


OTP_OFF = (
    "Cuộc thi chưa dùng mã xác nhận qua tin nhắn. Vui lòng đăng nhập bằng mã dự thi hoặc "
    "số điện thoại và số CCCD; nếu không còn cả hai, vui lòng liên hệ Ban Tổ chức."
)


@require_POST
def sign_out(request: HttpRequest, slug: str) -> HttpResponse:
    contest = published_contest(slug)
    forget_participant(request, contest)
    messages.info(request, "Bạn đã thoát. Lần sau, hãy đăng nhập lại bằng mã dự thi.")
    return redirect(contest)


# --- Starting and taking an attempt -------------------------------------------------------


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


@require_POST
def start(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    # The hot path at a round's deadline: the participant is read (and locked)
    # once, inside start_attempt; the rate limits are one round trip.
    rnd = published_round(slug, number)
    contest = rnd.contest
    participant_id = session_participant_id(request, contest.pk)
    if participant_id is None:
        messages.warning(request, "Vui lòng đăng ký hoặc đăng nhập lại trước khi làm bài.")
        return redirect("contests:register", slug=contest.slug)
    try:
        LIMITS.check_all(
            [
                ("start_ip", client_ip(request)),
                ("start_participant", str(participant_id)),
            ]
        )
    except RateLimited as error:
        return too_many(request, error)
    try:
        attempt = start_attempt(rnd, participant_id)
    except ContestError as error:
        if error.code == "participant":  # erased, or a session from another contest
            forget_participant(request, contest)
            messages.warning(request, "Vui lòng đăng ký hoặc đăng nhập lại trước khi làm bài.")
            return redirect("contests:register", slug=contest.slug)
        return error_page(request, error.message, error.status, contest)
    return redirect("contests:attempt", token=attempt.token)


def signed_in_for(request: HttpRequest, attempt: Attempt) -> bool:
    """Is the attempt's participant the one signed in for its contest?"""
    return session_participant_id(request, attempt.round.contest_id) == attempt.participant_id


def owns(request: HttpRequest, attempt: Attempt) -> bool:
    """Does the attempt belong to the participant signed in (and not erased)?"""
    return signed_in_for(request, attempt) and attempt.participant.erased_at is None


def owned_attempt(request: HttpRequest, token: str) -> Attempt:
    """The attempt, if it belongs to the participant signed in for its contest; else 404."""
    attempt = (
        Attempt.objects.select_related("round__contest", "participant").filter(token=token).first()
    )
    if attempt is None or not owns(request, attempt):
        raise Http404("Không tìm thấy bài thi.")
    return attempt


def form_answers(attempt: Attempt, data: Any) -> dict[str, list[str]]:
    """Answers as posted by the plain form: q_<question id> -> chosen choice ids."""
    return {str(qid): data.getlist(f"q_{qid}") for qid, _cids in attempt.paper}


def paper_view(
    attempt: Attempt,
    *,
    with_answers: bool = False,
    withheld: dict[int, Round] | None = None,
    bank: Bank | None = None,
) -> list[dict[str, Any]]:
    """The questions in the paper order, choices in the order shown. Correctness and
    explanations are only added when `with_answers` (the result page, when allowed),
    and never for a question in `withheld` (another round can still draw it: the
    round whose end frees it is given instead)."""
    bank = bank or load_bank(attempt.round.contest_id)
    withheld = withheld or {}
    questions = []
    for index, (qid, cids) in enumerate(attempt.paper, start=1):
        question = bank.questions.get(qid)
        texts = dict(question.choices) if question else {}
        chosen = {int(c) for c in (attempt.answers.get(str(qid)) or [])}
        item: dict[str, Any] = {
            "id": qid,
            "number": index,
            "text": question.text if question else "(Câu hỏi đã được Ban Tổ chức rút lại.)",
            "multiple": bool(question and question.multiple),
            "answered": bool(chosen),
            "choices": [
                {
                    "id": cid,
                    "letter": LETTERS[pos] if pos < len(LETTERS) else str(pos + 1),
                    "text": texts.get(cid, ""),
                    "checked": cid in chosen,
                }
                for pos, cid in enumerate(cids)
            ],
        }
        if with_answers and qid in withheld:
            item["withheld_until"] = withheld[qid]
        elif with_answers and question is not None:
            item["explanation"] = question.explanation
            item["right"] = bool(question.correct) and chosen == set(question.correct)
            for choice in item["choices"]:
                choice["correct"] = choice["id"] in question.correct
        questions.append(item)
    return questions


def finish_late(attempt: Attempt) -> Attempt:
    """Close an attempt whose time (and grace) is over with what was saved in time."""
    return submit_attempt(attempt.token, {}, None).attempt


def render_attempt(
    request: HttpRequest,
    attempt: Attempt,
    *,
    error: str = "",
    prediction_error: str = "",
    prediction_value: Any = None,
    status: int = 200,
) -> HttpResponse:
    rnd = attempt.round
    questions = paper_view(attempt)
    seconds_left = attempt.seconds_left
    if prediction_value is None:
        prediction_value = "" if attempt.prediction is None else attempt.prediction
    return render(
        request,
        "contests/public/attempt.html",
        {
            "contest": rnd.contest,
            "round": rnd,
            "attempt": attempt,
            "questions": questions,
            "answered": sum(1 for q in questions if q["answered"]),
            "seconds_left": seconds_left,
            "remaining": mmss(seconds_left),
            "deadline_clock": clock(attempt.deadline)[:5],
            "has_prediction": rnd.prediction != Prediction.NONE,
            "prediction_value": prediction_value,
            "prediction_error": prediction_error,
            "error": error,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def attempt_page(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") != "save":
        return submit_form(request, token)
    attempt = owned_attempt(request, token)
    result_url = reverse("contests:result", args=[attempt.token])
    if attempt.status != AttemptStatus.IN_PROGRESS:
        return HttpResponseRedirect(result_url)
    now = timezone.now()
    if now > attempt.hard_deadline():
        finish_late(attempt)
        return HttpResponseRedirect(result_url)
    if request.method != "POST":
        return render_attempt(request, attempt)

    # "Lưu tạm" without JavaScript.
    answers = form_answers(attempt, request.POST)
    raw_prediction = request.POST.get("du_doan", "")
    try:
        save_answers(attempt, answers, now, prediction=raw_prediction)
    except ContestError as error:
        if error.code in ("submitted", "late"):
            if error.code == "late":
                finish_late(attempt)
            return HttpResponseRedirect(result_url)
        if error.code.startswith("prediction"):
            return keep_and_ask_prediction(request, attempt, answers, now, error, raw_prediction)
        return error_page(request, error.message, error.status, attempt.round.contest)
    messages.success(request, f"Đã lưu tạm các câu trả lời lúc {clock(now)}.")
    return HttpResponseRedirect(reverse("contests:attempt", args=[attempt.token]))


def submit_form(request: HttpRequest, token: str) -> HttpResponse:
    """ "Nộp bài": one locked read, score, write (the hot path at a deadline).
    Already submitted or out of time: the result. A prediction missing or
    malformed: the answers are kept and the page asks for it again."""
    now = timezone.now()
    raw_prediction = request.POST.get("du_doan", "")
    try:
        submit_attempt(
            token,
            lambda attempt: form_answers(attempt, request.POST),
            raw_prediction,
            now,
            # (submit_attempt itself refuses an erased participant.)
            owner=lambda attempt: signed_in_for(request, attempt),
        )
    except ContestError as error:
        if error.code == "missing":
            raise Http404("Không tìm thấy bài thi.") from None
        attempt = owned_attempt(request, token)
        if not error.code.startswith("prediction"):
            return error_page(request, error.message, error.status, attempt.round.contest)
        answers = form_answers(attempt, request.POST)
        return keep_and_ask_prediction(request, attempt, answers, now, error, raw_prediction)
    return HttpResponseRedirect(reverse("contests:result", args=[token]))


def keep_and_ask_prediction(
    request: HttpRequest,
    attempt: Attempt,
    answers: dict[str, list[str]],
    now: datetime,
    error: ContestError,
    raw_prediction: str,
) -> HttpResponse:
    """Save the ticked answers, then show the paper again asking for the prediction."""
    try:
        save_answers(attempt, answers, now)
    except ContestError as save_error:
        if save_error.code in ("submitted", "late"):
            if save_error.code == "late":
                finish_late(attempt)
            return HttpResponseRedirect(reverse("contests:result", args=[attempt.token]))
        return error_page(request, save_error.message, save_error.status, attempt.round.contest)
    return render_attempt(
        request, attempt, prediction_error=error.message, prediction_value=raw_prediction
    )


def json_error(message: str, status: int, code: str = "invalid", **extra: Any) -> JsonResponse:
    return JsonResponse(
        {"ok": False, "error": message, "code": code, **extra},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@require_POST
@never_cache
def attempt_save(request: HttpRequest, token: str) -> JsonResponse:
    """Autosave from attempt.js: {"answers": {question id: [choice id, ...]}, "prediction": n}."""
    try:
        attempt = owned_attempt(request, token)
    except Http404:
        return json_error("Không tìm thấy bài thi.", 404, "missing")
    try:
        LIMITS.check("save_attempt", attempt.token)
    except RateLimited as error:
        return json_error(
            "Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút.",
            429,
            "rate_limited",
            retry_after=error.retry_after,
        )
    try:
        payload = clean_json(json.loads(request.body.decode("utf-8") or "{}"))
    except (UnicodeDecodeError, ValueError):
        return json_error("Dữ liệu gửi lên không hợp lệ.", 400, "bad_json")
    if not isinstance(payload, dict):
        return json_error("Dữ liệu gửi lên không hợp lệ.", 400, "bad_json")
    answers = payload.get("answers", {})
    if not isinstance(answers, dict):
        return json_error("Dữ liệu gửi lên không hợp lệ.", 400, "bad_json")
    for value in answers.values():
        values = value if isinstance(value, list) else [] if value is None else [value]
        if not all(is_choice_id(v) for v in values):
            # Floats would be truncated by int() in the services: 1.9 is not choice 1.
            return json_error("Phương án trả lời không hợp lệ.", 400, "bad_choice")
    raw_prediction = payload.get("prediction")
    redirect_url = reverse("contests:attempt", args=[attempt.token])
    try:
        save_answers(attempt, answers, prediction=raw_prediction)
    except ContestError as error:
        extra = {"redirect": redirect_url} if error.code in ("submitted", "late") else {}
        return json_error(error.message, error.status, error.code, **extra)
    return JsonResponse(
        {
            "ok": True,
            "saved_at": clock(timezone.now()),
            "answered": sum(1 for v in attempt.answers.values() if v),
        },
        json_dumps_params={"ensure_ascii": False},
    )


@require_safe
@never_cache
def result(request: HttpRequest, token: str) -> HttpResponse:
    attempt = owned_attempt(request, token)
    if attempt.status == AttemptStatus.IN_PROGRESS:
        if timezone.now() <= attempt.hard_deadline():
            return redirect("contests:attempt", token=attempt.token)
        attempt = finish_late(attempt)
    rnd = attempt.round
    visible = answers_visible(attempt)
    bank = load_bank(rnd.contest_id)
    withheld = withheld_answers(attempt, bank) if visible else {}
    questions = paper_view(attempt, with_answers=visible, withheld=withheld, bank=bank)
    if visible:
        hidden_reason = ""
    elif rnd.show_answers == ShowAnswers.AFTER_CLOSE:
        hidden_reason = (
            "Đáp án và giải thích sẽ được hiển thị ở trang này sau khi đợt thi kết thúc "
            f"(lúc {format_datetime(rnd.closes_at)})."
        )
    else:
        hidden_reason = "Ban Tổ chức không công bố đáp án của đợt thi này."
    return render(
        request,
        "contests/public/result.html",
        {
            "contest": rnd.contest,
            "round": rnd,
            "attempt": attempt,
            "late": attempt.status == AttemptStatus.EXPIRED,
            "late_message": LATE_MESSAGE,
            "total": len(attempt.paper),
            "duration": mmss((attempt.duration_ms or 0) / 1000),
            "visible": visible,
            "withheld": withheld,
            "hidden_reason": hidden_reason,
            "questions": questions if visible else [],
            "has_prediction": rnd.prediction != Prediction.NONE,
        },
    )


# --- Results and the live leaderboard -----------------------------------------------------


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
_RESULTS_PAGES = LocalCache(ttl=LEADERBOARD_TTL)


def _shareable(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


@require_safe
def round_results(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    shareable = _shareable(request)
    if shareable:
        page = _RESULTS_PAGES.get((slug, number))
        if page is not None:
            return HttpResponse(page)
    response = render_round_results(request, slug, number)
    if shareable and response.status_code == 200 and not response.cookies:
        _RESULTS_PAGES.set((slug, number), response.content)
    return response


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


@require_safe
@never_cache
def my_data(request: HttpRequest, slug: str) -> HttpResponse:
    contest = published_contest(slug)
    participant = current_participant(request, contest)
    if participant is None:
        messages.info(request, "Vui lòng đăng nhập lại để xem dữ liệu cá nhân của bạn.")
        return redirect("contests:signin", slug=contest.slug)
    return _data_page(request, contest, participant)


def _data_page(
    request: HttpRequest,
    contest: Contest,
    participant: Participant,
    *,
    erase_form: EraseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    cccd = cccd_or_notice(participant.cccd_encrypted, masked=True)
    return render(
        request,
        "contests/public/my_data.html",
        {
            "contest": contest,
            "participant": participant,
            "phone": mask_phone(participant.phone),
            "cccd": cccd or ("Đã khai" if participant.cccd_hash else ""),
            "erase_form": erase_form or EraseForm(),
            "attempt_count": participant.attempts.count(),
        },
        status=status,
    )


@require_safe
@never_cache
def export(request: HttpRequest, slug: str) -> HttpResponse:
    contest = published_contest(slug)
    participant = current_participant(request, contest)
    if participant is None:
        return redirect("contests:my_data", slug=contest.slug)
    data = people.export_data(participant)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{contest.slug}.json"'
    return response


@require_POST
@never_cache
def erase(request: HttpRequest, slug: str) -> HttpResponse:
    contest = published_contest(slug)
    participant = current_participant(request, contest)
    if participant is None:
        return redirect("contests:my_data", slug=contest.slug)
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _data_page(request, contest, participant, erase_form=form)
    people.erase_participant(participant)
    forget_participant(request, contest)
    messages.success(
        request,
        "Đã xóa dữ liệu cá nhân của bạn khỏi cuộc thi. Điểm các lượt thi chỉ còn được "
        "dùng để thống kê.",
    )
    return redirect(contest)
