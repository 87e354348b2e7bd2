"""The persona matrix: every staff URL of a module tried by named personas.

Each app describes its staff URLs once, as rows of a `Matrix`, and the
personas it tries them with (the owner, a colleague above, a sibling unit's
officer, a read-only viewer...), each with the outcome it expects by kind of
page. The matrix then, for one URL:

- sends the anonymous visitor to sign in (GET, or POST for a POST-only URL);
- gives each persona the answer its profile says (or the row's own table);
- answers a missing object exactly like an object out of scope (404);
- for a POST-only URL: tries the refused personas first (so an allowed write
  does not change what they are refused), checks where an allowed POST
  redirects, and that a GET is refused (405).

`Matrix.assert_covers()` fails when a URL of the module has no row, or a row
names a URL that no longer exists; `Matrix.names` is read by
`core/tests/test_staff_url_walk.py`. A typical test module::

    MATRIX = Matrix.of(
        urls_staff,  # its `app_name` is the namespace
        pages(_contest, view=["contest_detail"], manage=["contest_edit"]),
        pages(None, view=["contest_list"], manage=["contest_add"]),
        {"contest_publish": Row(_contest, MANAGE, method=POST, ok=302)},
    )

    test_every_url_is_covered, test_urls_by_persona = MATRIX.tests()

`Matrix.tests()` gives the test that each URL has a row (`coverage_test`, also
for several matrices at once) and the test that runs each row for each persona
(`Matrix.persona_test`), parametrized by URL name. Row getters are called with
the context arguments given to `check`: the module's fixture (`personas` by
default, holding the accounts by persona in `.users`), or none for tests on the
demo data (`MATRIX.tests("demo", user=demo_user)`).

The apps try their staff URLs with the same five personas around a commune's
own body (`OWNER`, `ADMIN`, `ABOVE`, `SIBLING`, `VIEWER`): `commune_body_personas`
makes them (`commune_body` over the usual test units), `COMMUNE_BODY` gives
their profiles (the default of `Matrix.of`) and `UNIT_OFFICERS` those of a page
that belongs to the commune rather than to its body; `Matrix.assert_list_scoped`
and `Matrix.assert_refused_posts` (`Matrix.refused_posts_test`) are the checks
every app makes with them. The tests on the demo data use its accounts instead
(`DEMO_OWNER`, `DEMO_ABOVE`, `DEMO_SIBLING`, `DEMO_ADMIN`, profiles `DEMO`).

Beside the matrix, what the apps' tests share is in `danvan.core.tests.helpers`
(a review section's units, spreadsheets, files, rows, SQL, races). The
browser's helpers (`sign_in`, `share_session`, `assert_fits`, `screenshot`)
and the `media_root` fixture are the root conftest's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
from django.urls import reverse

from danvan.core import services
from danvan.core.models import Area, AreaKind, Organization, OrgKind, Role, User
from danvan.core.tests.factories import make_commune, make_province, make_staff

VIEW, MANAGE = "view", "manage"
GET, POST = "get", "post"
OK = 0
"""An expected outcome: the row's success status (200, or 302 for a write that redirects)."""
NOT_FOUND = 404
MISSING_PK = 10**9


@dataclass(frozen=True)
class Expect:
    """What one persona gets: on an object's page and on a page without an
    object, by the verb the page needs (OK or a status code)."""

    view: int = OK
    manage: int = OK
    list_view: int = OK
    list_manage: int = OK

    def outcome(self, verb: str, has_object: bool) -> int:
        if has_object:
            return self.view if verb == VIEW else self.manage
        return self.list_view if verb == VIEW else self.list_manage


IN_SCOPE = Expect()
"""The owner and colleagues above: everything answers."""
OUT_OF_SCOPE = Expect(view=NOT_FOUND, manage=NOT_FOUND)
"""A sibling unit's officer: 404 for every object; pages without one show their own scope."""
READ_ONLY = Expect(manage=NOT_FOUND, list_manage=NOT_FOUND)
"""A viewer: opens what it may see, never a page that changes something."""

OWNER, ADMIN, ABOVE, SIBLING, VIEWER = "owner", "admin", "above", "sibling", "viewer"
COMMUNE_BODY = {
    OWNER: IN_SCOPE,
    ADMIN: IN_SCOPE,
    ABOVE: IN_SCOPE,
    SIBLING: OUT_OF_SCOPE,
    VIEWER: READ_ONLY,
}
"""The profiles of the personas of `commune_body_personas`: the owner and the
colleagues above succeed, the sibling gets 404 for every object, the viewer
opens the VIEW pages only."""
UNIT_OFFICERS = {**COMMUNE_BODY, OWNER: Expect(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)}
"""The profiles of a page that belongs to the commune itself, or to another of
its bodies, rather than to the owner's body (a nomination, a petition recorded
by the unit, the Front's coordination plan): the unit's officers (admin, above)
handle it, the body's officer (the owner) gets 404 for every such page; the
sibling and the viewer as in `COMMUNE_BODY`."""

DEMO_OWNER, DEMO_ABOVE, DEMO_SIBLING = "canbo.phunghiep", "bdv.cantho", "canbo.hoaan"
"""Accounts of the demo data (the `demo` fixture): the board administrators of
Xã Phụng Hiệp (31420), of Thành phố Cần Thơ above it, and of the sibling Xã Hòa An."""
DEMO_ADMIN = "admin"
"""The system administrator of the demo data."""
DEMO = {DEMO_OWNER: IN_SCOPE, DEMO_ABOVE: IN_SCOPE, DEMO_SIBLING: OUT_OF_SCOPE}
"""The profiles of the demo accounts: the owner and the colleague above succeed,
the sibling gets 404 for every object of the owner's commune."""
DEMO_JOB = {DEMO_OWNER: OK, DEMO_ADMIN: OK, DEMO_ABOVE: NOT_FOUND, DEMO_SIBLING: NOT_FOUND}
"""The outcomes of the pages of a job started by `DEMO_OWNER` (its detail, its
errors, its file): the person who started it and the system administrator open
them; a colleague above sees the unit, not someone else's job."""


def demo_user(username: str) -> User:
    """The account `username` of the demo data."""
    return User.objects.get(username=username)


def demo_commune(code: str = "31420") -> Area:
    """The current commune `code` of the demo data (the owner's, Xã Phụng Hiệp, by default)."""
    return Area.objects.current().get(code=code, kind=AreaKind.COMMUNE)


def demo_union(commune: Area | None = None) -> Organization:
    """The Women's Union of `commune` (the owner's by default) in the demo data."""
    area = commune or demo_commune()
    return Organization.objects.get(area=area, kind=OrgKind.WOMEN, valid_to__isnull=True)


@dataclass(frozen=True)
class Target:
    """What a row's getter may return instead of an object: URL arguments and a query."""

    args: list[Any] = field(default_factory=list)
    query: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One URL: the object whose pk is its argument (None: no argument), the verb
    it needs, and how it is called.

    - `method`: GET, or POST for a POST-only URL (`data` builds the POST body).
    - `ok`: the status of a success (302 for a write that redirects).
    - `redirect`: where an allowed POST must redirect (a prefix, from the context).
    - `profiles`: persona -> `Expect`, replacing the matrix's profiles for this row.
    - `expected`: persona -> outcome, replacing the profiles for this row.
    """

    get: Callable[..., Any] | None = None
    verb: str = VIEW
    method: str = GET
    data: Callable[..., dict[str, Any]] | None = None
    ok: int = 200
    redirect: Callable[..., str] | None = None
    expected: Mapping[str, int] | None = None
    profiles: Mapping[str, Expect] | None = None


def pages(
    get: Callable[..., Any] | None,
    *,
    view: Iterable[str] = (),
    manage: Iterable[str] = (),
    **options: Any,
) -> dict[str, Row]:
    """The rows of the URLs named in `view` (verb VIEW) and in `manage` (verb
    MANAGE), all about the object `get` gives (None: URLs without an argument)
    and called alike (`options`: the other fields of `Row`)::

        pages(_contest, view=["contest_detail"], manage=["contest_edit", "round_add"])
    """
    by_verb = ((VIEW, view), (MANAGE, manage))
    return {name: Row(get, verb, **options) for verb, names in by_verb for name in names}


def _as_target(obj: Any) -> Target:
    """A getter's answer as URL arguments: a `Target` as it is, an object by its pk."""
    return obj if isinstance(obj, Target) else Target([obj.pk])


def _target(row: Row, context: tuple[Any, ...]) -> Target:
    if row.get is None:
        return Target()
    return _as_target(row.get(*context))


def coverage_test(*matrices: Matrix) -> Callable[[], None]:
    """The test that each of `matrices` has a row for each URL of its module,
    and none for a URL that no longer exists (`Matrix.assert_covers`)::

        test_every_url_is_covered = coverage_test(PETITIONS, DIALOGUES)
    """

    def test_every_url_is_covered() -> None:
        for matrix in matrices:
            matrix.assert_covers()

    return test_every_url_is_covered


@dataclass
class Matrix:
    """The persona table of one URL module (see the module docstring; `Matrix.of`
    makes one from tables of rows such as `pages`)."""

    namespace: str
    urls: ModuleType
    personas: Mapping[str, Expect]
    rows: Mapping[str, Row]
    exempt: Iterable[str] = ()
    owner: str | None = None
    """The persona that asks for a missing object (the first persona by default)."""

    @classmethod
    def of(
        cls,
        urls: ModuleType,
        *tables: Mapping[str, Row],
        personas: Mapping[str, Expect] = COMMUNE_BODY,
        **options: Any,
    ) -> Matrix:
        """The matrix of the URL module `urls` (its `app_name` is the namespace)
        whose rows are those of `tables` (each URL name in one table only),
        tried by `personas` (by default those of `commune_body_personas`);
        `options` are the other fields (`exempt`, `owner`)."""
        rows: dict[str, Row] = {}
        for table in tables:
            assert not rows.keys() & table.keys(), f"rows given twice: {rows.keys() & table.keys()}"
            rows.update(table)
        return cls(urls.app_name, urls, personas=personas, rows=rows, **options)

    @property
    def names(self) -> set[str]:
        return set(self.rows) | set(self.exempt)

    def sorted_names(self, method: str | None = None) -> list[str]:
        return sorted(n for n, r in self.rows.items() if method in (None, r.method))

    def assert_covers(self) -> None:
        names = {p.name for p in self.urls.urlpatterns}
        assert names - self.names == set(), f"{self.urls.__name__}: URLs without a persona row"
        assert self.names - names == set(), "persona rows for URLs that no longer exist"

    def expected(self, name: str) -> dict[str, int]:
        row = self.rows[name]
        if row.expected is not None:
            table = dict(row.expected)
        else:
            has_object = row.get is not None
            profiles = self.personas if row.profiles is None else row.profiles
            table = {p: e.outcome(row.verb, has_object) for p, e in profiles.items()}
        return {p: row.ok if status == OK else status for p, status in table.items()}

    def tests(
        self, fixture: str = "personas", user: Callable[[str], Any] | None = None
    ) -> tuple[Callable[[], None], Callable[..., None]]:
        """The two tests of a module: `coverage_test` and `persona_test`::

        test_every_url_is_covered, test_urls_by_persona = MATRIX.tests()
        """
        return coverage_test(self), self.persona_test(fixture, user)

    def persona_test(
        self, fixture: str = "personas", user: Callable[[str], Any] | None = None
    ) -> Callable[..., None]:
        """The test that runs each row (`check`), parametrized by URL name, with
        the fixture `fixture`. Without `user`, the fixture holds the accounts by
        persona in `.users` and is the context of the rows; with `user`,
        `user(persona)` gives the account and the rows take no context (tests on
        the demo data: `MATRIX.persona_test("demo", user=demo_user)`)."""

        @pytest.mark.parametrize("name", self.sorted_names())
        @pytest.mark.usefixtures(fixture)  # named before the run: the kept demo serves "demo"
        def test_urls_by_persona(name: str, request: Any, client: Any) -> None:
            value = request.getfixturevalue(fixture)
            if user is None:
                self.check(client, name, value.users.__getitem__, value)
            else:
                self.check(client, name, user)

        return test_urls_by_persona

    def assert_list_scoped(
        self, client: Any, users: Mapping[str, Any], page: str, obj: Any, search: str
    ) -> None:
        """`assert_list_scoped` on the list page `page` of the namespace (whose
        `<page minus _list>_detail` page is `obj`'s) for the personas of
        `commune_body_personas`: hidden from the SIBLING, found by ABOVE."""
        assert page.endswith("_list"), page
        detail = f"{self.namespace}:{page.removesuffix('_list')}_detail"
        assert_list_scoped(
            client,
            reverse(f"{self.namespace}:{page}"),
            obj,
            reverse(detail, args=[obj.pk]),
            hidden_from=users[SIBLING],
            shown_to=users[ABOVE],
            search=search,
        )

    def list_scoped_test(
        self, page: str, get: Callable[[Any], Any], search: str
    ) -> Callable[..., None]:
        """The test of a module with a `personas` fixture that the list page
        `page` hides the object `get(personas)` from the SIBLING and finds it
        for ABOVE by `search` (`assert_list_scoped`)::

            test_sibling_list_never_shows_the_plan = MATRIX.list_scoped_test(
                "plan_list", lambda p: p.plan, "tuyen truyen"
            )
        """

        def test_sibling_list_never_shows_the_object(personas: Any, client: Any) -> None:
            self.assert_list_scoped(client, personas.users, page, get(personas), search)

        return test_sibling_list_never_shows_the_object

    def assert_refused_posts(
        self,
        client: Any,
        users: Mapping[str, Any],
        name: str,
        obj: Any,
        data: Mapping[str, Any],
        state: Callable[[], Any],
    ) -> None:
        """`assert_posts_change_nothing` for the page `name` of `obj` (or of the
        URL arguments of a `Target`), POSTed `data` by the SIBLING and the
        VIEWER of `commune_body_personas`."""
        assert_posts_change_nothing(
            client,
            [reverse(f"{self.namespace}:{name}", args=_as_target(obj).args)],
            [users[SIBLING], users[VIEWER]],
            data,
            state,
        )

    def refused_posts_test(
        self,
        cases: Mapping[str, Callable[[Any], Any]],
        data: Mapping[str, Any],
        state: Callable[[Any], Any],
    ) -> Callable[..., None]:
        """The test of a module with a `personas` fixture that each page of
        `cases` (url name -> the object, or `Target`, it is POSTed for, from the fixture),
        POSTed `data` out of scope (`assert_refused_posts`), leaves
        `state(personas)` as it was::

            test_out_of_scope_posts_change_nothing = MATRIX.refused_posts_test(
                {"contest_edit": _contest, "round_edit": _round}, {"title": "X"}, _state
            )
        """

        @pytest.mark.parametrize("name", list(cases))
        def test_out_of_scope_posts_change_nothing(name: str, personas: Any, client: Any) -> None:
            obj = cases[name](personas)
            self.assert_refused_posts(
                client, personas.users, name, obj, data, lambda: state(personas)
            )

        return test_out_of_scope_posts_change_nothing

    def assert_viewer_sees_no(
        self, client: Any, users: Mapping[str, Any], page: str, obj: Any, links: Iterable[str]
    ) -> str:
        """The VIEWER of `commune_body_personas` opens the page `page` of `obj`
        and finds no link to its pages `links` (the buttons of those who
        manage it); returns the page's text."""
        client.force_login(users[VIEWER])
        body = client.get(reverse(f"{self.namespace}:{page}", args=[obj.pk])).content.decode()
        for name in links:
            assert reverse(f"{self.namespace}:{name}", args=[obj.pk]) not in body, name
        return body

    def check(self, client: Any, name: str, user: Callable[[str], Any], *context: Any) -> None:
        """Run the row `name`: `user(persona)` gives the account of a persona."""
        row = self.rows[name]
        target = _target(row, context)
        url = reverse(f"{self.namespace}:{name}", args=target.args)
        send = client.post if row.method == POST else client.get

        def data() -> dict[str, Any]:
            # Built afresh for each request: an uploaded file is read once.
            return row.data(*context) if row.data else target.query

        response = send(url, data())
        assert response.status_code == 302, f"anonymous on {url}"
        assert response["Location"].startswith(reverse("staff:login")), url

        expected = self.expected(name)
        if row.method == POST:  # the refused first: an allowed write must not change their answer
            expected = dict(sorted(expected.items(), key=lambda item: item[1] != NOT_FOUND))
        for persona, status in expected.items():
            client.force_login(user(persona))
            response = send(url, data())
            assert response.status_code == status, f"{persona} on {url}"
            if row.method == POST and status == row.ok:
                if row.redirect is not None:
                    assert response["Location"].startswith(row.redirect(*context)), url
                assert client.get(url).status_code == 405, f"{persona}: GET on {url}"
            client.logout()

        if target.args:  # a missing object answers exactly like an object out of scope
            client.force_login(user(self.owner or next(iter(self.personas))))
            # The object itself missing (the last argument; those before it,
            # e.g. its practice, stay real).
            args = [*target.args[:-1], MISSING_PK]
            missing = reverse(f"{self.namespace}:{name}", args=args)
            assert send(missing, row.data(*context) if row.data else {}).status_code == 404
            client.logout()


def assert_posts_change_nothing(
    client: Any,
    urls: Iterable[str],
    users: Iterable[Any],
    data: Mapping[str, Any],
    state: Callable[[], Any],
) -> None:
    """Each of `users` POSTing `data` to each URL gets 404 and `state()` is unchanged."""
    before = state()
    for url in urls:
        for user in users:
            client.force_login(user)
            assert client.post(url, data).status_code == 404, f"{user} POST {url}"
    assert state() == before


def assert_list_scoped(
    client: Any,
    list_url: str,
    obj: Any,
    detail_url: str,
    *,
    hidden_from: Any,
    shown_to: Any,
    search: str,
) -> None:
    """The staff list at `list_url` never names `obj` (its title, its link) to
    `hidden_from`, and finds it for `shown_to` by the words `search` (diacritics
    left out, as people type)."""
    client.force_login(hidden_from)
    body = client.get(list_url).content.decode()
    assert detail_url not in body and obj.title not in body
    client.force_login(shown_to)
    assert detail_url in client.get(list_url, {"q": search}).content.decode()


def commune_body_personas(
    commune: Area,
    province: Area,
    other_commune: Area,
    name: str = "Ban Dân vận Đảng ủy xã Phụng Hiệp",
) -> tuple[Organization, dict[str, Any]]:
    """The Ban Dân vận of `commune` (a commune body) and its personas:

    - owner:   the org officer of the body
    - admin:   the board administrator of `commune` (the body's area)
    - above:   the board administrator of `province`, above the commune
    - sibling: the board administrator of `other_commune`, a sibling commune
    - viewer:  a read-only viewer of `commune` (sees, never changes)
    """
    body = services.create_organization(name=name, kind=OrgKind.MOBILISATION_BOARD, area=commune)
    users = {
        OWNER: make_staff("p.owner", Role.ORG_OFFICER, organization=body),
        ADMIN: make_staff("p.admin", Role.BOARD_ADMIN, area=commune),
        ABOVE: make_staff("p.above", Role.BOARD_ADMIN, area=province),
        SIBLING: make_staff("p.sibling", Role.BOARD_ADMIN, area=other_commune),
        VIEWER: make_staff("p.viewer", Role.VIEWER, area=commune),
    }
    return body, users


@dataclass
class CommuneBody:
    """What `commune_body` makes: the units, the body and its personas' accounts."""

    province: Area
    commune: Area
    other: Area
    body: Organization
    users: dict[str, Any]


def commune_body() -> CommuneBody:
    """`commune_body_personas` over the usual test units: Xã Phụng Hiệp (31420)
    of Thành phố Cần Thơ (92), and its sibling commune Xã Hòa An (31393)."""
    province = make_province("92", "Thành phố Cần Thơ")
    commune = make_commune(province, "Xã Phụng Hiệp", "31420")
    other = make_commune(province, "Xã Hòa An", "31393")
    body, users = commune_body_personas(commune, province, other)
    return CommuneBody(province, commune, other, body, users)
