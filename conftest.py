"""Shared test fixtures: the demo district, signed-in clients, the browser."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

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


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with empty caches: the shared one (login throttling lives
    there with Redis) and those kept in the process (danvan.core.cache.LocalCache)."""
    from django.core.cache import cache

    from danvan.core.cache import LocalCache

    cache.clear()
    LocalCache.clear_all()
    yield


@pytest.fixture
def demo(db: Any) -> Any:
    from danvan.core.demo import load_demo

    return load_demo()


DEMO_PASSWORD = "danvan-demo-2024"


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


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
