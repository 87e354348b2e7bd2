"""Staff lists, the same way in every app: a filter form, a search that ignores
diacritics, pages of PAGE_SIZE rows.

    form = ContestFilterForm(request.GET or None)
    qs = Contest.objects.visible_to(request.user).order_by("-starts_at", "-pk")
    return list_page(request, "contests/staff/contest_list.html", filter_list(qs, form),
                     form=form, nav=NAV)

The template gets `form`, `page_obj` and `querystring` (the filters and the
search without the page number), and includes "staff/_pagination.html".

`StaffRequest` is the type of a request behind `login_required`, for the type
checker: its user is a signed-in staff `User`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Choices
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from danvan.core.models import User
from danvan.core.text import filter_by_title, search_terms

PAGE_SIZE = 25


class StaffRequest(HttpRequest):
    """A request behind login_required: the user is a signed-in staff User."""

    user: User  # type: ignore[assignment]


def paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> tuple[Page, str]:
    """The page of `items` asked for by ?page= (the last one when out of range),
    and the query string of the other parameters, for the links to other pages."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return page, urlencode(params)


def list_page(request: HttpRequest, template: str, items: Any, **context: Any) -> HttpResponse:
    """A staff list page: the page of `items` asked for, with `context`."""
    page, querystring = paginate(request, items)
    return render(request, template, {"page_obj": page, "querystring": querystring, **context})


def filter_list(
    qs: Any, form: Form, *, exact: Iterable[str] = ("status",), search: str = "q"
) -> Any:
    """`qs` narrowed by a valid filter form: each field named in `exact` that has
    a value filters on the field of the same name; then, when the `search` field
    has words, only the items whose `.title` contains every one of them, ignoring
    diacritics and case. That search runs in Python (a list, no longer a
    queryset): it is meant for the short lists of a unit (contests, surveys)."""
    if not form.is_valid():
        return qs
    qs = filter_exact(qs, form, exact)
    data = form.cleaned_data
    if search_terms(data.get(search) or ""):
        return filter_by_title(qs, data[search])
    return qs


def filter_exact(qs: Any, form: Form, names: Iterable[str]) -> Any:
    """`qs` narrowed by a valid filter form: each field named in `names` that
    has a value filters on the model field of the same name. An invalid form
    filters nothing."""
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    for name in names:
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    return qs


def status_filter(
    request: HttpRequest, qs: Any, statuses: type[Choices]
) -> tuple[Any, dict[str, Any]]:
    """`qs` narrowed to the status asked by ?status= when it is one of
    `statuses`, and what the filter "staff/_status_filter.html" shows:
    `status` (as asked) and `statuses` (the choices)::

        qs, chosen = status_filter(request, qs, DeedStatus)
        return list_page(request, template, qs, nav=NAV, **chosen)
    """
    status = request.GET.get("status", "")
    chosen = {"status": status, "statuses": statuses.choices}
    return by_choice(qs, "status", status, statuses), chosen


def by_choice(qs: Any, field: str, value: str, choices: type[Choices]) -> Any:
    """`qs` narrowed to `field` = `value` when `value` is one of `choices`
    (a value asked by the query string); any other value filters nothing."""
    return qs.filter(**{field: value}) if value in choices.values else qs


def filter_tree(qs: Any, form: Form) -> Any:
    """The list of one of the two trees (areas, organisations) narrowed by a valid
    filter form: `q` (the tree's own search), `kind`, `area` (under that unit)
    when the form has it, and `status`: in force (the default), "ended" or "all"."""
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("q"):
        qs = qs.search(data["q"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("area"):
        qs = qs.filter(area__path__startswith=data["area"].path)
    status = data.get("status", "")
    if status == "ended":
        return qs.filter(valid_to__isnull=False)
    if status != "all":
        return qs.filter(valid_to__isnull=True)
    return qs


def tree_list_page(
    request: HttpRequest, template: str, visible: Any, form: Form, *, related: str, **context: Any
) -> HttpResponse:
    """The list page of one of the two trees (areas, organisations): the units
    `visible` to the user narrowed by the filter `form` (`filter_tree`), by
    path, each with its `related` row; on a first visit, the ended units
    instead when none is in force (`history_instead`)."""
    if (elsewhere := history_instead(request, visible)) is not None:
        return elsewhere
    qs = filter_tree(visible, form).select_related(related).order_by("path")
    return list_page(request, template, qs, form=form, **context)


ALL_HISTORY = (
    "Các đơn vị trong phạm vi của bạn đều đã ngừng hoạt động (sau sắp xếp đơn vị hành "
    "chính): dưới đây là danh sách lịch sử của chúng. Số liệu mới được tính cho đơn vị "
    "kế thừa."
)


def history_instead(request: HttpRequest, visible: Any) -> HttpResponse | None:
    """On the first visit to a list of one of the two trees (no filter yet),
    someone whose units have all ended (a read-only inspector of a former
    district) would meet an empty "in force" list: send them to the ended ones,
    saying why. `visible`: the units they may see, in force or not."""
    if request.GET or visible.filter(valid_to__isnull=True).exists():
        return None
    if not visible.exists():
        return None
    messages.info(request, ALL_HISTORY)
    return redirect(f"{request.path}?status=ended")
