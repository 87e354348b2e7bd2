"""What the staff views of every app do the same way, beside the lists
(`core.listing`) and the status actions (`core.status`):

- `staff_page`, `staff_form_view`, `staff_post`: the decorators of a staff
  view, for a signed-in user: a page that only reads (GET, HEAD), a page
  with a form (GET, POST), an action posted from another page (POST).

- `submit_form`: a form's valid POST runs a service; a refusal
  (`ValidationError`) is shown on the form, above its fields, and nothing
  changes; done, a success message and a redirect. `form_page` renders the
  page with the form otherwise::

      form = f.CommendForm(request.POST or None)
      return form_page(
          request, form, lambda data: deeds.commend(deed, **data),
          done="Đã ghi nhận khen thưởng.", then=deed,
          template="practices/staff/deed_commend.html",
          context={"nav": NAV, "deed": deed},
      )

- `confirm_page`: GET asks, POST does (remove a photo, a document, a row).
- `move_links`: the steps of a workflow an object's page offers.
- `photos_page`: photos added to an object, checked by content.
- `import_page`: an uploaded file handed to a job (`core.jobs`) to import.
- `stored_document`: a stored document (`core.documents`) as a download
  under the name it was uploaded with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from danvan.core.documents import KINDS
from danvan.core.forms import form_error
from danvan.core.images import Checked, check_images
from danvan.core.jobs import start_job
from danvan.core.photos import PhotosForm

T = TypeVar("T")
V = TypeVar("V", bound=Callable[..., HttpResponseBase])


def staff_page(view: V) -> V:
    """A staff page that only reads: GET (and HEAD) by a signed-in user."""
    return require_safe(login_required(view))


def staff_form_view(view: V) -> V:
    """A staff page with a form: GET shows it, POST sends it; signed in."""
    return require_http_methods(["GET", "POST"])(login_required(view))


def staff_post(view: V) -> V:
    """A staff action posted from another page (no page of its own); signed in."""
    return require_POST(login_required(view))


def submit_form(
    request: HttpRequest,
    form: BaseForm,
    change: Callable[[dict[str, Any]], T],
    *,
    done: str | Callable[[T], str],
    then: Any = None,
    blocked: bool = False,
) -> HttpResponse | None:
    """On a POST whose form is valid (and not `blocked`, e.g. by the object's
    status), run `change(form.cleaned_data)`: the service that writes. A
    refusal (`ValidationError`) goes on the form, above its fields, and the
    answer is None: show the page again. Else the success message `done` (or
    `done(result)`) and a redirect to `then` (anything `redirect` takes; a
    function of the result; None: the result itself, e.g. the saved object).
    None too for a GET, a blocked or an invalid POST."""
    if request.method != "POST" or blocked or not form.is_valid():
        return None
    try:
        result = change(form.cleaned_data)
    except ValidationError as error:
        form_error(form, error)
        return None
    messages.success(request, done(result) if callable(done) else done)
    target: Any = then(result) if callable(then) else then
    destination: Any = result if target is None else target
    return redirect(destination)


def form_page(
    request: HttpRequest,
    form: BaseForm,
    change: Callable[[dict[str, Any]], T],
    *,
    done: str | Callable[[T], str],
    template: str,
    context: Mapping[str, Any],
    then: Any = None,
    blocked: bool = False,
) -> HttpResponse:
    """A page with one form (`submit_form`): the redirect once done, else
    `template` with `form` and `context`."""
    response = submit_form(request, form, change, done=done, then=then, blocked=blocked)
    if response is not None:
        return response
    return render(request, template, {"form": form, **context})


def confirm_page(
    request: HttpRequest,
    do: Callable[[], Any],
    *,
    done: str,
    then: Any,
    template: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """GET: `template` asks to confirm (with `context`). POST: `do()`, the
    success message `done` and a redirect to `then`."""
    if request.method == "POST":
        do()
        messages.success(request, done)
        return redirect(then)
    return render(request, template, context)


Moves = Mapping[str, tuple[tuple[str, ...], str, str]]
"""The steps of a workflow: action -> (the statuses it starts from, the status
it leads to, the success message)."""


def move_links(
    obj: Any, url_name: str, moves: Moves, labels: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The steps `obj` may take from its status, for its page: (URL, label)
    for each action of `moves` that starts from it. `url_name` is the name of
    the step's view with "{}" for the action ("petitions_staff:{}")."""
    return [
        (reverse(url_name.format(action), args=[obj.pk]), labels[action])
        for action, (sources, _target, _done) in moves.items()
        if obj.status in sources
    ]


def stored_document(stored: str, file_name: str, extension: str) -> FileResponse:
    """The stored document at `stored` (checked by `core.documents` on upload)
    as an attachment named `file_name`, `.extension` added when the name lacks
    it, with the content type of its kind; a 404 when the file is gone."""
    try:
        stream = default_storage.open(stored, "rb")
    except OSError:
        raise Http404("Không tìm thấy tệp.") from None
    name = file_name if file_name.lower().endswith("." + extension) else f"{file_name}.{extension}"
    return FileResponse(stream, as_attachment=True, filename=name, content_type=KINDS[extension][0])


def photos_page(
    request: HttpRequest,
    owner: Any,
    add: Callable[[list[Checked], list[str]], list[Any]],
    *,
    most: int,
    template: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """The POST of the photos form (`core.photos.PhotosForm`, at most `most`)
    of `owner`: the pictures checked by content (`core.images`), then
    `add(checked, captions)` (the one caption for each); done, a message and
    back to `owner`. A refusal shows `template` again (with `form` and
    `context`), its message under the photos."""
    form = PhotosForm(request.POST, request.FILES, max_count=most)
    if form.is_valid():
        try:
            checked = check_images(form.cleaned_data["photos"])
            added = add(checked, [form.cleaned_data["caption"]] * len(checked))
        except ValidationError as error:
            form.add_error("photos", error)
        else:
            messages.success(
                request, f"Đã nhận {len(added)} ảnh; ảnh sẽ hiện sau ít giây khi xử lý xong."
            )
            return redirect(owner)
    return render(request, template, {"form": form, **context})


IMPORT_STARTED = "Đã nhận file; hệ thống đang kiểm tra và nhập."


def import_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    kind: str,
    title: Callable[[dict[str, Any]], str],
    params: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    started: str = IMPORT_STARTED,
    template: str,
    context: Mapping[str, Any],
) -> HttpResponse:
    """An import page: a valid POST hands the uploaded file (the form's
    "file") to a job of `kind` (`core.jobs.start_job`), titled `title(data)`
    (its first 200 characters), with `params(data)`, and goes to the job's
    page, which shows how the checks and the import went (the message
    `started` says so). Otherwise `template` with `form` and `context`."""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = start_job(
            request.user,
            kind,
            title(data)[:200],
            input_file=data["file"],
            params=params(data) if params else None,
        )
        messages.info(request, started)
        return redirect(job)
    return render(request, template, {"form": form, **context})
