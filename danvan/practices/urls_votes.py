"""Public voting, at /binh-chon/ (namespace "votes")."""

from django.urls import URLPattern, URLResolver, path

from danvan.practices import views_votes as v

app_name = "votes"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.campaigns, name="campaigns"),
    path("<slug:slug>/", v.campaign, name="campaign"),
    path("<slug:slug>/xac-nhan/", v.identify, name="identify"),
    path("<slug:slug>/xac-nhan/ma/", v.confirm, name="confirm"),
    path("<slug:slug>/muc/<int:entry_pk>/", v.vote, name="vote"),
]
