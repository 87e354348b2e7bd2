"""Staff pages for the photos of a practice or a good deed and the documents of
a practice (namespace "practices_staff"): add (checked by content), delete
(after a confirmation page), download a document. Viewing follows the owner's
VIEW scope, changing its MANAGE scope; anything else is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from danvan.core import documents, images
from danvan.core.forms import form_error
from danvan.core.listing import StaffRequest
from danvan.core.photos import PhotosForm
from danvan.core.scope import MANAGE, get_visible_or_404
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


@require_POST
@login_required
def photos_add(request: StaffRequest, kind: str, pk: int) -> HttpResponse:
    owner = _owner(request, kind, pk, MANAGE)
    most = photos.MAX_DEED_PHOTOS if kind == "deed" else photos.MAX_PRACTICE_PHOTOS
    form = PhotosForm(request.POST, request.FILES, max_count=most)
    if form.is_valid():
        try:
            checked = images.check_images(form.cleaned_data["photos"])
            added = photos.add_photos(owner, checked, [form.cleaned_data["caption"]] * len(checked))
        except ValidationError as error:
            form.add_error("photos", error)
        else:
            messages.success(
                request, f"Đã nhận {len(added)} ảnh; ảnh sẽ hiện sau ít giây khi xử lý xong."
            )
            return redirect(owner)
    return render(
        request,
        "practices/staff/photos_form.html",
        {"nav": NAV, "owner": owner, "form": form},
    )


def _delete_page(
    request: StaffRequest, owner: Practice | GoodDeed, thing: Photo | Document, what: str, key: str
) -> HttpResponse:
    """Confirm, then on POST remove `thing` (a photo or a document of `owner`,
    its files with it): `what` names it on the page, `key` in the template."""
    if request.method == "POST":
        photos.remove(thing)
        messages.success(request, f"Đã xóa {what}.")
        return redirect(owner)
    return render(
        request,
        "practices/staff/confirm_delete.html",
        {"nav": NAV, "owner": owner, "what": what, key: thing},
    )


@require_http_methods(["GET", "POST"])
@login_required
def photo_delete(request: StaffRequest, kind: str, pk: int, photo_pk: int) -> HttpResponse:
    owner = _owner(request, kind, pk, MANAGE)
    photo = get_object_or_404(Photo, pk=photo_pk, **{kind: owner})
    return _delete_page(request, owner, photo, "ảnh", "photo")


@require_POST
@login_required
def document_add(request: StaffRequest, pk: int) -> HttpResponse:
    practice = _owner(request, "practice", pk, MANAGE)
    assert isinstance(practice, Practice)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            checked = documents.check_document(upload)
            photos.add_document(
                practice,
                checked,
                title=form.cleaned_data["title"],
                file_name=str(upload.name),
                user=request.user,
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Đã lưu tài liệu.")
            return redirect(practice)
    return render(
        request,
        "practices/staff/document_form.html",
        {"nav": NAV, "owner": practice, "form": form},
    )


@require_safe
@login_required
def document_download(request: StaffRequest, pk: int, doc_pk: int) -> FileResponse:
    practice = _owner(request, "practice", pk, "view")
    document = get_object_or_404(Document, pk=doc_pk, practice=practice)
    try:
        stream = default_storage.open(document.stored, "rb")
    except OSError:
        raise Http404("Không tìm thấy tệp.") from None
    name = document.file_name
    if not name.lower().endswith("." + document.extension):
        name = f"{name}.{document.extension}"
    return FileResponse(
        stream,
        as_attachment=True,
        filename=name,
        content_type=documents.KINDS[document.extension][0],
    )


@require_http_methods(["GET", "POST"])
@login_required
def document_delete(request: StaffRequest, pk: int, doc_pk: int) -> HttpResponse:
    practice = _owner(request, "practice", pk, MANAGE)
    document = get_object_or_404(Document, pk=doc_pk, practice=practice)
    return _delete_page(request, practice, document, "tài liệu", "document")
