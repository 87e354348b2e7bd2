"""Hostile input in every form: no answer is ever a 500.

The pages are found by walking the site from its entry points (the staff
workspace signed in as the demo's system administrator, who reaches every staff
page; the public site as a visitor and as a participant of the demo contest),
one page per URL name of the URLconf (the names `test_staff_url_walk` lists).
Each page's <form>s are parsed and posted back with every field in turn holding
hostile text, the other fields keeping what the page offered. A handful of the
riskiest fields (a survey's long-text and "Khác" answers, the contest
registration, an opinion report, the attempt's JSON autosave) get the full
corpus.

NUL is the case that matters on PostgreSQL (SQLite stores it): this module
runs in both stages of CI, and fails on PostgreSQL without the cleaning in
`danvan.core.middleware.CleanInputMiddleware` / `danvan.core.text.clean_json`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_plus, urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from danvan.core.tests.test_staff_url_walk import _walk
from danvan.core.text import clean_json, clean_text

# In a test transaction, the demos kept (conftest's `full_demo`): a request that
# breaks PostgreSQL's transaction fails the test as a 500 would.
pytestmark = pytest.mark.django_db

# One value with a bit of everything (NUL and the other C0 controls, DEL, a lone
# surrogate -- sent form-encoded as %ED%A0%80 --, an RTL override, markup, SQL-ish
# quotes, a formula, emoji and stacked combining marks), and raw invalid UTF-8.
MIXED = (
    "a\x00b\x01\x08\x0b\x1b\x1f\x7f\x85 \ud800 \u202eevil\u202c "
    "<script>alert(1)</script> ' OR '1'='1\"; -- =cmd|' /C calc'!A0 😀👍🏽 e\u0301\u0323"
)
INVALID_UTF8 = b"\xff\xfe\x00\xc0\xaf\xed\xa0\x80"
QUICK: list[str | bytes] = [MIXED, INVALID_UTF8]
CORPUS: list[str | bytes] = [
    *QUICK,
    "\x00",
    "Nguyễn\x00Văn A",
    "".join(chr(c) for c in range(1, 32)),
    "\ud800\udfff",
    "\u202e\u2066ấp\u2069\u202c",
    "x" * 100_000,
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "<script>alert(1)</script>",
    "'; DROP TABLE core_area; --",
    "\\'\\\"%_",
    "😀" * 500,
    "a" + "\u0301" * 5000,
    b"\x80\x81\xfe\xff",
]
OK = {200, 302, 400, 403, 404, 405, 409, 410, 429}


# --- Forms ----------------------------------------------------------------------------


@dataclass
class Form:
    page: str  # the URL of the page that shows it
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what the page offers
    names: list[str] = field(default_factory=list)  # every named control, once


class FormParser(HTMLParser):
    """The <form>s of a page and their controls, as a browser would submit them
    untouched (checked boxes, selected options, the first radio of each group and
    the first named submit button)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self._textarea: tuple[str, list[str]] | None = None
        self._radios: set[str] = set()
        self._button = False

    def _name(self, name: str) -> None:
        assert self._form is not None
        if name and name not in self._form.names:
            self._form.names.append(name)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = Form(
                page=self.page,
                action=urljoin(self.page, a.get("action") or self.page),
                method=(a.get("method") or "get").lower(),
            )
            self._radios = set()
            self._button = False
            return
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            self._name(name)
            if not name or kind in ("file", "image", "reset"):
                return
            if kind in ("submit", "button"):
                if kind == "submit" and not self._button:
                    self._button = True
                    self._form.fields.append((name, a.get("value", "")))
                return
            if kind == "radio":
                if "checked" in a or name not in self._radios:
                    self._form.fields = [f for f in self._form.fields if f[0] != name]
                    self._form.fields.append((name, a.get("value", "on")))
                    self._radios.add(name)
                return
            if kind == "checkbox":
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
                return
            self._form.fields.append((name, a.get("value", "")))
        elif tag == "button":
            self._name(name)
            if a.get("type", "submit").lower() == "submit" and not self._button:
                self._button = True
                if name:
                    self._form.fields.append((name, a.get("value", "")))
        elif tag == "textarea":
            self._name(name)
            self._textarea = (name, [])
        elif tag == "select":
            self._name(name)
            self._select = (name, [], [])
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select[1].append(value)
            if "selected" in a:
                self._select[2].append(value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            if self._textarea[0]:
                self._form.fields.append((self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            name, options, selected = self._select
            chosen = selected or [next((o for o in options if o), "")]
            if name:
                self._form.fields += [(name, v) for v in chosen]
            self._select = None
        elif tag == "form":
            self.forms.append(self._form)
            self._form = None


def encode(pairs: list[tuple[str, str | bytes]]) -> str:
    """application/x-www-form-urlencoded, lone surrogates and raw bytes included."""
    return "&".join(
        f"{quote_plus(k)}={quote_plus(v, encoding='utf-8', errors='surrogatepass')}"
        if isinstance(v, str)
        else f"{quote_plus(k)}={quote_plus(v)}"
        for k, v in pairs
    )


def route(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}"


def parse(client: Client, url: str) -> FormParser:
    """The forms and links of the page at `url` (none for what is not an HTML page)."""
    parser = FormParser(url)
    response = client.get(url)
    assert response.status_code < 500, f"GET {url}: {response.status_code}"
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        parser.feed(response.content.decode())
    return parser


def page_forms(client: Client, url: str) -> list[Form]:
    forms = parse(client, url).forms
    assert forms, f"no form on {url}"
    return forms


PER_ROUTE = 4  # pages visited per URL name: a draft survey, a commune, ... beside the first


def crawl(client: Client, starts: list[str], prefixes: tuple[str, ...]) -> list[Form]:
    """Pages reachable by links from `starts` under `prefixes`, a few per URL name,
    and their forms (one per page route, action route and set of controls)."""
    queue, forms, keys = list(starts), [], set()
    visited: dict[str, int] = {}
    done: set[str] = set()
    while queue:
        url = queue.pop(0)
        name = route(url)
        if name is None or url in done or visited.get(name, 0) >= PER_ROUTE:
            continue
        done.add(url)
        visited[name] = visited.get(name, 0) + 1
        parser = parse(client, url)
        for form in parser.forms:
            key = (name, route(form.action), form.method, *sorted(form.names))
            if key not in keys and urlsplit(form.action).path.startswith(prefixes):
                keys.add(key)
                forms.append(form)
        for href in parser.links:
            target = urljoin(url, href).split("#")[0]
            parts = urlsplit(target)
            if not parts.netloc and parts.path.startswith(prefixes):
                queue.append(target)
    return forms


def controls(forms: list[Form]) -> list[tuple[Form, str]]:
    """Each control of the forms once (a group of checkboxes is one), the CSRF token aside."""
    return [
        (form, name)
        for form in forms
        for name in dict.fromkeys(form.names)
        if name != "csrfmiddlewaretoken"
    ]


def variants(form: Form, name: str, corpus: list[str | bytes]) -> Iterator[list[Any]]:
    """The form's own values with the control `name` holding each hostile value."""
    others = [(k, v) for k, v in form.fields if k != name]
    for value in corpus:
        yield [*others, (name, value)]


def send(client: Client, form: Form, pairs: list[Any]) -> Any:
    body = encode(pairs)
    if form.method == "post":
        return client.post(form.action, body, content_type="application/x-www-form-urlencoded")
    return client.get(f"{urlsplit(form.action).path}?{body}")


def fuzz(
    client: Client,
    forms: list[Form],
    corpus: list[str | bytes],
    relogin: Any,
    part: tuple[int, int] = (0, 1),
) -> list[str]:
    """What the forms answered that is not in OK, each control holding each
    value of `corpus` in turn. With `part` (k, n): only the k-th of every n
    controls, so that n tests share the work evenly."""
    failures = []
    for form, name in controls(forms)[part[0] :: part[1]]:
        for pairs in variants(form, name, corpus):
            relogin()
            response = send(client, form, pairs)
            if response.status_code not in OK:
                value = pairs[-1][1]
                failures.append(
                    f"{form.method.upper()} {form.action} [{name}={value!r:.40}] "
                    f"(form of {form.page}): {response.status_code}"
                )
    return failures


# --- The cleaning itself ----------------------------------------------------------------


def test_clean_text_keeps_text_and_drops_control_characters() -> None:
    assert clean_text("Nguyễn\x00 Văn\x1b A\x7f\x85") == "Nguyễn Văn A"
    assert clean_text("dòng 1\r\n\tdòng 2") == "dòng 1\r\n\tdòng 2"
    assert clean_text("a\ud800b\udfff") == "ab"
    # Text that is only unusual stays as it is.
    for text in ("\u202eevil\u202c", "😀👍🏽", "e\u0301\u0323", "=cmd|' /C calc'!A0"):
        assert clean_text(text) == text
    assert clean_json({"a\x00": ["b\x00", 1, None, {"c": "\ud800d"}]}) == {
        "a": ["b", 1, None, {"c": "d"}]
    }


def test_middleware_cleans_query_form_and_cookies(client: Client) -> None:
    """The cleaned values are what the views read: NUL and other controls gone,
    file uploads untouched."""
    from django.http import HttpRequest

    from danvan.core.middleware import CleanInputMiddleware

    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> Any:
        seen["get"] = request.GET.getlist("q")
        seen["post"] = dict(request.POST.lists())
        seen["cookie"] = request.COOKIES.get("c")
        seen["file"] = request.FILES["f"].read()
        from django.http import HttpResponse

        return HttpResponse()

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    request = RequestFactory().post(
        "/?q=a%00b&q=c%1Bd",
        {"t\x00": ["x\x00y", "dòng\r\n2\t"], "f": SimpleUploadedFile("a.bin", b"\x00\x01")},
    )
    request.COOKIES["c"] = "v\x00w"
    CleanInputMiddleware(view)(request)
    assert seen == {
        "get": ["ab", "cd"],
        "post": {"t": ["xy", "dòng\r\n2\t"]},
        "cookie": "vw",
        "file": b"\x00\x01",
    }
    assert not request.GET._mutable and not request.POST._mutable  # type: ignore[attr-defined]


def test_a_control_character_in_the_path_is_a_404(client: Client) -> None:
    assert client.get("/khao-sat/%00/").status_code == 404
    assert client.get("/cuoc-thi/bai/%00aaaaaaaaaaaaaaaaaaaaaaa/").status_code == 404


# --- Every form -------------------------------------------------------------------------


STAFF_SHARDS = 3  # the staff forms are sent in this many tests, so pytest-xdist can spread them


@pytest.mark.parametrize("shard", range(STAFF_SHARDS))
def test_every_staff_form_survives_hostile_input(full_demo: Any, shard: int) -> None:
    from danvan.core.models import User

    admin = User.objects.get(username="admin")
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    # A draft survey (the builder's pages) and a draft opinion report of the admin.
    from danvan.surveys.models import Survey
    from danvan.surveys.tests.test_results_personas import draft_report

    survey = Survey.objects.order_by("pk").first()
    assert survey is not None
    copied = client.post(f"/quan-ly/khao-sat/{survey.pk}/nhan-ban/")
    assert copied.status_code == 302, copied.status_code
    report = draft_report()
    report.author = admin
    report.save()
    forms = crawl(client, ["/quan-ly/", copied["Location"]], ("/quan-ly/",))

    staff_routes = {
        f"{ns}:{name}" for r, ns, name in _walk(_resolver()) if r.startswith("quan-ly/")
    }
    pages = {route(f.page) for f in forms}
    # The pages where staff type text are all reached by the walk.
    for name in (
        "staff:hamlet_add",
        "staff:org_add",
        "staff:role_grant",
        "staff:area_rename",
        "staff:account_list",
        "contests_staff:contest_add",
        "contests_staff:question_add",
        "contests_staff:round_edit",
        "surveys_staff:survey_add",
        "surveys_staff:question_add",
        "surveys_staff:question_edit",
        "surveys_staff:section_edit",
        "opinion:report_add",
        "opinion:report_edit",
    ):
        assert name in staff_routes, name
        assert name in pages, f"the walk did not reach {name}"
    assert len(forms) > 40

    failures = fuzz(
        client, forms, QUICK, lambda: client.force_login(admin), part=(shard, STAFF_SHARDS)
    )
    assert failures == []


def test_every_public_form_survives_hostile_input(full_demo: Any) -> None:
    from danvan.contests.demo import SLUG
    from danvan.contests.models import Contest, Participant
    from danvan.contests.public_helpers import participant_key

    contest = Contest.objects.get(slug=SLUG)
    participant = Participant.objects.filter(contest=contest).first()
    assert participant is not None

    def as_participant() -> None:
        session = client.session
        session[participant_key(contest.pk)] = participant.pk
        session[f"contest:{contest.pk}:verified"] = True
        session.save()

    client = Client(raise_request_exception=False)
    visitor = crawl(client, ["/", "/cuoc-thi/", "/khao-sat/", "/quan-ly/dang-nhap/"], ("/",))
    as_participant()
    started = _start_round(client, contest)
    mine = crawl(client, [f"/cuoc-thi/{SLUG}/", started], ("/cuoc-thi/",))
    # The pages of the demo surveys, once started as the page offers.
    pages = []
    for form in visitor:
        if route(form.action) == "surveys:take":
            response = send(client, form, form.fields)
            if response.status_code == 302:
                pages.append(response["Location"])
    assert pages, "no demo survey could be started"
    forms = visitor + mine + crawl(client, pages, ("/khao-sat/",))
    actions = {route(f.action) for f in forms}
    for name in (
        "contests:register",
        "contests:signin",
        "contests:attempt",
        "surveys:take",
        "surveys:page",
        "staff:login",
    ):
        assert name in actions, f"no form posts to {name}"

    failures = fuzz(client, forms, QUICK, as_participant)
    assert failures == []


def _start_round(client: Client, contest: Any) -> str:
    """The attempt page of a round started by the participant in the session."""
    for rnd in contest.rounds.order_by("number"):
        response = client.post(f"/cuoc-thi/{contest.slug}/dot/{rnd.number}/bat-dau/")
        if response.status_code == 302 and "/bai/" in response["Location"]:
            return response["Location"]
    raise AssertionError("no round of the demo contest could be started")


def _resolver() -> list[Any]:
    from django.urls import get_resolver

    return get_resolver().url_patterns


# --- The riskiest fields, with the whole corpus -------------------------------------------


def test_survey_answers_take_the_whole_corpus(db: Any) -> None:
    """A long-text answer and a "Khác" answer, sent for real (action=submit)."""
    from django.core.cache import cache

    from danvan.surveys.models import Kind
    from danvan.surveys.tests import factories

    survey = factories.make_survey(kinds=[Kind.LONG_TEXT, Kind.SINGLE, Kind.SHORT_TEXT], sections=1)
    long_text = factories.question_of(survey, Kind.LONG_TEXT)
    single = factories.question_of(survey, Kind.SINGLE)
    short = factories.question_of(survey, Kind.SHORT_TEXT)
    failures = []
    for value in CORPUS:
        for name in (f"q{long_text.pk}", f"q{single.pk}_other", f"q{short.pk}"):
            cache.clear()  # the submit rate limit
            client = Client(raise_request_exception=False)
            take = client.post(survey.get_absolute_url(), {})
            assert take.status_code == 302, take.status_code
            pairs: list[Any] = [
                (f"q{long_text.pk}", "Ý kiến"),
                (f"q{single.pk}", "other"),
                (f"q{single.pk}_other", "Khác"),
                (f"q{short.pk}", "Ngắn"),
                ("action", "submit"),
            ]
            pairs = [(k, v) for k, v in pairs if k != name] + [(name, value)]
            response = client.post(
                take["Location"], encode(pairs), content_type="application/x-www-form-urlencoded"
            )
            if response.status_code not in OK:
                failures.append(f"{name}={value!r:.30}: {response.status_code}")
    assert failures == []


def test_registration_and_opinion_report_take_the_whole_corpus(full_demo: Any) -> None:
    """Every field of the contest registration and of an opinion report (long
    free texts that end up in exports), with every hostile value."""
    from danvan.contests.demo import SLUG
    from danvan.core.models import User

    visitor = Client(raise_request_exception=False)
    forms = [f for f in page_forms(visitor, f"/cuoc-thi/{SLUG}/dang-ky/") if f.method == "post"]
    officer = User.objects.get(username="canbo.phunghiep")
    staff = Client(raise_request_exception=False)
    staff.force_login(officer)
    reports = [f for f in page_forms(staff, "/quan-ly/du-luan/them/") if f.method == "post"]
    assert forms and reports
    from django.core.cache import cache

    failures = fuzz(visitor, forms, CORPUS, cache.clear)
    failures += fuzz(staff, reports, CORPUS, lambda: staff.force_login(officer))
    assert failures == []


def test_contest_autosave_json_takes_the_whole_corpus(full_demo: Any) -> None:
    from danvan.contests.demo import SLUG
    from danvan.contests.models import Contest, Participant
    from danvan.contests.public_helpers import participant_key

    contest = Contest.objects.get(slug=SLUG)
    participant = Participant.objects.filter(contest=contest).first()
    client = Client(raise_request_exception=False)
    session = client.session
    session[participant_key(contest.pk)] = participant.pk  # type: ignore[union-attr]
    session[f"contest:{contest.pk}:verified"] = True
    session.save()
    attempt_url = _start_round(client, contest)
    save_url = attempt_url.rstrip("/") + "/luu/"
    failures = []
    for value in [v for v in CORPUS if isinstance(v, str)]:
        for payload in (
            {"answers": {value: [1]}, "prediction": value},
            {"answers": {"1": [value]}, "prediction": 1},
            {value: value},
        ):
            from django.core.cache import cache

            cache.clear()  # the autosave rate limit
            body = json.dumps(payload, ensure_ascii=True)
            response = client.post(save_url, body, content_type="application/json")
            if response.status_code not in OK:
                failures.append(f"{payload!r:.60}: {response.status_code}")
    assert failures == []
