"""Staff pages of roles: who holds which role where, grant, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from danvan.core import accounts, services
from danvan.core import forms as f
from danvan.core.listing import StaffRequest, paginate
from danvan.core.models import Role, RoleAssignment
from danvan.core.scope import GRANT, get_scope, get_visible_or_404
from danvan.core.views_common import staff_form_view, staff_page

# --- Roles ---------------------------------------------------------------------------------


@staff_page
def role_list(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(GRANT):
        raise Http404
    qs = RoleAssignment.objects.visible_to(request.user, GRANT).select_related(
        "user", "area", "organization"
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = accounts.search_accounts(qs, q, prefix="user__")
    role = request.GET.get("role", "")
    if role:
        qs = qs.filter(role=role)
    page, querystring = paginate(
        request, qs.order_by("user__full_name_folded", "user__username", "role")
    )
    # Accounts whose roles all lie in scope get a link to their account page.
    manageable = set(
        accounts.accounts_in_scope(request.user)
        .filter(pk__in=[ra.user_id for ra in page])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "staff/role_list.html",
        {
            "nav": "roles",
            "page_obj": page,
            "querystring": querystring,
            "q": q,
            "role": role,
            "roles": Role.choices,
            "manageable": manageable,
        },
    )


@staff_form_view
def role_grant(request: StaffRequest) -> HttpResponse:
    if not get_scope(request.user).allows(GRANT):
        raise Http404
    form = f.RoleGrantForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        target = d["area"] or (d["organization"].area if d["organization"] else None)
        try:
            # A new account and its first role are written together or not at all.
            with transaction.atomic():
                user = d["user"]
                if user is None:
                    user = services.create_staff_user(
                        username=d["new_username"],
                        full_name=d["new_full_name"],
                        password=d["new_password"],
                        phone=d["new_phone"],
                        audit_area_path=target.path if target else "",
                    )
                services.grant_role(
                    request.user, user, d["role"], area=d["area"], organization=d["organization"]
                )
        except ValidationError as exc:
            f.form_error(form, exc)
        else:
            messages.success(request, f"Đã phân quyền cho {user.get_full_name()}.")
            return redirect("staff:role_list")
    return render(request, "staff/role_form.html", {"nav": "roles", "form": form})


@staff_form_view
def role_revoke(request: StaffRequest, pk: int) -> HttpResponse:
    assignment = get_visible_or_404(
        RoleAssignment.objects.select_related("user", "area", "organization"),
        request.user,
        GRANT,
        pk=pk,
    )
    error = ""
    if request.method == "POST":
        try:
            services.revoke_role(request.user, assignment)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Đã thu hồi quyền.")
            return redirect("staff:role_list")
    return render(
        request,
        "staff/role_revoke.html",
        {"nav": "roles", "assignment": assignment, "error": error},
    )
