"""Public-opinion reports and the board's hot issues, mounted at /quan-ly/du-luan/."""

from django.urls import URLPattern, URLResolver, path

from danvan.surveys import views_opinion as v

app_name = "opinion"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.report_list, name="report_list"),
    path("them/", v.report_add, name="report_add"),
    path("<int:pk>/", v.report_detail, name="report_detail"),
    path("<int:pk>/sua/", v.report_edit, name="report_edit"),
    path("<int:pk>/gui/", v.report_submit, name="report_submit"),
    path("van-de-noi-bat/", v.hot_issues, name="hot_issues"),
    path("van-de-noi-bat/theo-doi/", v.follow_up, name="follow_up"),
    path("van-de-noi-bat/xuat-word/", v.hot_issues_docx, name="hot_issues_docx"),
    path("<int:pk>/xoa/", v.report_delete, name="report_delete"),
    path("van-de-noi-bat/gop/", v.merge_topics, name="merge_topics"),
]
