"""Staff pages of dialogues, mounted at /quan-ly/doi-thoai/ (namespace
"dialogues_staff"). Every view is scoped; see tests/test_staff_personas.py."""

from django.urls import URLPattern, URLResolver, path

from danvan.outreach import views_dialogues as v

app_name = "dialogues_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.dialogue_list, name="list"),
    path("len-lich/", v.dialogue_add, name="add"),
    path("<int:pk>/", v.dialogue_detail, name="detail"),
    path("<int:pk>/sua/", v.dialogue_edit, name="edit"),
    path("<int:pk>/thong-bao/", v.dialogue_announce, name="announce"),
    path("<int:pk>/huy/", v.dialogue_cancel, name="cancel"),
    path("<int:pk>/ket-qua/", v.dialogue_outcome, name="outcome"),
    path("<int:pk>/anh/", v.dialogue_photos, name="photos"),
    path("<int:pk>/anh/<int:photo_pk>/xoa/", v.dialogue_photo_delete, name="photo_delete"),
]
