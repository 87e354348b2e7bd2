"""What each feature app adds to the platform's shared pages and commands.

Core imports no app: an app registers its parts here, in its
`AppConfig.ready`, and core's home page and `manage.py load_demo` collect what
was registered (in the order of INSTALLED_APPS). An app that is not installed
simply adds nothing.

* `register_home_section`: a section of the public home page (an anchor, a
  heading, a lead, the text when there is nothing, and a function returning the
  cards to show, each a title, a link and a short summary). With `menu`, the
  public menu links to it; with `button`, so does a button at the top of the
  home page.
* `register_staff_menu`: entries of the staff menu (after the unit tree's,
  before the administration's), each a label, a URL name and the `nav` value
  of the app's pages that marks it as the current entry.
* `register_follow_up`: an action another app's page offers on a piece of
  the people's words (a survey's written answer, an opinion report): e.g.
  "Chuyển thành kiến nghị", a link to a form prefilled by its query string
  (`nguon`, `noi_dung`, `ghi_chu`, `don_vi`), shown to the users it allows.
  Pages show them with `{% follow_ups source text note unit %}`.
* `register_demo`: a loader of the app's demo data, run by `load_demo` after
  the demo district; it returns lines to print under the demo logins (e.g. the
  address of the demo contest).

An app usually makes these calls, and `core.review.register_review_section`,
in one `register_app_parts` call that lists what it adds.

Other building blocks every app uses live in core too (docs/architecture.md,
"Adding an app").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from danvan.core.demo import Writer
    from danvan.core.review import ReviewSection

    DemoLoader = Callable[[Writer | None], list[str]]


class Card(NamedTuple):
    """An item of a home page list: what public/home.html shows."""

    title: str
    url: str
    summary: str = ""


def open_now_cards(
    model: str, fields: tuple[str, ...], order: str, summary: Callable[[Any], str]
) -> Callable[[], list[Card]]:
    """The cards of the objects of `model` ("app_label.Model") open now (its
    queryset's `open_now()`, core/organised.py), reading only `fields`."""

    def cards() -> list[Card]:
        from django.apps import apps

        qs = apps.get_model(model).objects.open_now().only(*fields).order_by(order)
        return [Card(o.title, o.get_absolute_url(), summary(o)) for o in qs]

    return cards


@dataclass(frozen=True)
class HomeSection:
    anchor: str  # the section's id: "cuoc-thi" (links go to /#cuoc-thi)
    title: str
    lead: str
    empty: str  # shown when there are no cards
    cards: Callable[[], list[Card]]
    menu: str = ""  # label of the entry of the public menu, if any
    button: str = ""  # label of the button at the top of the home page, if any
    link: tuple[str, str] = ("", "")  # (label, URL name) of a link under the cards, if any


class MenuItem(NamedTuple):
    """An entry of the staff menu."""

    nav: str  # the pages whose context has this `nav` mark the entry as current
    label: str
    url_name: str  # e.g. "contests_staff:contest_list"


@dataclass(frozen=True)
class FollowUp:
    """An action on the people's words, offered where they are read."""

    label: str  # "Chuyển thành kiến nghị"
    url_name: str  # a page that reads nguon, noi_dung, ghi_chu, don_vi from its query string
    allowed: Callable[[Any], bool]  # may this user use it?


HOME_SECTIONS: list[HomeSection] = []
FOLLOW_UPS: list[FollowUp] = []
STAFF_MENU: list[MenuItem] = []
DEMO_LOADERS: list[tuple[str, DemoLoader]] = []


def register_home_section(section: HomeSection) -> None:
    """Add (or replace, by anchor) a section of the public home page."""
    for i, known in enumerate(HOME_SECTIONS):
        if known.anchor == section.anchor:
            HOME_SECTIONS[i] = section
            return
    HOME_SECTIONS.append(section)


def register_staff_menu(*items: MenuItem) -> None:
    """Add entries to the staff menu (an entry already there by `nav` is replaced)."""
    for item in items:
        for i, known in enumerate(STAFF_MENU):
            if known.nav == item.nav:
                STAFF_MENU[i] = item
                break
        else:
            STAFF_MENU.append(item)


def register_follow_up(item: FollowUp) -> None:
    """Add (or replace, by URL name) an action on the people's words."""
    for i, known in enumerate(FOLLOW_UPS):
        if known.url_name == item.url_name:
            FOLLOW_UPS[i] = item
            return
    FOLLOW_UPS.append(item)


def register_demo(name: str, loader: DemoLoader) -> None:
    """Add (or replace, by name) the demo loader of an app."""
    for i, (known, _loader) in enumerate(DEMO_LOADERS):
        if known == name:
            DEMO_LOADERS[i] = (name, loader)
            return
    DEMO_LOADERS.append((name, loader))


def register_app_parts(
    label: str,
    *,
    staff_menu: Iterable[MenuItem] = (),
    demo: DemoLoader | None = None,
    home_sections: Iterable[HomeSection] = (),
    follow_ups: Iterable[FollowUp] = (),
    review_sections: Iterable[ReviewSection] = (),
) -> None:
    """Register, from an app's `AppConfig.ready`, what the app labelled
    `label` adds to the shared pages and commands, each list in its order:
    its staff menu entries, its demo loader (registered under `label`), its
    home page sections, its actions on the people's words and its sections of
    the review report (`core.review.register_review_section`).

        register_app_parts(
            "inspections",
            staff_menu=[MenuItem("inspections", "Kiểm tra", "inspections_staff:programme_list")],
            demo=load_demo,
            review_sections=[ReviewSection("inspections", TITLE, 70, inspections_review)],
        )
    """
    from danvan.core.review import register_review_section

    register_staff_menu(*staff_menu)
    if demo is not None:
        register_demo(label, demo)
    for section in home_sections:
        register_home_section(section)
    for follow_up in follow_ups:
        register_follow_up(follow_up)
    for review in review_sections:
        register_review_section(review.key, review.title, review.order, review.compute)
