"""Staff pages of dialogues, at /quan-ly/doi-thoai/ (namespace "dialogues_staff"):
the list, scheduling and editing, announcing on the public site, cancelling,
recording the outcome (attendance, groups, minutes, photos) and the petitions
raised.
A dialogue is seen by the officers of its unit and of its organising body."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from danvan.core import photos as core_photos
from danvan.core.listing import StaffRequest, list_page, status_filter
from danvan.core.models import Organization
from danvan.core.scope import MANAGE, can, get_visible_or_404
from danvan.core.views_common import (
    confirm_page,
    form_page,
    photos_page,
    staff_form_view,
    staff_page,
    staff_post,
)
from danvan.outreach import dialogues
from danvan.outreach import forms as f
from danvan.outreach.models import MAX_DIALOGUE_PHOTOS, Dialogue, DialoguePhoto, DialogueStatus

NAV = "dialogues"


def _fetch(request: StaffRequest, pk: int, verb: str = "view") -> Dialogue:
    qs = Dialogue.objects.select_related("area", "organizer", "organizer__area")
    return get_visible_or_404(qs, request.user, verb, pk=pk)


@staff_page
def dialogue_list(request: StaffRequest) -> HttpResponse:
    qs = Dialogue.objects.visible_to(request.user).select_related("area", "organizer")
    qs, chosen = status_filter(request, qs, DialogueStatus)
    return list_page(
        request,
        "outreach/staff/dialogue_list.html",
        qs.order_by("-starts_at", "-pk"),
        nav=NAV,
        can_add=Organization.objects.visible_to(request.user, MANAGE).exists(),
        **chosen,
    )


def _form_page(request: StaffRequest, dialogue: Dialogue | None) -> HttpResponse:
    form = f.DialogueForm(request.POST or None, instance=dialogue, user=request.user)

    def save(data: dict[str, Any]) -> Dialogue:
        if dialogue is None:
            return dialogues.schedule_dialogue(
                form.instance, cohosts=data["cohosts"], by=request.user
            )
        return dialogues.update_dialogue(form.instance, cohosts=data["cohosts"])

    return form_page(
        request,
        form,
        save,
        done="Đã lên lịch; hãy thông báo để Nhân dân biết." if dialogue is None else "Đã lưu.",
        template="outreach/staff/dialogue_form.html",
        context={"nav": NAV, "dialogue": dialogue},
    )


@staff_form_view
def dialogue_add(request: StaffRequest) -> HttpResponse:
    if not Organization.objects.visible_to(request.user, MANAGE).exists():
        raise Http404
    return _form_page(request, None)


@staff_form_view
def dialogue_edit(request: StaffRequest, pk: int) -> HttpResponse:
    return _form_page(request, _fetch(request, pk, MANAGE))


@staff_page
def dialogue_detail(request: StaffRequest, pk: int) -> HttpResponse:
    dialogue = _fetch(request, pk)
    return render(
        request,
        "outreach/staff/dialogue_detail.html",
        {
            "nav": NAV,
            "dialogue": dialogue,
            "can_manage": can(request.user, MANAGE, dialogue),
            "cohosts": dialogue.cohosts.all(),
            "petitions": dialogue.petitions.select_related("agency").order_by("received_at"),
            "add_petition": reverse("petitions_staff:add") + f"?doi_thoai={dialogue.pk}"
            if f.petition_areas(request.user).filter(pk=dialogue.area_id).exists()
            else "",
            "editable": dialogue.status in dialogues.EDITABLE,
            **_photos_context(dialogue),
        },
    )


def _photos_context(
    dialogue: Dialogue, form: core_photos.PhotosForm | None = None
) -> dict[str, Any]:
    """What `staff/_photos.html` needs; photos are taken once the dialogue is held."""
    return {
        "photos": dialogue.photos.all(),
        "photos_closed": ""
        if dialogue.status == DialogueStatus.HELD
        else "Thêm ảnh sau khi đã ghi kết quả buổi đối thoại.",
        "max_photos": MAX_DIALOGUE_PHOTOS,
        "photos_form": core_photos.PhotosForm(max_count=MAX_DIALOGUE_PHOTOS),
        "photos_add_url": reverse("dialogues_staff:photos", args=[dialogue.pk]),
    }


@staff_form_view
def dialogue_announce(request: StaffRequest, pk: int) -> HttpResponse:
    dialogue = _fetch(request, pk, MANAGE)
    error = ""
    if request.method == "POST":
        try:
            dialogues.announce_dialogue(dialogue)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, "Đã đăng thông báo trên trang công khai.")
            return redirect(dialogue)
    return render(
        request,
        "outreach/staff/dialogue_announce.html",
        {"nav": NAV, "dialogue": dialogue, "error": error,
         "blocked": dialogue.status != DialogueStatus.PLANNED},
    )  # fmt: skip


@staff_form_view
def dialogue_cancel(request: StaffRequest, pk: int) -> HttpResponse:
    dialogue = _fetch(request, pk, MANAGE)
    return form_page(
        request,
        f.CancelForm(request.POST or None),
        lambda data: dialogues.cancel_dialogue(dialogue, reason=data["reason"]),
        done="Đã hủy buổi đối thoại.",
        then=dialogue,
        template="outreach/staff/dialogue_cancel.html",
        context={
            "nav": NAV,
            "dialogue": dialogue,
            "blocked": dialogue.status not in dialogues.EDITABLE,
        },
    )


@staff_form_view
def dialogue_outcome(request: StaffRequest, pk: int) -> HttpResponse:
    dialogue = _fetch(request, pk, MANAGE)
    initial: dict[str, Any] = {
        "attendance": dialogue.attendance,
        "groups_present": dialogue.groups_present,
        "minutes": dialogue.minutes,
    }
    return form_page(
        request,
        f.OutcomeForm(request.POST or None, initial=initial),
        lambda data: dialogues.record_outcome(dialogue, **data),
        done="Đã ghi kết quả buổi đối thoại.",
        then=dialogue,
        template="outreach/staff/dialogue_outcome.html",
        context={"nav": NAV, "dialogue": dialogue},
    )


@staff_post
def dialogue_photos(request: StaffRequest, pk: int) -> HttpResponse:
    dialogue = _fetch(request, pk, MANAGE)
    return photos_page(
        request,
        dialogue,
        lambda checked, captions: dialogues.add_dialogue_photos(dialogue, checked, captions),
        most=MAX_DIALOGUE_PHOTOS,
        template="outreach/staff/dialogue_photos.html",
        context={"nav": NAV, "dialogue": dialogue},
    )


@staff_form_view
def dialogue_photo_delete(request: StaffRequest, pk: int, photo_pk: int) -> HttpResponse:
    dialogue = _fetch(request, pk, MANAGE)
    photo = get_object_or_404(DialoguePhoto, pk=photo_pk, dialogue=dialogue)
    return confirm_page(
        request,
        lambda: core_photos.remove_photo(photo),
        done="Đã xóa ảnh.",
        then=dialogue,
        template="outreach/staff/dialogue_photo_delete.html",
        context={"nav": NAV, "dialogue": dialogue, "photo": photo},
    )
