"""Public notices of dialogues, at /doi-thoai/ (namespace "dialogues")."""

from django.urls import URLPattern, URLResolver, path

from danvan.outreach import views_public as v

app_name = "dialogues"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.dialogue_notices, name="list"),
    path("<int:pk>/", v.dialogue_notice, name="detail"),
]
