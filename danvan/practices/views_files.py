"""Staff pages for the photos of a practice or a good deed and the documents of
a practice (namespace "practices_staff"): add (checked by content), delete
(after a confirmation page), download a document. Viewing follows the owner's
VIEW scope, changing its MANAGE scope; anything else is a 404."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404

from danvan.core import documents
from danvan.core.listing import StaffRequest
from danvan.core.scope import MANAGE, get_visible_or_404
from danvan.core.views_common import (
    confirm_page,
    form_page,
    photos_page,
    staff_form_view,
    staff_page,
    staff_post,
    stored_document,
)
from danvan.practices import photos
from danvan.practices.forms import DocumentForm
from danvan.practices.models import Document, GoodDeed, Photo, Practice

NAV = "practices"


def _owner(request: StaffRequest, kind: str, pk: int, verb: str) -> Practice | GoodDeed:
    if kind == "practice":
        return get_visible_or_404(
            Practice.objects.select_related("area"), request.user, verb, pk=pk
        )
    if kind == "deed":
        return get_visible_or_404(
            GoodDeed.objects.select_related("area"), request.user, verb, pk=pk
        )
    raise Http404


@staff_post
def photos_add(request: StaffRequest, kind: str, pk: int) -> HttpResponse:
    owner = _owner(request, kind, pk, MANAGE)
    return photos_page(
        request,
        owner,
        lambda checked, captions: photos.add_photos(owner, checked, captions),
        most=photos.MAX_DEED_PHOTOS if kind == "deed" else photos.MAX_PRACTICE_PHOTOS,
        template="practices/staff/photos_form.html",
        context={"nav": NAV, "owner": owner},
    )


def _delete_page(
    request: StaffRequest, owner: Practice | GoodDeed, thing: Photo | Document, what: str, key: str
) -> HttpResponse:
    """Confirm, then on POST remove `thing` (a photo or a document of `owner`,
    its files with it): `what` names it on the page, `key` in the template."""
    return confirm_page(
        request,
        lambda: photos.remove(thing),
        done=f"Đã xóa {what}.",
        then=owner,
        template="practices/staff/confirm_delete.html",
        context={"nav": NAV, "owner": owner, "what": what, key: thing},
    )


@staff_form_view
def photo_delete(request: StaffRequest, kind: str, pk: int, photo_pk: int) -> HttpResponse:
    owner = _owner(request, kind, pk, MANAGE)
    photo = get_object_or_404(Photo, pk=photo_pk, **{kind: owner})
    return _delete_page(request, owner, photo, "ảnh", "photo")


@staff_post
def document_add(request: StaffRequest, pk: int) -> HttpResponse:
    practice = _owner(request, "practice", pk, MANAGE)
    assert isinstance(practice, Practice)
    return form_page(
        request,
        DocumentForm(request.POST, request.FILES),
        lambda data: photos.add_document(
            practice,
            documents.check_document(data["file"]),
            title=data["title"],
            file_name=str(data["file"].name),
            user=request.user,
        ),
        done="Đã lưu tài liệu.",
        then=practice,
        template="practices/staff/document_form.html",
        context={"nav": NAV, "owner": practice},
    )


@staff_page
def document_download(request: StaffRequest, pk: int, doc_pk: int) -> FileResponse:
    practice = _owner(request, "practice", pk, "view")
    document = get_object_or_404(Document, pk=doc_pk, practice=practice)
    return stored_document(document.stored, document.file_name, document.extension)


@staff_form_view
def document_delete(request: StaffRequest, pk: int, doc_pk: int) -> HttpResponse:
    practice = _owner(request, "practice", pk, MANAGE)
    document = get_object_or_404(Document, pk=doc_pk, practice=practice)
    return _delete_page(request, practice, document, "tài liệu", "document")
