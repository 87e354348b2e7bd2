"""Public pages of petitions, at /kien-nghi/ (namespace "petitions")."""

from django.urls import URLPattern, URLResolver, path

from danvan.outreach import views_public as v

app_name = "petitions"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.petition_new, name="new"),
    path("da-gui/", v.petition_sent, name="sent"),
    path("tra-cuu/", v.petition_track, name="track"),
]
