"""Statistics and exports of contests, mounted at /quan-ly/cuoc-thi/thong-ke/."""

from django.urls import URLPattern, URLResolver, path

from danvan.contests import views_stats as v

app_name = "contests_stats"

urlpatterns: list[URLPattern | URLResolver] = [
    path("cuoc-thi/<int:pk>/", v.contest_stats, name="contest_stats"),
    path("cuoc-thi/<int:pk>/xuat-nguoi-du-thi/", v.export_participants, name="export_participants"),
    path("dot/<int:pk>/", v.round_stats, name="round_stats"),
    path("dot/<int:pk>/xuat-ket-qua/", v.export_results, name="export_results"),
    path("tep/<int:pk>/", v.job_download, name="job_download"),
]
