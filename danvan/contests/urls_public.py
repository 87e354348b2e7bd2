"""Public contest pages, mounted at /cuoc-thi/ (namespace "contests")."""

from django.urls import URLPattern, URLResolver, path, register_converter

from danvan.contests import views_attempt as attempt
from danvan.contests import views_participant as person
from danvan.contests import views_public as v


class AttemptTokenConverter:
    """An attempt token (secrets.token_urlsafe(18): 24 URL-safe characters). Strict
    enough that /cuoc-thi/<slug>/the-le/ never reads as an attempt."""

    regex = r"[A-Za-z0-9_-]{20,32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AttemptTokenConverter, "attempt_token")

app_name = "contests"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", v.contest_list, name="list"),
    path("bai/<attempt_token:token>/", attempt.attempt_page, name="attempt"),
    path("bai/<attempt_token:token>/luu/", attempt.attempt_save, name="attempt_save"),
    path("bai/<attempt_token:token>/ket-qua/", attempt.result, name="result"),
    path("<slug:slug>/", v.contest_detail, name="detail"),
    path("<slug:slug>/the-le/", v.contest_rules, name="rules"),
    path("<slug:slug>/dang-ky/", person.register, name="register"),
    path("<slug:slug>/dang-ky/xong/", person.registered, name="registered"),
    path("<slug:slug>/dang-nhap/", person.sign_in, name="signin"),
    path("<slug:slug>/dang-xuat/", person.sign_out, name="signout"),
    path("<slug:slug>/dot/<int:number>/bat-dau/", attempt.start, name="start"),
    path("<slug:slug>/ket-qua/<int:number>/", v.round_results, name="results"),
    path("<slug:slug>/du-lieu-ca-nhan/", person.my_data, name="my_data"),
    path("<slug:slug>/du-lieu-ca-nhan/tai-ve/", person.export, name="export"),
    path("<slug:slug>/du-lieu-ca-nhan/xoa/", person.erase, name="erase"),
]
