"""The public showcase of recognised practices, at /mo-hinh/ (namespace "practices_public")."""

from django.urls import URLPattern, URLResolver, path

from danvan.practices import views_public as v

app_name = "practices_public"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.gallery, name="gallery"),
    path("<int:pk>/", v.detail, name="detail"),
]
