"""The staff view helpers the apps share (core/views_common.py, and the list
filters of core/listing.py): a form's POST running a service (a refusal shown
on the form), a page that asks before it removes, photos checked by content,
an import handed to a job, a stored document downloaded under its own name,
and the status filter and the folded search of a list."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict

from danvan.core.forms import HamletImportForm
from danvan.core.listing import by_choice, filter_exact, status_filter
from danvan.core.models import Area, AreaKind, Job, JobStatus, Role
from danvan.core.tests.factories import make_province, make_staff, picture_bytes, upload
from danvan.core.tests.helpers import xlsx_bytes
from danvan.core.text import search_folded
from danvan.core.views_common import (
    IMPORT_STARTED,
    confirm_page,
    form_page,
    import_page,
    photos_page,
    stored_document,
    submit_form,
)

PAGE = "/quan-ly/thu/"
ERRORS = "staff/_form_errors.html"  # a template showing the form's refusals


class NoteForm(forms.Form):
    text = forms.CharField(max_length=20)


class Thing:
    """A record the helpers redirect to."""

    def __init__(self, pk: int) -> None:
        self.pk = pk

    def get_absolute_url(self) -> str:
        return f"/quan-ly/thu/{self.pk}/"


def _request(user: Any = None, method: str = "get", data: Any = None, files: Any = None) -> Any:
    request = getattr(RequestFactory(), method)(PAGE, data or {})
    if files:
        request.FILES.update(files)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _messages(request: Any) -> list[str]:
    return [str(m) for m in get_messages(request)]


# --- submit_form, form_page ---------------------------------------------------------


def test_a_get_runs_nothing() -> None:
    ran: list[Any] = []
    request = _request()
    form = NoteForm(request.POST or None)
    assert submit_form(request, form, ran.append, done="Đã lưu.") is None
    assert ran == []


def test_a_valid_post_runs_the_service_and_goes_to_what_it_returned() -> None:
    request = _request(method="post", data={"text": "Ghi chú"})
    response = submit_form(
        request, NoteForm(request.POST), lambda data: Thing(len(data["text"])), done="Đã lưu."
    )
    assert response is not None and response.status_code == 302
    assert response["Location"] == "/quan-ly/thu/7/"
    assert _messages(request) == ["Đã lưu."]


def test_the_message_and_the_redirect_may_depend_on_the_result() -> None:
    request = _request(method="post", data={"text": "Ba"})
    response = submit_form(
        request,
        NoteForm(request.POST),
        lambda data: Thing(3),
        done=lambda thing: f"Đã lưu mục {thing.pk}.",
        then=lambda thing: f"/danh-sach/?moi={thing.pk}",
    )
    assert response is not None and response["Location"] == "/danh-sach/?moi=3"
    assert _messages(request) == ["Đã lưu mục 3."]


def test_then_names_where_to_go() -> None:
    request = _request(method="post", data={"text": "Ba"})
    response = submit_form(
        request, NoteForm(request.POST), lambda data: None, done="Đã lưu.", then=Thing(9)
    )
    assert response is not None and response["Location"] == "/quan-ly/thu/9/"


def test_an_invalid_or_blocked_post_runs_nothing() -> None:
    ran: list[Any] = []
    request = _request(method="post", data={"text": ""})
    assert submit_form(request, NoteForm(request.POST), ran.append, done="Đã lưu.") is None
    request = _request(method="post", data={"text": "Ba"})
    form = NoteForm(request.POST)
    assert submit_form(request, form, ran.append, done="Đã lưu.", blocked=True) is None
    assert ran == [] and _messages(request) == []


def test_a_refusal_is_shown_on_the_page_and_nothing_is_said_done() -> None:
    def refuse(data: dict[str, Any]) -> None:
        raise ValidationError(["Đã khóa.", "Hãy hỏi quản trị viên."])

    request = _request(method="post", data={"text": "Ba"})
    form = NoteForm(request.POST)
    response = form_page(
        request, form, refuse, done="Đã lưu.", template=ERRORS, context={"nav": "x"}
    )
    assert response.status_code == 200
    assert form.non_field_errors() == ["Đã khóa.", "Hãy hỏi quản trị viên."]
    assert "Đã khóa." in response.content.decode()
    assert _messages(request) == []


def test_form_page_shows_the_form_on_a_get() -> None:
    request = _request()
    response = form_page(
        request, NoteForm(None), lambda data: None, done="Đã lưu.", template=ERRORS, context={}
    )
    assert response.status_code == 200
    assert "Chưa lưu được." not in response.content.decode()


# --- confirm_page -------------------------------------------------------------------


def test_confirm_page_asks_on_a_get_and_does_on_a_post() -> None:
    done: list[int] = []
    page = {"template": ERRORS, "context": {"form": NoteForm(None)}}
    request = _request()
    response = confirm_page(
        request, lambda: done.append(1), done="Đã xóa ảnh.", then=Thing(4), **page
    )
    assert response.status_code == 200 and done == []
    request = _request(method="post")
    response = confirm_page(
        request, lambda: done.append(1), done="Đã xóa ảnh.", then=Thing(4), **page
    )
    assert response.status_code == 302 and response["Location"] == "/quan-ly/thu/4/"
    assert done == [1] and _messages(request) == ["Đã xóa ảnh."]


# --- photos_page --------------------------------------------------------------------


def _photos_request(*uploads: Any) -> Any:
    return _request(
        method="post", data={"caption": "Buổi họp"}, files=MultiValueDict({"photos": list(uploads)})
    )


def test_photos_are_checked_then_added_with_the_caption() -> None:
    added: list[Any] = []

    def add(checked: list[Any], captions: list[str]) -> list[Any]:
        added.extend(zip(checked, captions, strict=True))
        return checked

    request = _photos_request(
        upload("a.jpg", picture_bytes(40, 30)), upload("b.jpg", picture_bytes())
    )
    response = photos_page(request, Thing(5), add, most=3, template=ERRORS, context={})
    assert response.status_code == 302 and response["Location"] == "/quan-ly/thu/5/"
    assert [caption for _c, caption in added] == ["Buổi họp", "Buổi họp"]
    assert _messages(request) == ["Đã nhận 2 ảnh; ảnh sẽ hiện sau ít giây khi xử lý xong."]


def test_a_file_that_is_no_picture_is_refused_and_nothing_added() -> None:
    added: list[Any] = []
    request = _photos_request(upload("a.jpg", b"MZ not a picture"))
    response = photos_page(
        request, Thing(5), lambda c, t: added.extend(c) or c, most=3, template=ERRORS, context={}
    )
    assert response.status_code == 200 and added == []
    assert _messages(request) == []


# --- import_page --------------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_is_handed_to_a_job_and_its_page_shown(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = make_staff("st.nhap", Role.BOARD_ADMIN, area=make_province())
    data = xlsx_bytes([["Tên ấp"], ["Ấp 1"]])
    request = _request(
        user,
        method="post",
        files=MultiValueDict({"file": [upload("ap.xlsx", data, "application/octet-stream")]}),
    )
    form = HamletImportForm(request.POST, request.FILES)
    with django_capture_on_commit_callbacks():
        response = import_page(
            request,
            form,
            kind="import_hamlets",
            title=lambda d: "Nhập " + "x" * 300 + d["file"].name,
            params=lambda d: {"xa": 1},
            template=ERRORS,
            context={},
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.kind == "import_hamlets" and job.params == {"xa": 1}
    assert len(job.title) == 200 and job.created_by == user
    assert _messages(request) == [IMPORT_STARTED]


@pytest.mark.django_db
def test_an_import_without_a_file_shows_the_page() -> None:
    request = _request(method="post")
    response = import_page(
        request,
        HamletImportForm(request.POST, request.FILES),
        kind="import_hamlets",
        title=lambda d: "Nhập",
        template=ERRORS,
        context={},
    )
    assert response.status_code == 200 and not Job.objects.exists()


# --- stored_document ----------------------------------------------------------------


def test_a_stored_document_is_downloaded_under_its_own_name(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.storage import default_storage

    stored = default_storage.save("tai-lieu/abc.pdf", ContentFile(b"%PDF-1.4 thu"))
    response = stored_document(stored, "Kế hoạch năm", "pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "K%E1%BA%BF%20ho%E1%BA%A1ch%20n%C4%83m.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 thu"
    response.file_to_stream.close()
    named = stored_document(stored, "bao-cao.PDF", "pdf")  # the extension is there already
    assert "bao-cao.PDF" in named["Content-Disposition"]
    named.file_to_stream.close()
    with pytest.raises(Http404):
        stored_document("tai-lieu/khong-co.pdf", "x", "pdf")


# --- listing: status filter, folded search, exact filters ---------------------------


@pytest.mark.django_db
def test_status_filter_keeps_only_a_known_status() -> None:
    user = make_staff("st.loc", Role.BOARD_ADMIN, area=make_province())
    done = Job.objects.create(kind="import_hamlets", title="Xong", created_by=user)
    Job.objects.filter(pk=done.pk).update(status=JobStatus.DONE)
    Job.objects.create(kind="import_hamlets", title="Chờ", created_by=user)
    qs = Job.objects.order_by("pk")
    narrowed, chosen = status_filter(_request_get(status="done"), qs, JobStatus)
    assert chosen == {"status": "done", "statuses": JobStatus.choices}
    assert [j.title for j in narrowed] == ["Xong"]
    same, chosen = status_filter(_request_get(status="khong-co"), qs, JobStatus)
    assert same is qs and chosen["status"] == "khong-co"


def _request_get(**params: str) -> Any:
    return RequestFactory().get(PAGE, params)


@pytest.mark.django_db
def test_search_folded_needs_every_word_in_some_field() -> None:
    province = make_province(name="Tỉnh Hậu Giang")
    qs = Area.objects.filter(pk=province.pk)
    assert list(search_folded(qs, "HẬU giang", "name_folded")) == [province]
    assert list(search_folded(qs, "hau can tho", "name_folded", "code")) == []
    assert list(search_folded(qs, "hau 93", "name_folded", "code")) == [province]
    assert search_folded(qs, "  ", "name_folded") is qs


@pytest.mark.django_db
def test_filter_exact_uses_the_valid_form_only() -> None:
    class KindForm(forms.Form):
        kind = forms.ChoiceField(choices=[("", "—"), *AreaKind.choices], required=False)
        depth = forms.IntegerField(required=False, min_value=1)

    province = make_province()
    qs = Area.objects.filter(pk=province.pk)
    assert list(filter_exact(qs, KindForm({"kind": "province"}), ["kind", "depth"])) == [province]
    assert list(filter_exact(qs, KindForm({"kind": "commune"}), ["kind"])) == []
    assert filter_exact(qs, KindForm({"depth": "0"}), ["kind", "depth"]) is qs  # invalid


@pytest.mark.django_db
def test_by_choice_filters_on_an_offered_value_only() -> None:
    province = make_province()
    qs = Area.objects.filter(pk=province.pk)
    assert list(by_choice(qs, "kind", "province", AreaKind)) == [province]
    assert list(by_choice(qs, "kind", "commune", AreaKind)) == []
    assert by_choice(qs, "kind", "", AreaKind) is qs
    assert by_choice(qs, "kind", "'; drop", AreaKind) is qs
