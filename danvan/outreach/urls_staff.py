"""Staff pages of petitions, mounted at /quan-ly/kien-nghi/ (namespace
"petitions_staff"). Every view is scoped; see tests/test_staff_personas.py."""

from django.urls import URLPattern, URLResolver, path

from danvan.outreach import views_petitions as v

app_name = "petitions_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.petition_list, name="list"),
    path("tiep-nhan/", v.petition_add, name="add"),
    path("danh-sach.xlsx", v.petition_export, name="export"),
    path("thong-ke/", v.petition_stats_page, name="stats"),
    path("<int:pk>/", v.petition_detail, name="detail"),
    # The lifecycle, one URL an action (petitions.MOVES).
    path("<int:pk>/chuyen/", v.petition_move, {"action": "assign"}, name="assign"),
    path("<int:pk>/tra-loi/", v.petition_move, {"action": "answer"}, name="answer"),
    path("<int:pk>/ket-thuc/", v.petition_move, {"action": "close"}, name="close"),
    path("<int:pk>/mo-lai/", v.petition_move, {"action": "reopen"}, name="reopen"),
    path("<int:pk>/tra-lai/", v.petition_move, {"action": "return"}, name="return"),
]
