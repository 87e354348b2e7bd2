"""Public pages of good people and good deeds, at /nguoi-tot-viec-tot/ (namespace "practices")."""

from django.urls import URLPattern, URLResolver, path

from danvan.practices import views_deeds as v

app_name = "practices"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.published, name="deeds"),
    path("<int:pk>/", v.deed_public, name="deed"),
    path("gioi-thieu/", v.nominate, name="nominate"),
    path("gioi-thieu/xong/", v.nominated, name="nominated"),
]
