"""Staff pages of inspections, mounted at /quan-ly/kiem-tra/ (namespace
"inspections_staff"). Every view is scoped; see tests/test_staff_personas.py."""

from django.urls import URLPattern, URLResolver, path

from danvan.inspections import views as v

app_name = "inspections_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.programme_list, name="programme_list"),
    path("chuong-trinh/", v.programme_add, name="programme_add"),
    path("chuong-trinh/<int:pk>/", v.programme_detail, name="programme"),
    path("chuong-trinh/<int:pk>/sua/", v.programme_edit, name="programme_edit"),
    path("chuong-trinh/<int:pk>/them/", v.inspection_add, name="inspection_add"),
    path("<int:pk>/", v.inspection_detail, name="inspection"),
    path("<int:pk>/sua/", v.inspection_edit, name="inspection_edit"),
    path("<int:pk>/ket-luan/", v.inspection_conclude, name="conclude"),
    path("<int:pk>/kien-nghi/", v.recommendation_add, name="recommendation_add"),
    path("kien-nghi/<int:pk>/hoan-thanh/", v.recommendation_settle, name="settle"),
    path("theo-doi/", v.follow_up, name="follow_up"),
    path("theo-doi.xlsx", v.follow_up_export, name="follow_up_export"),
]
