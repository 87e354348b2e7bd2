"""Staff pages of the surveys app, mounted at /quan-ly/khao-sat/ (namespace
"surveys_staff"). Every view is scoped; see tests/test_staff_personas.py."""

from django.urls import URLPattern, URLResolver, path

from danvan.surveys import views_builder as b
from danvan.surveys import views_respondents
from danvan.surveys import views_staff as v

app_name = "surveys_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.survey_list, name="survey_list"),
    path("them/", v.survey_add, name="survey_add"),
    path("<int:pk>/", v.survey_detail, name="survey_detail"),
    path("<int:pk>/sua/", v.survey_edit, name="survey_edit"),
    path("<int:pk>/nhan-ban/", v.survey_duplicate, name="survey_duplicate"),
    path("<int:pk>/cong-bo/", v.survey_status, {"action": "publish"}, name="survey_publish"),
    path("<int:pk>/dong/", v.survey_status, {"action": "close"}, name="survey_close"),
    path("<int:pk>/luu-tru/", v.survey_status, {"action": "archive"}, name="survey_archive"),
    path("<int:pk>/ve-ban-nhap/", v.survey_status, {"action": "reopen"}, name="survey_reopen"),
    path("<int:pk>/chia-se/", v.survey_share, name="survey_share"),
    path("<int:pk>/ma-qr.png", v.survey_qr_png, name="survey_qr_png"),
    path("<int:pk>/ma-qr.svg", v.survey_qr_svg, name="survey_qr_svg"),
    path("<int:pk>/ma-moi/", v.survey_codes, name="survey_codes"),
    path("<int:pk>/ma-moi/excel/", v.survey_codes_xlsx, name="survey_codes_xlsx"),
    path("<int:pk>/phan/them/", b.section_add, name="section_add"),
    path("<int:pk>/cau-hoi/them/", b.question_add, name="question_add"),
    path("phan/<int:pk>/sua/", b.section_edit, name="section_edit"),
    path("phan/<int:pk>/xoa/", b.section_delete, name="section_delete"),
    path("phan/<int:pk>/di-chuyen/", b.section_move, name="section_move"),
    path("cau-hoi/<int:pk>/sua/", b.question_edit, name="question_edit"),
    path("cau-hoi/<int:pk>/xoa/", b.question_delete, name="question_delete"),
    path("cau-hoi/<int:pk>/di-chuyen/", b.question_move, name="question_move"),
    path("<int:pk>/sap-xep/", b.survey_reorder, name="survey_reorder"),
    path(
        "<int:pk>/nguoi-tra-loi/",
        views_respondents.survey_respondents,
        name="survey_respondents",
    ),
    path(
        "<int:pk>/nguoi-tra-loi/excel/",
        views_respondents.survey_respondents_xlsx,
        name="survey_respondents_xlsx",
    ),
]
