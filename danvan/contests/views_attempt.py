"""Public contest pages: starting an attempt, the paper (saved as it is
answered, with or without JavaScript), submitting, and the attempt's result."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from danvan.contests.bank import Bank, ContestError, is_choice_id, load_bank, withheld_answers
from danvan.contests.models import (
    LETTERS,
    Attempt,
    AttemptStatus,
    Prediction,
    Round,
    ShowAnswers,
)
from danvan.contests.public_helpers import (
    clock,
    error_page,
    forget_participant,
    mmss,
    published_round,
    session_participant_id,
)
from danvan.contests.ratelimit import LIMITS
from danvan.contests.services import (
    answers_visible,
    attempt_by_token,
    save_answers,
    start_attempt,
    submit_attempt,
)
from danvan.core.middleware import client_ip
from danvan.core.ratelimit import RateLimited, too_many
from danvan.core.text import clean_json, format_datetime

LATE_MESSAGE = (
    "Đã hết thời gian làm bài; hệ thống đã ghi nhận các câu trả lời được lưu trước khi hết giờ."
)


# --- Sessions -----------------------------------------------------------------------

# --- Starting and taking an attempt -------------------------------------------------------


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
    attempt = attempt_by_token(token)
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
