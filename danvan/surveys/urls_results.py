"""Results of surveys and their exports, mounted at /quan-ly/khao-sat/ket-qua/."""

from django.urls import URLPattern, URLResolver, path

from danvan.surveys import views_results as v

app_name = "surveys_results"

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/", v.survey_results, name="results"),
    path("<int:pk>/xuat-phieu/", v.export_responses, name="export_responses"),
    path("<int:pk>/xuat-tong-hop/", v.export_summary_xlsx, name="export_summary_xlsx"),
    path("<int:pk>/xuat-word/", v.export_summary_docx, name="export_summary_docx"),
    path("<int:pk>/tra-loi-tu-do/", v.text_answers, name="text_answers"),
]
