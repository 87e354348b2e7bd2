from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from danvan.media import public_media

admin.site.site_header = "Dân Vận Số — quản trị kỹ thuật"
admin.site.site_title = "Dân Vận Số"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("danvan.core.urls_public")),
    path("cuoc-thi/", include("danvan.contests.urls_public")),
    path("khao-sat/", include("danvan.surveys.urls_public")),
    path("nguoi-tot-viec-tot/", include("danvan.practices.urls_public")),
    path("mo-hinh/", include("danvan.practices.urls_showcase")),
    path("binh-chon/", include("danvan.practices.urls_votes")),
    path("kien-nghi/", include("danvan.outreach.urls_public")),
    path("doi-thoai/", include("danvan.outreach.urls_dialogues")),
    path("quan-ly/khao-sat/ket-qua/", include("danvan.surveys.urls_results")),
    path("quan-ly/khao-sat/", include("danvan.surveys.urls_staff")),
    path("quan-ly/du-luan/", include("danvan.surveys.urls_opinion")),
    path("quan-ly/cuoc-thi/thong-ke/", include("danvan.contests.urls_stats")),
    path("quan-ly/cuoc-thi/", include("danvan.contests.urls_staff")),
    path("quan-ly/mo-hinh/", include("danvan.practices.urls_staff")),
    path("quan-ly/ke-hoach/", include("danvan.plans.urls_staff")),
    path("quan-ly/kien-nghi/", include("danvan.outreach.urls_staff")),
    path("quan-ly/doi-thoai/", include("danvan.outreach.urls_staff_dialogues")),
    path("quan-ly/kiem-tra/", include("danvan.inspections.urls_staff")),
    path("quan-ly/bao-cao/", include("danvan.reports.urls_staff")),
    path("quan-ly/", include("danvan.core.urls_staff")),
    path("admin/", admin.site.urls),
    # Public uploaded images only (banners, share images), in every profile; other
    # uploads are served by staff views after their checks (danvan/media.py).
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", public_media, name="public_media"),
]
