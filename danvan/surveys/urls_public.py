"""Public survey pages, mounted at /khao-sat/ (namespace "surveys")."""

from django.urls import URLPattern, URLResolver, path

from danvan.surveys import views_public as views
from danvan.surveys import views_share

app_name = "surveys"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.take, name="take"),
    path("<slug:slug>/phan-<int:n>/", views.page, name="page"),
    path("<slug:slug>/cam-on/", views.thanks, name="thanks"),
    path("<slug:slug>/anh-chia-se.png", views_share.share_image, name="share_image"),
]
