from django.urls import URLPattern, URLResolver

app_name = "contests_stats"

urlpatterns: list[URLPattern | URLResolver] = []
