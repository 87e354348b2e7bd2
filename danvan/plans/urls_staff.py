"""Staff pages of carrying out the plan, mounted at /quan-ly/ke-hoach/
(namespace "plans_staff"). Every view is scoped; see tests/test_staff_personas.py."""

from django.urls import URLPattern, URLResolver, path

from danvan.plans import views_people as people
from danvan.plans import views_staff as v
from danvan.plans import views_work as work

app_name = "plans_staff"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.plan_list, name="plan_list"),
    path("them/", v.plan_add, name="plan_add"),
    path("qua-han/", v.overdue, name="overdue"),
    path("<int:pk>/", v.plan_detail, name="plan_detail"),
    path("<int:pk>/sua/", v.plan_edit, name="plan_edit"),
    path("<int:pk>/nhiem-vu/them/", v.task_add, name="task_add"),
    path("<int:pk>/phoi-hop/", v.coordination, name="coordination"),
    path("<int:pk>/phoi-hop/<int:org>/", v.coordination_edit, name="coordination_edit"),
    path("<int:pk>/phoi-hop/<int:org>/tep/", v.coordination_file, name="coordination_file"),
    path("<int:pk>/chi-tieu/", v.dashboard, name="dashboard"),
    path("<int:pk>/chi-tieu/them/", v.target_add, name="target_add"),
    path("<int:pk>/chi-tieu/<int:target>.xlsx", v.target_export, name="target_export"),
    path("tuyen-truyen/", work.briefing_list, name="briefing_list"),
    path("tuyen-truyen/danh-sach.xlsx", work.briefing_export, name="briefing_export"),
    path("tuyen-truyen/them/", work.briefing_add, name="briefing_add"),
    path("tuyen-truyen/<int:pk>/", work.briefing_detail, name="briefing_detail"),
    path("tuyen-truyen/<int:pk>/nguoi-du/", work.attendee_add, name="attendee_add"),
    path("tuyen-truyen/<int:pk>/nguoi-du/nhap/", work.attendee_import, name="attendee_import"),
    path(
        "tuyen-truyen/<int:pk>/nguoi-du/mau.xlsx",
        work.attendee_template,
        name="attendee_template",
    ),
    path(
        "tuyen-truyen/<int:pk>/nguoi-du/<int:person>/bo/",
        work.attendee_delete,
        name="attendee_delete",
    ),
    path("luc-luong/", people.communicator_list, name="communicator_list"),
    path("luc-luong/them/", people.communicator_add, name="communicator_add"),
    path("luc-luong/<int:pk>/", people.communicator_edit, name="communicator_edit"),
    path("can-bo/", people.official_list, name="official_list"),
    path("can-bo/them/", people.official_add, name="official_add"),
    path("can-bo/<int:pk>/", people.official_edit, name="official_edit"),
    path("tap-huan/", people.course_list, name="course_list"),
    path("tap-huan/them/", people.course_add, name="course_add"),
    path("tap-huan/<int:pk>/", people.course_detail, name="course_detail"),
    path("so-lieu-tong-hop/", work.return_list, name="return_list"),
    path("so-lieu-tong-hop/them/", work.return_add, name="return_add"),
    path("so-lieu-tong-hop/nhap/", work.return_import, name="return_import"),
    path("so-lieu-tong-hop/mau.xlsx", work.return_template, name="return_template"),
    path("tai-lieu/", work.material_list, name="material_list"),
    path("tai-lieu/them/", work.material_add, name="material_add"),
    path("tai-lieu/<int:pk>/", work.material_detail, name="material_detail"),
    path("tai-lieu/<int:pk>/tep/<int:file_pk>/", work.material_download, name="material_download"),
    path("nhiem-vu/<int:pk>/", v.task_detail, name="task_detail"),
    path("nhiem-vu/<int:pk>/sua/", v.task_edit, name="task_edit"),
    path("nhiem-vu/<int:pk>/trang-thai/", v.task_status, name="task_status"),
    path(
        "nhiem-vu/<int:pk>/bao-cao/<int:report>/tep/<int:file>/",
        v.report_file,
        name="report_file",
    ),
]
