"""Staff pages of the accounts of officials in scope (core/accounts.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from danvan.core import accounts
from danvan.core import forms as f
from danvan.core.listing import StaffRequest, paginate
from danvan.core.models import RoleAssignment
from danvan.core.scope import GRANT, get_scope
from danvan.core.views_common import staff_form_view, staff_page

# --- Accounts of the officials in scope ----------------------------------------------------


def _account_admin_or_404(request: StaffRequest) -> None:
    if not get_scope(request.user).allows(GRANT):
        raise Http404


@staff_page
def account_list(request: StaffRequest) -> HttpResponse:
    _account_admin_or_404(request)
    form = f.AccountFilterForm(request.GET or None)
    qs = accounts.accounts_in_scope(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            qs = accounts.search_accounts(qs, data["q"])
        if data["status"] == "active":
            qs = qs.filter(is_active=True)
        elif data["status"] == "inactive":
            qs = qs.filter(is_active=False)
    roles = RoleAssignment.objects.select_related("area", "organization").order_by("pk")
    qs = qs.prefetch_related(Prefetch("roles", queryset=roles))
    page, querystring = paginate(request, qs.order_by("full_name_folded", "username"))
    return render(
        request,
        "staff/account_list.html",
        {"nav": "accounts", "form": form, "page_obj": page, "querystring": querystring},
    )


@staff_page
def account_detail(request: StaffRequest, pk: int) -> HttpResponse:
    _account_admin_or_404(request)
    account = accounts.get_account_or_404(request.user, pk)
    roles = RoleAssignment.objects.filter(user=account).select_related(
        "area", "organization__area", "granted_by"
    )
    return render(
        request,
        "staff/account_detail.html",
        {"nav": "accounts", "account": account, "roles": roles, "is_self": account == request.user},
    )


@staff_form_view
def account_password_reset(request: StaffRequest, pk: int) -> HttpResponse:
    _account_admin_or_404(request)
    account = accounts.get_account_or_404(request.user, pk)
    form = f.AccountPasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            temporary = accounts.reset_password(
                request.user, account, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            # Shown once, in this response only: not in a message, a session or a log.
            response = render(
                request,
                "staff/account_password_done.html",
                {"nav": "accounts", "account": account, "temporary": temporary},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "staff/account_password_reset.html",
        {
            "nav": "accounts",
            "account": account,
            "form": form,
            "is_self": account == request.user,
        },
    )


@staff_form_view
def account_set_active(request: StaffRequest, pk: int) -> HttpResponse:
    _account_admin_or_404(request)
    account = accounts.get_account_or_404(request.user, pk)
    form = f.AccountActiveForm(
        request.POST or None, initial={"active": "0" if account.is_active else "1"}
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        active = form.cleaned_data["active"]
        try:
            accounts.set_account_active(request.user, account, active)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            name = account.get_full_name()
            messages.success(
                request,
                f"Đã mở khóa tài khoản của {name}."
                if active
                else f"Đã khóa tài khoản của {name}; người này không đăng nhập được nữa.",
            )
            return redirect("staff:account_detail", pk=account.pk)
    return render(
        request,
        "staff/account_set_active.html",
        {
            "nav": "accounts",
            "account": account,
            "form": form,
            "error": error,
            "is_self": account == request.user,
        },
    )
