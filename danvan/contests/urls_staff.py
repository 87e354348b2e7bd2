from django.urls import URLPattern, URLResolver, path

from danvan.contests import views_staff as v

app_name = "contests_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.contest_list, name="contest_list"),
]
