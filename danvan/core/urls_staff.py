"""The staff workspace at /quan-ly/. Every view here is scoped; see tests/test_personas.py."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from danvan.core import (
    views_accounts,
    views_areas,
    views_audit,
    views_dashboard,
    views_jobs,
    views_orgs,
    views_periods,
    views_roles,
)

app_name = "staff"

urlpatterns = [
    path("dang-nhap/", views_dashboard.LoginView.as_view(), name="login"),
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
    path("", views_dashboard.dashboard, name="dashboard"),
    path("dia-ban/", views_areas.area_list, name="area_list"),
    path("dia-ban/<int:pk>/", views_areas.area_detail, name="area_detail"),
    path("dia-ban/<int:pk>/them-ap/", views_areas.hamlet_add, name="hamlet_add"),
    path("dia-ban/<int:pk>/doi-ten/", views_areas.area_rename, name="area_rename"),
    path("dia-ban/<int:pk>/chia-tach/", views_areas.area_split, name="area_split"),
    path("dia-ban/<int:pk>/sap-nhap/", views_areas.area_merge, name="area_merge"),
    path("dia-ban/nhap-ap/", views_areas.hamlet_import, name="hamlet_import"),
    path("dia-ban/nhap-ap/mau.xlsx", views_areas.hamlet_template, name="hamlet_template"),
    path("to-chuc/", views_orgs.org_list, name="org_list"),
    path("to-chuc/them/", views_orgs.org_add, name="org_add"),
    path("to-chuc/<int:pk>/", views_orgs.org_detail, name="org_detail"),
    path("to-chuc/<int:pk>/so-hoi-vien/", views_orgs.member_count_edit, name="member_count_edit"),
    path("phan-quyen/", views_roles.role_list, name="role_list"),
    path("phan-quyen/them/", views_roles.role_grant, name="role_grant"),
    path("phan-quyen/<int:pk>/thu-hoi/", views_roles.role_revoke, name="role_revoke"),
    path("cong-viec/", views_jobs.job_list, name="job_list"),
    path("cong-viec/<int:pk>/", views_jobs.job_detail, name="job_detail"),
    path("cong-viec/<int:pk>/chay-lai/", views_jobs.job_retry, name="job_retry"),
    path("cong-viec/<int:pk>/loi.xlsx", views_jobs.job_errors_xlsx, name="job_errors_xlsx"),
    path("nhat-ky/", views_audit.audit_list, name="audit_list"),
    path("dia-ban/<int:pk>/sua-ap/", views_areas.hamlet_edit, name="hamlet_edit"),
    path("to-chuc/<int:pk>/sua/", views_orgs.org_edit, name="org_edit"),
    path("to-chuc/<int:pk>/ngung-hoat-dong/", views_orgs.org_close, name="org_close"),
    path("ky-bao-cao/", views_periods.period_list, name="period_list"),
    path("ky-bao-cao/mo-ky/", views_periods.period_add, name="period_add"),
    path("tai-khoan/", views_accounts.account_list, name="account_list"),
    path("tai-khoan/<int:pk>/", views_accounts.account_detail, name="account_detail"),
    path(
        "tai-khoan/<int:pk>/dat-lai-mat-khau/",
        views_accounts.account_password_reset,
        name="account_password_reset",
    ),
    path(
        "tai-khoan/<int:pk>/trang-thai/",
        views_accounts.account_set_active,
        name="account_set_active",
    ),
]
