from django.urls import URLPattern, URLResolver

app_name = "surveys_staff"

urlpatterns: list[URLPattern | URLResolver] = []
