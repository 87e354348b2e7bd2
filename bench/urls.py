"""URLs of the benchmark server: the application's own (danvan.urls) plus the
baseline views (bench.baseline) and one bench-only view (own rank)."""

from django.urls import URLPattern, URLResolver, include, path

from bench import views
from danvan.urls import urlpatterns as app_urlpatterns

urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/", include("bench.baseline")),
    path("bench/<slug:slug>/hang/<int:number>/", views.own_rank, name="bench_own_rank"),
    *app_urlpatterns,
]
