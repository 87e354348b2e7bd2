"""Accounts of the officials in a board administrator's scope: the list, a
forgotten password reset to a temporary one that must be changed, deactivating
and reactivating; and the role-grant form, which offers only accounts in scope.

Demo personas: canbo.phunghiep administers Xã Phụng Hiệp, where ctv.phunghiep
(Huỳnh Văn Phúc) is a collaborator; canbo.hoaan administers the sibling Xã Hòa
An; bdv.cantho administers Thành phố Cần Thơ above both.
"""

from __future__ import annotations

from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from danvan.core import services
from danvan.core.models import Role, RoleAssignment, User
from danvan.core.tests.factories import current_commune, new_account_form

DEMO_PASSWORD = "danvan-demo-2024"


def official() -> User:
    return User.objects.get(username="ctv.phunghiep")


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


# --- The list and who may open it ------------------------------------------------------


def test_account_list_shows_only_accounts_whose_roles_are_in_scope(demo: Any) -> None:
    body = signed_in("canbo.phunghiep").get(reverse("staff:account_list")).content.decode()
    assert "ctv.phunghiep" in body and "Huỳnh Văn Phúc" in body
    assert "phunu.phunghiep" in body  # an officer of a body of the commune
    for outside in ("bdv.cantho", "canbo.hoaan", "admin", "kiemtra.phunghiep"):
        assert f">{outside}<" not in body, outside
    above = signed_in("bdv.cantho").get(reverse("staff:account_list")).content.decode()
    assert "ctv.phunghiep" in above and "canbo.hoaan" in above


def test_account_list_search_ignores_diacritics_and_filters_status(demo: Any) -> None:
    client = signed_in("bdv.cantho")
    url = reverse("staff:account_list")
    for query in ("huynh van", "HUỲNH", "phuc", "ctv.phung"):
        assert "ctv.phunghiep" in client.get(url, {"q": query}).content.decode(), query
    assert "ctv.phunghiep" not in client.get(url, {"q": "thu ha"}).content.decode()
    account = official()
    account.is_active = False
    account.save()
    assert "ctv.phunghiep" in client.get(url, {"status": "inactive"}).content.decode()
    assert "ctv.phunghiep" not in client.get(url, {"status": "active"}).content.decode()


def test_an_account_with_a_role_outside_the_scope_is_out_of_scope(demo: Any) -> None:
    account = official()
    services.grant_role(None, account, Role.VIEWER, area=current_commune("31393"))  # Xã Hòa An
    detail = reverse("staff:account_detail", args=[account.pk])
    reset = reverse("staff:account_password_reset", args=[account.pk])
    owner = signed_in("canbo.phunghiep")
    assert owner.get(detail).status_code == 404
    assert owner.post(reset, {"password": ""}).status_code == 404
    assert signed_in("bdv.cantho").get(detail).status_code == 200


@pytest.mark.parametrize("username", ["ctv.phunghiep", "phunu.phunghiep", "kiemtra.phunghiep"])
def test_officials_without_grant_rights_cannot_reach_accounts(demo: Any, username: str) -> None:
    client = signed_in(username)
    assert client.get(reverse("staff:account_list")).status_code == 404
    target = User.objects.get(username="canbo.phunghiep")
    for name in ("account_detail", "account_password_reset", "account_set_active"):
        assert client.get(reverse(f"staff:{name}", args=[target.pk])).status_code == 404


def test_system_administrator_accounts_are_never_in_a_board_scope(demo: Any) -> None:
    admin = User.objects.get(username="admin")
    client = signed_in("bdv.cantho")
    assert client.get(reverse("staff:account_detail", args=[admin.pk])).status_code == 404


# --- Resetting a forgotten password ---------------------------------------------------------


def test_reset_asks_first_then_shows_a_temporary_password_once(demo: Any) -> None:
    account = official()
    old_session = signed_in("ctv.phunghiep")
    assert old_session.get(reverse("staff:dashboard")).status_code == 200
    client = signed_in("canbo.phunghiep")
    url = reverse("staff:account_password_reset", args=[account.pk])

    page = client.get(url).content.decode()
    assert "Đặt lại mật khẩu" in page and "Không, quay lại" in page
    account.refresh_from_db()
    assert account.check_password(DEMO_PASSWORD)  # nothing changed by looking

    response = client.post(url, {"password": ""}, REMOTE_ADDR="10.3.3.3")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    temporary = response.context["temporary"]
    assert temporary in response.content.decode()
    assert "chỉ hiện một lần" in response.content.decode()
    account.refresh_from_db()
    assert account.check_password(temporary)
    assert account.must_change_password
    # The official's open sessions end with the old password.
    assert old_session.get(reverse("staff:dashboard")).status_code == 302

    # Audited: who and from where, filed under the commune, never the password.
    entry = LogEntry.objects.get_for_object(account).filter(changes__has_key="password").get()
    assert entry.actor.username == "canbo.phunghiep"
    assert entry.remote_addr == "10.3.3.3"
    assert entry.additional_data["area_path"].startswith(current_commune("31420").path)
    for logged in LogEntry.objects.all():
        assert temporary not in f"{logged.changes} {logged.additional_data}"
    audit = client.get(reverse("staff:audit_list")).content.decode()
    assert "ctv.phunghiep" in audit and "10.3.3.3" in audit
    assert "đã đổi (nhật ký không ghi mật khẩu)" in audit


def test_the_official_must_change_the_temporary_password_first(demo: Any) -> None:
    account = official()
    services_client = signed_in("canbo.phunghiep")
    url = reverse("staff:account_password_reset", args=[account.pk])
    temporary = "tam-thoi-2026-phuc"
    services_client.post(url, {"password": temporary})

    client = Client()
    response = client.post(
        reverse("staff:login"), {"username": "ctv.phunghiep", "password": temporary}
    )
    assert response.status_code == 302
    response = client.get(reverse("staff:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:password_change")
    area_url = reverse("staff:area_detail", args=[current_commune("31420").pk])
    assert client.get(area_url)["Location"] == reverse("staff:password_change")
    page = client.get(reverse("staff:password_change")).content.decode()
    assert "mật khẩu tạm" in page

    new_password = "mat-khau-rieng-cua-phuc-2026"
    response = client.post(
        reverse("staff:password_change"),
        {"old_password": temporary, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.must_change_password
    assert client.get(reverse("staff:dashboard")).status_code == 200
    assert client.get(area_url).status_code == 200


def test_a_weak_temporary_password_is_refused_and_kept_in_the_form(demo: Any) -> None:
    account = official()
    client = signed_in("canbo.phunghiep")
    url = reverse("staff:account_password_reset", args=[account.pk])
    response = client.post(url, {"password": "12345"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="12345"' in body
    assert "field-error" in body
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in body
    account.refresh_from_db()
    assert account.check_password(DEMO_PASSWORD)
    assert not account.must_change_password


def test_an_administrator_does_not_reset_their_own_password_here(demo: Any) -> None:
    me = User.objects.get(username="canbo.phunghiep")
    client = signed_in("canbo.phunghiep")
    url = reverse("staff:account_password_reset", args=[me.pk])
    response = client.post(url, {"password": "mot-mat-khau-tam-moi-2026"})
    assert response.status_code == 200
    assert "Đổi mật khẩu" in response.content.decode()
    me.refresh_from_db()
    assert me.check_password(DEMO_PASSWORD)


# --- Deactivating and reactivating ------------------------------------------------------


def test_deactivate_asks_first_ends_sessions_and_reactivates(demo: Any) -> None:
    account = official()
    their_session = signed_in("ctv.phunghiep")
    client = signed_in("canbo.phunghiep")
    url = reverse("staff:account_set_active", args=[account.pk])

    page = client.get(url).content.decode()
    assert "Bạn có chắc muốn khóa tài khoản" in page
    account.refresh_from_db()
    assert account.is_active

    response = client.post(url, {"active": "0"})
    assert response["Location"] == reverse("staff:account_detail", args=[account.pk])
    account.refresh_from_db()
    assert not account.is_active
    assert RoleAssignment.objects.filter(user=account).exists()  # roles kept
    assert their_session.get(reverse("staff:dashboard")).status_code == 302
    refused = Client().post(
        reverse("staff:login"), {"username": "ctv.phunghiep", "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 200
    # Posting the same request again changes nothing (a retried form).
    client.post(url, {"active": "0"})
    account.refresh_from_db()
    assert not account.is_active
    entries = LogEntry.objects.get_for_object(account).filter(
        action=LogEntry.Action.UPDATE, changes__has_key="is_active"
    )
    assert entries.count() == 1
    assert entries.get().actor.username == "canbo.phunghiep"
    audit = client.get(reverse("staff:audit_list")).content.decode()
    assert "ctv.phunghiep" in audit and "Không → Có" not in audit and "Có → Không" in audit

    assert "Bạn có chắc muốn mở khóa" in client.get(url).content.decode()
    client.post(url, {"active": "1"})
    account.refresh_from_db()
    assert account.is_active
    again = Client().post(
        reverse("staff:login"), {"username": "ctv.phunghiep", "password": DEMO_PASSWORD}
    )
    assert again.status_code == 302


def test_an_administrator_cannot_deactivate_themself(demo: Any) -> None:
    me = User.objects.get(username="canbo.phunghiep")
    client = signed_in("canbo.phunghiep")
    response = client.post(reverse("staff:account_set_active", args=[me.pk]), {"active": "0"})
    assert response.status_code == 200
    me.refresh_from_db()
    assert me.is_active


def test_sibling_administrator_cannot_act_on_the_account(demo: Any) -> None:
    account = official()
    client = signed_in("canbo.hoaan")
    assert (
        client.post(
            reverse("staff:account_set_active", args=[account.pk]), {"active": "0"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("staff:account_password_reset", args=[account.pk]), {"password": ""}
        ).status_code
        == 404
    )
    account.refresh_from_db()
    assert account.is_active and account.check_password(DEMO_PASSWORD)


# --- Granting roles: only accounts in scope are offered ----------------------------------


def test_grant_form_lists_only_accounts_with_a_role_in_scope(demo: Any) -> None:
    body = signed_in("canbo.hoaan").get(reverse("staff:role_grant")).content.decode()
    for outside in ("bdv.cantho", "canbo.phunghiep", "ctv.phunghiep", "admin)"):
        assert outside not in body, outside
    assert "canbo.hoaan" in body
    above = signed_in("bdv.cantho").get(reverse("staff:role_grant")).content.decode()
    assert "ctv.phunghiep" in above and "canbo.hoaan" in above


def test_grant_refuses_a_listed_choice_out_of_scope_but_finds_an_exact_username(
    demo: Any,
) -> None:
    client = signed_in("canbo.hoaan")
    hoa_an = current_commune("31393")
    account = official()
    url = reverse("staff:role_grant")
    data: dict[str, Any] = {"user": account.pk, "role": "viewer", "area": hoa_an.pk}
    assert client.post(url, data).status_code == 200
    assert not RoleAssignment.objects.filter(user=account, area=hoa_an).exists()

    data = {"existing_username": "CTV.PhungHiep", "role": "viewer", "area": hoa_an.pk}
    assert client.post(url, data).status_code == 302
    assert RoleAssignment.objects.filter(user=account, role="viewer", area=hoa_an).exists()

    for name in ("admin", "khong.co.ai"):
        data = {"existing_username": name, "role": "viewer", "area": hoa_an.pk}
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Không có tài khoản đang hoạt động" in response.content.decode()


def test_new_account_and_role_are_written_together(demo: Any, monkeypatch: Any) -> None:
    client = signed_in("canbo.phunghiep")
    data = new_account_form(current_commune("31420"))

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ValidationError("Không cấp được vai trò.")

    monkeypatch.setattr(services, "grant_role", refuse)
    response = client.post(reverse("staff:role_grant"), data)
    assert response.status_code == 200
    assert "Không cấp được vai trò." in response.content.decode()
    assert 'value="ctv.moi"' in response.content.decode()  # the input is kept
    assert not User.objects.filter(username="ctv.moi").exists()


def test_a_new_account_is_audited_in_the_scope_it_was_created_for(demo: Any) -> None:
    client = signed_in("canbo.phunghiep")
    data = new_account_form(current_commune("31420"), new_phone="0912345678")
    assert client.post(reverse("staff:role_grant"), data).status_code == 302
    user = User.objects.get(username="ctv.moi")
    assert user.phone
    entry = LogEntry.objects.get_for_object(user).get(action=LogEntry.Action.CREATE)
    assert entry.additional_data["area_path"] == current_commune("31420").path
    assert "Võ Thị Hồng" in client.get(reverse("staff:audit_list")).content.decode()
    sibling = signed_in("canbo.hoaan").get(reverse("staff:audit_list")).content.decode()
    assert "Võ Thị Hồng" not in sibling


def test_a_weak_initial_password_is_refused_beside_its_field(demo: Any) -> None:
    client = signed_in("canbo.phunghiep")
    data = new_account_form(current_commune("31420"), new_password="1234567890")
    response = client.post(reverse("staff:role_grant"), data)
    assert response.status_code == 200
    assert response.context["form"].errors.get("new_password")
    assert not User.objects.filter(username="ctv.moi").exists()


def test_role_list_search_ignores_diacritics(demo: Any) -> None:
    client = signed_in("canbo.phunghiep")
    url = reverse("staff:role_list")
    for query in ("huynh", "HUỲNH VĂN", "phuc"):
        assert "ctv.phunghiep" in client.get(url, {"q": query}).content.decode(), query
    assert "ctv.phunghiep" not in client.get(url, {"q": "ngoc han"}).content.decode()
    assert "ctv.phunghiep" in client.get(url, {"role": "collaborator"}).content.decode()
    assert "ctv.phunghiep" not in client.get(url, {"role": "viewer"}).content.decode()
