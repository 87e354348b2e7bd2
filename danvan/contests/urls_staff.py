"""Staff pages of the contests app, mounted at /quan-ly/cuoc-thi/ (namespace
"contests_staff"). Every view is scoped; see tests/test_staff_personas.py."""

from django.urls import URLPattern, URLResolver, path

from danvan.contests import views_bank as bank
from danvan.contests import views_staff as v

app_name = "contests_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.contest_list, name="contest_list"),
    path("them/", v.contest_add, name="contest_add"),
    path("mau-nhap-cau-hoi.xlsx", bank.question_template, name="question_template"),
    path("<int:pk>/", v.contest_detail, name="contest_detail"),
    path("<int:pk>/sua/", v.contest_edit, name="contest_edit"),
    path("<int:pk>/xem-truoc/", v.contest_preview, name="contest_preview"),
    path("<int:pk>/cong-bo/", v.contest_status, {"action": "publish"}, name="contest_publish"),
    path(
        "<int:pk>/ngung-cong-bo/",
        v.contest_status,
        {"action": "unpublish"},
        name="contest_unpublish",
    ),
    path("<int:pk>/luu-tru/", v.contest_status, {"action": "archive"}, name="contest_archive"),
    path("<int:pk>/giai-thuong/", v.contest_prizes, name="contest_prizes"),
    path("<int:pk>/dot-thi/them/", v.round_add, name="round_add"),
    path("<int:pk>/cau-hoi/", bank.question_list, name="question_list"),
    path("<int:pk>/cau-hoi/them/", bank.question_add, name="question_add"),
    path("<int:pk>/cau-hoi/nhap/", bank.question_import, name="question_import"),
    path("<int:pk>/cau-hoi/xuat.xlsx", bank.question_export, name="question_export"),
    path("<int:pk>/chu-de/", bank.category_list, name="category_list"),
    path("dot-thi/<int:pk>/", v.round_detail, name="round_detail"),
    path("dot-thi/<int:pk>/sua/", v.round_edit, name="round_edit"),
    path("dot-thi/<int:pk>/giai-thuong/", v.round_prizes, name="round_prizes"),
    path("dot-thi/<int:pk>/tong-hop/", v.round_close, name="round_close"),
    path("dot-thi/<int:pk>/cong-bo-ket-qua/", v.round_publish, name="round_publish"),
    path("cau-hoi/<int:pk>/sua/", bank.question_edit, name="question_edit"),
    path("cau-hoi/<int:pk>/ngung-dung/", bank.question_toggle, name="question_toggle"),
    path("chu-de/<int:pk>/doi-ten/", bank.category_rename, name="category_rename"),
]
