"""Staff pages of the review reports, mounted at /quan-ly/bao-cao/ (namespace
"reports_staff"). Every view is scoped; see tests/test_staff_personas.py."""

from django.urls import URLPattern, URLResolver, path

from danvan.reports import views_staff as v

app_name = "reports_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.report_list, name="report_list"),
    path("them/", v.report_add, name="report_add"),
    path("<int:pk>/", v.report_detail, name="report_detail"),
    path("<int:pk>/sua/", v.report_edit, name="report_edit"),
    path("<int:pk>/noi-dung/", v.draft_edit, name="draft_edit"),
    path("<int:pk>/phien-ban/", v.draft_list, name="draft_list"),
    path("<int:pk>/phien-ban/<int:draft>/", v.draft_detail, name="draft_detail"),
    path("<int:pk>/phien-ban/<int:draft>/khoi-phuc/", v.draft_restore, name="draft_restore"),
    path("<int:pk>/xuat/", v.export_start, name="export_start"),
    path("<int:pk>/tai-ve/<int:export>.docx", v.export_docx, name="export_docx"),
    path("<int:pk>/tai-ve/<int:export>.xlsx", v.export_xlsx, name="export_xlsx"),
]
