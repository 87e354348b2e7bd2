"""The settings' own helpers: yes/no values read strictly, error reporting off by
default and started only when a DSN is given; the benchmark's views stay out of
the application's URLs."""

from __future__ import annotations

import logging
import sys
import types
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import Resolver404, resolve

from danvan import settings as danvan_settings
from danvan.settings import env_bool, init_error_reporting


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " On "])
def test_env_bool_reads_yes(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DANVAN_TEST_FLAG", value)
    assert env_bool("DANVAN_TEST_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "Off"])
def test_env_bool_reads_no(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("DANVAN_TEST_FLAG", value)
    assert env_bool("DANVAN_TEST_FLAG", True) is False


@pytest.mark.parametrize("value", [None, "", "  "])
def test_env_bool_unset_or_empty_is_the_default(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("DANVAN_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("DANVAN_TEST_FLAG", value)
    assert env_bool("DANVAN_TEST_FLAG", True) is True
    assert env_bool("DANVAN_TEST_FLAG", False) is False


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled", "0n"])
def test_env_bool_refuses_what_it_does_not_know(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """HTTPS=ture used to read as "off": secure cookies silently gone."""
    monkeypatch.setenv("HTTPS", value)
    with pytest.raises(ImproperlyConfigured, match="HTTPS"):
        env_bool("HTTPS", True)


def test_error_reporting_is_off_by_default() -> None:
    # The test environment sets no SENTRY_DSN, as a fresh deployment.
    assert danvan_settings.SENTRY_DSN == ""


def test_error_reporting_starts_sentry_without_personal_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []
    fake = types.ModuleType("sentry_sdk")
    fake.init = lambda **kwargs: calls.append(kwargs)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sentry_sdk", fake)
    assert init_error_reporting("https://key@errors.example.vn/1", "staging") is True
    assert calls == [
        {
            "dsn": "https://key@errors.example.vn/1",
            "environment": "staging",
            "send_default_pii": False,
            "max_request_body_size": "never",
            "include_local_variables": False,
        }
    ]


def test_error_reporting_without_sentry_sdk_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "sentry_sdk", None)  # import fails
    with caplog.at_level(logging.ERROR, logger="danvan.settings"):
        assert init_error_reporting("https://key@errors.example.vn/1", "production") is False
    assert "sentry-sdk is not installed" in caplog.text


@pytest.mark.parametrize("path", ["/bench/b0/", "/bench/b2/", "/bench/cuoc-thi/hang/1/"])
def test_the_application_does_not_route_to_bench_views(path: str) -> None:
    with pytest.raises(Resolver404):
        resolve(path, urlconf="danvan.urls")
