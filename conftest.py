"""Shared test fixtures: the demo district, signed-in clients, the browser."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from danvan.core.demo_users import DEMO_PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run there unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", "test-artifacts"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Transactional tests (the browser tests' live server) end with a flush,
    which the audit log's append-only triggers refuse. In the test database
    only, drop them once the migrations are known to have created them;
    test_audit.py re-creates them to prove they work."""
    from django.db import connection

    migration = importlib.import_module("danvan.core.migrations.0002_audit_append_only")
    down = {"sqlite": migration.SQLITE_DOWN, "postgresql": migration.POSTGRES_DOWN}
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for sql in down.get(connection.vendor, []):
            cursor.execute(sql)


@pytest.fixture(scope="session", autouse=True)
def _cache_per_worker(worker_id: str) -> Iterator[None]:
    """With Redis and several pytest-xdist workers, each worker gets its own Redis
    database: a cache.clear() in one worker must not empty another's counters."""
    import re

    from django.conf import settings
    from django.test import override_settings

    default = settings.CACHES["default"]
    if worker_id == "master" or "redis" not in default["BACKEND"].lower():
        yield
        return
    n = int(worker_id.removeprefix("gw"))
    location = re.sub(r"/(\d+)$", lambda m: f"/{int(m.group(1)) + 1 + n}", str(default["LOCATION"]))
    if location == default["LOCATION"]:
        location = f"{str(default['LOCATION']).rstrip('/')}/{2 + n}"
    with override_settings(CACHES={"default": {**default, "LOCATION": location}}):
        yield


@pytest.fixture(scope="session", autouse=True)
def _media_per_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The files tests write (uploads, exports, the demo's photos) go to a
    folder of the worker's own, never to the checkout's var/media that `make
    run` serves."""
    from django.test import override_settings

    folder = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=folder):
        yield folder


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with empty caches: the shared one (login throttling lives
    there with Redis) and those kept in the process (danvan.core.cache.LocalCache)."""
    from django.core.cache import cache

    from danvan.core.cache import LocalCache

    cache.clear()
    LocalCache.clear_all()
    yield


class _KeptDemo:
    """The demo district, loaded once in a worker and kept in a transaction of
    its own that the tests needing it run inside, each in a savepoint that is
    rolled back after it (as TestCase.setUpTestData keeps class data). It
    saves a load per test (seconds on PostgreSQL). Any other database test
    first rolls the kept demo back, so no test sees data it did not ask for.
    The contest and survey demos on top of it (`full_demo`) are kept the same
    way, in a savepoint of their own inside the demo's transaction: rolled
    back before a test that asks for the demo alone."""

    atomic: Any = None
    connection: Any = None
    result: Any = None
    extras: Any = None  # the savepoint of the contest and survey demos, when kept

    @staticmethod
    def serves(item: pytest.Item) -> bool:
        """Whether the test may run inside the kept demo: it asks for the demo
        and runs in a transaction that can be rolled back."""
        names = set(getattr(item, "fixturenames", ()))
        if "demo" not in names or {"transactional_db", "live_server"} & names:
            return False
        marker = item.get_closest_marker("django_db")
        return not marker or not (marker.args or any(marker.kwargs.values()))

    @staticmethod
    def wants_extras(item: pytest.Item) -> bool:
        return "full_demo" in getattr(item, "fixturenames", ())

    @classmethod
    def open(cls) -> None:
        from django.db import connections

        from danvan.core.demo import load_demo

        cls.atomic, cls.result = _opened(load_demo)
        cls.connection = connections["default"]

    @classmethod
    def open_extras(cls) -> None:
        cls.extras, _loaded = _opened(_load_extras)

    @classmethod
    def drop_extras(cls) -> None:
        if cls.extras is not None:
            extras, cls.extras = cls.extras, None
            cls._roll_back(extras)

    @classmethod
    def drop(cls) -> None:
        if cls.atomic is None:
            return
        cls.drop_extras()
        atomic, cls.atomic, cls.result = cls.atomic, None, None
        cls._roll_back(atomic)
        cls.connection = None

    @classmethod
    def _roll_back(cls, atomic: Any) -> None:
        """Roll `atomic` back, on the connection object the demo was loaded on
        (connections are context-local, and the browser tests run in a context
        of Playwright's)."""
        from django.db import connections, transaction

        current = connections["default"]
        connections["default"] = cls.connection
        try:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
        finally:
            connections["default"] = current


def _opened(load: Any) -> tuple[Any, Any]:
    """An atomic block entered and left open, with what `load()` wrote in it,
    and what `load()` returned. A load that fails is rolled back: nothing
    half-loaded stays."""
    from django.db import transaction

    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        return atomic, load()
    except BaseException:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
        raise


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests the kept demo serves (_KeptDemo) run first, one after another,
    those with the contest and survey demos last among them, so that each is
    loaded once in each worker; the others keep their order."""
    items.sort(key=lambda item: (not _KeptDemo.serves(item), _KeptDemo.wants_extras(item)))


@pytest.fixture(scope="session")
def _kept_demo_session(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    yield
    with django_db_blocker.unblock():
        _KeptDemo.drop()


@pytest.fixture
def _django_db_helper(_demo_gate: None, _django_db_helper: None) -> None:
    """pytest-django's per-test transaction, opened inside the kept demo where
    the test may use it (see _KeptDemo); the kept demo is opened or rolled back
    here, before that transaction begins."""


@pytest.fixture
def _demo_gate(
    request: pytest.FixtureRequest,
    _kept_demo_session: None,
    django_db_blocker: Any,
) -> None:
    with django_db_blocker.unblock():
        if not _KeptDemo.serves(request.node):
            _KeptDemo.drop()
            return
        if _KeptDemo.atomic is None:
            _KeptDemo.open()
        if not _KeptDemo.wants_extras(request.node):
            _KeptDemo.drop_extras()
        elif _KeptDemo.extras is None:
            _KeptDemo.open_extras()


@pytest.fixture
def demo(db: Any) -> Any:
    if _KeptDemo.result is not None:
        return _KeptDemo.result
    from danvan.core.demo import load_demo

    return load_demo()


@pytest.fixture
def full_demo(demo: Any) -> Any:
    """The demo district with its contest and surveys (as `manage.py
    load_demo`), kept between the tests that ask for it as the demo is."""
    if _KeptDemo.extras is None:
        _load_extras()
    return demo


def _load_extras() -> None:
    """The contest and survey demos, on top of the demo district."""
    from danvan.contests.demo import load_contest_demo
    from danvan.surveys.demo import load_survey_demo

    load_contest_demo()
    load_survey_demo()


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Uploaded and generated files (MEDIA_ROOT) go to a folder of the test's
    own, returned. A module asks for it with `pytestmark =
    pytest.mark.usefixtures("media_root")`; an app's conftest makes it autouse
    for all its tests by overriding it (`def media_root(media_root)`). The
    kept demos write no files (the photos are those of the app demos that
    `manage.py load_demo` adds), so a test with its own folder may run inside
    them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def login_as(client: Any) -> Any:
    """login_as("canbo.phunghiep") signs the test client in as a demo user."""
    from django.contrib.auth import get_user_model

    def _login(username: str) -> Any:
        user = get_user_model().objects.get(username=username)
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def staff(client: Any, admin: Any) -> Any:
    """A client signed in as `admin`, the fixture of that name nearest the test
    (an app's board administrator)."""
    client.force_login(admin)
    return client


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            "Browser tests need Debian's Chromium: apt-get install -y chromium "
            "(or set CHROMIUM_PATH). They are not skipped on purpose."
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield b
        # Inside sync_playwright() the tests run in a context of Playwright's,
        # and Django's connections are context-local: the tests since the
        # browser started used connection objects of their own. Close them
        # here, or the last one stays checked out of the PostgreSQL pool and
        # the test database cannot be dropped ("being accessed by other users").
        from django.db import connections

        connections.close_all()
        b.close()


@pytest.fixture
def page_phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="vi-VN"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page_desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Any, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign `username` in on the staff sign-in page as a person does (typing the
    name and the password), and wait for the staff home page it opens."""
    page.goto(base_url + "/quan-ly/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/quan-ly/")


def share_session(page: Any, base_url: str, user: Any) -> Any:
    """Sign `user` in without the sign-in form: a test client is signed in as
    `user` and `page`'s browser gets its session cookie for `base_url`.
    Returns the client (signed in too)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )
    return client


def assert_fits(page: Any, width: int = 390, what: str | None = None) -> None:
    """Nothing on `page` is wider than a screen `width` px wide (no sideways
    scrolling); `what` names the page in the failure (its URL by default)."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{what or page.url} is {scroll_width}px wide"


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
