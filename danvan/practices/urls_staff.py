"""Staff pages of practices and exemplars, mounted at /quan-ly/mo-hinh/
(namespace "practices_staff"). Every view is scoped; see tests/test_staff_personas.py."""

from django.urls import URLPattern, URLResolver, path

from danvan.practices import views_campaigns as c
from danvan.practices import views_deeds as d
from danvan.practices import views_files as files
from danvan.practices import views_staff as v

app_name = "practices_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.practice_list, name="practice_list"),
    path("dang-ky/", v.practice_add, name="practice_add"),
    path("danh-sach.xlsx", v.practice_export, name="practice_export"),
    path("nhap/", v.practice_import, name="practice_import"),
    path("mau-dang-ky.xlsx", v.registration_template, name="registration_template"),
    path("phu-song/", v.coverage, name="coverage"),
    path("<int:pk>/", v.practice_detail, name="practice_detail"),
    path("<int:pk>/sua/", v.practice_edit, name="practice_edit"),
    path("<int:pk>/nhan-rong/", v.practice_replicate, name="practice_replicate"),
    path("<int:pk>/tham-dinh/", v.practice_evaluate, name="practice_evaluate"),
    path("<int:pk>/ket-qua/", v.practice_results, name="practice_results"),
    # The lifecycle, one URL an action (services.MOVES).
    path("<int:pk>/bat-dau/", v.practice_move, {"action": "start"}, name="practice_start"),
    path("<int:pk>/de-nghi/", v.practice_move, {"action": "propose"}, name="practice_propose"),
    path(
        "<int:pk>/cong-nhan/", v.practice_move, {"action": "recognise"}, name="practice_recognise"
    ),
    path(
        "<int:pk>/khong-cong-nhan/", v.practice_move, {"action": "refuse"}, name="practice_refuse"
    ),
    path("<int:pk>/dung/", v.practice_move, {"action": "stop"}, name="practice_stop"),
    # Photos (of a practice or a good deed) and documents (of a practice).
    path("<int:pk>/anh/", files.photos_add, {"kind": "practice"}, name="practice_photos"),
    path(
        "<int:pk>/anh/<int:photo_pk>/xoa/",
        files.photo_delete,
        {"kind": "practice"},
        name="practice_photo_delete",
    ),
    path("viec-tot/<int:pk>/anh/", files.photos_add, {"kind": "deed"}, name="deed_photos"),
    path(
        "viec-tot/<int:pk>/anh/<int:photo_pk>/xoa/",
        files.photo_delete,
        {"kind": "deed"},
        name="deed_photo_delete",
    ),
    path("<int:pk>/tai-lieu/", files.document_add, name="document_add"),
    path("<int:pk>/tai-lieu/<int:doc_pk>/", files.document_download, name="document_download"),
    path("<int:pk>/tai-lieu/<int:doc_pk>/xoa/", files.document_delete, name="document_delete"),
    # Voting campaigns.
    path("binh-chon/", c.campaign_list, name="campaign_list"),
    path("binh-chon/tao/", c.campaign_add, name="campaign_add"),
    path("binh-chon/<int:pk>/", c.campaign_detail, name="campaign_detail"),
    path("binh-chon/<int:pk>/sua/", c.campaign_edit, name="campaign_edit"),
    path("binh-chon/<int:pk>/muc/", c.campaign_entries, name="campaign_entries"),
    path("binh-chon/<int:pk>/ket-qua.xlsx", c.campaign_export, name="campaign_export"),
    path(
        "binh-chon/<int:pk>/cong-bo/",
        c.campaign_status,
        {"action": "publish"},
        name="campaign_publish",
    ),
    path("binh-chon/<int:pk>/khoa/", c.campaign_status, {"action": "close"}, name="campaign_close"),
    path(
        "binh-chon/<int:pk>/cong-bo-ket-qua/",
        c.campaign_status,
        {"action": "announce"},
        name="campaign_announce",
    ),
    # Good people, good deeds.
    path("viec-tot/", d.deed_list, name="deed_list"),
    path("viec-tot/gioi-thieu/", d.deed_add, name="deed_add"),
    path("viec-tot/<int:pk>/", d.deed_detail, name="deed_detail"),
    path("viec-tot/<int:pk>/xac-minh/", d.deed_move, {"action": "verify"}, name="deed_verify"),
    path("viec-tot/<int:pk>/bo-sung/", d.deed_move, {"action": "more"}, name="deed_more"),
    path(
        "viec-tot/<int:pk>/khong-xac-minh/", d.deed_move, {"action": "reject"}, name="deed_reject"
    ),
    path("viec-tot/<int:pk>/cong-bo/", d.deed_move, {"action": "publish"}, name="deed_publish"),
    path("viec-tot/<int:pk>/khen-thuong/", d.deed_commend, name="deed_commend"),
]
