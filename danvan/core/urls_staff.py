"""The staff workspace at /quan-ly/. Every view here is scoped; see tests/test_personas.py."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from danvan.core import views_staff as v

app_name = "staff"

urlpatterns = [
    path("dang-nhap/", v.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(
            success_url=reverse_lazy("staff:password_change_done")
        ),
        name="password_change",
    ),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("", v.dashboard, name="dashboard"),
    path("dia-ban/", v.area_list, name="area_list"),
    path("dia-ban/<int:pk>/", v.area_detail, name="area_detail"),
    path("dia-ban/<int:pk>/them-ap/", v.hamlet_add, name="hamlet_add"),
    path("dia-ban/<int:pk>/doi-ten/", v.area_rename, name="area_rename"),
    path("dia-ban/<int:pk>/chia-tach/", v.area_split, name="area_split"),
    path("dia-ban/<int:pk>/sap-nhap/", v.area_merge, name="area_merge"),
    path("dia-ban/nhap-ap/", v.hamlet_import, name="hamlet_import"),
    path("dia-ban/nhap-ap/mau.xlsx", v.hamlet_template, name="hamlet_template"),
    path("to-chuc/", v.org_list, name="org_list"),
    path("to-chuc/them/", v.org_add, name="org_add"),
    path("to-chuc/<int:pk>/", v.org_detail, name="org_detail"),
    path("to-chuc/<int:pk>/so-hoi-vien/", v.member_count_edit, name="member_count_edit"),
    path("phan-quyen/", v.role_list, name="role_list"),
    path("phan-quyen/them/", v.role_grant, name="role_grant"),
    path("phan-quyen/<int:pk>/thu-hoi/", v.role_revoke, name="role_revoke"),
    path("cong-viec/", v.job_list, name="job_list"),
    path("cong-viec/<int:pk>/", v.job_detail, name="job_detail"),
    path("nhat-ky/", v.audit_list, name="audit_list"),
    path("dia-ban/<int:pk>/sua-ap/", v.hamlet_edit, name="hamlet_edit"),
    path("to-chuc/<int:pk>/sua/", v.org_edit, name="org_edit"),
    path("to-chuc/<int:pk>/ngung-hoat-dong/", v.org_close, name="org_close"),
    path("ky-bao-cao/", v.period_list, name="period_list"),
    path("ky-bao-cao/mo-ky/", v.period_add, name="period_add"),
    path("tai-khoan/", v.account_list, name="account_list"),
    path("tai-khoan/<int:pk>/", v.account_detail, name="account_detail"),
    path(
        "tai-khoan/<int:pk>/dat-lai-mat-khau/",
        v.account_password_reset,
        name="account_password_reset",
    ),
    path("tai-khoan/<int:pk>/trang-thai/", v.account_set_active, name="account_set_active"),
]
