from django.urls import path

from danvan.core import views_public

app_name = "public"

urlpatterns = [
    path("", views_public.home, name="home"),
]
