"""Public contest pages: registering, signing in and out, and personal data
(see, export, erase).

A participant has no account: every way in proves who they are, and the
session remembers it (see public_helpers).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.shortcuts import redirect, render
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
    Contest,
    Participant,
)
from danvan.contests.privacy import cccd_or_notice
from danvan.contests.public_helpers import (
    contest_phase,
    current_participant,
    forget_participant,
    otp_phone_key,
    published_contest,
    remember_participant,
    signed_in_participant,
)
from danvan.contests.ratelimit import LIMITS
from danvan.core.masking import mask_phone
from danvan.core.middleware import client_ip
from danvan.core.ratelimit import RateLimited, too_many


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
    contest, participant = signed_in_participant(request, slug)
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


@require_safe
@never_cache
def my_data(request: HttpRequest, slug: str) -> HttpResponse:
    contest, participant = signed_in_participant(request, slug)
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


def with_participant(
    view: Callable[[HttpRequest, Contest, Participant], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """Run `view` for the participant signed in to the contest of the URL;
    without one, send to the personal data page (which asks to sign in)."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str) -> HttpResponse:
        contest, participant = signed_in_participant(request, slug)
        if participant is None:
            return redirect("contests:my_data", slug=contest.slug)
        return view(request, contest, participant)

    return wrapper


@require_safe
@never_cache
@with_participant
def export(request: HttpRequest, contest: Contest, participant: Participant) -> HttpResponse:
    data = people.export_data(participant)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{contest.slug}.json"'
    return response


@require_POST
@never_cache
@with_participant
def erase(request: HttpRequest, contest: Contest, participant: Participant) -> HttpResponse:
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
