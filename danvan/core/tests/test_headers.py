"""Security headers (Content-Security-Policy, no-store on staff pages) and the
public uploaded images served with DEBUG off; in the browser, that the pages
keep the policy and their scripts still work."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from danvan.contests.tests import factories as contest_factories
from danvan.core.models import Role
from danvan.core.tests.factories import make_staff
from danvan.surveys.tests import factories as survey_factories


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 4), "#a3131a").save(out, format="PNG")
    return out.getvalue()


# --- Headers --------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_page_has_the_content_security_policy(client: Client, login_as: Any) -> None:
    for url in ("/", "/cuoc-thi/", "/quan-ly/dang-nhap/", "/khong-co-trang-nay/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy and "unsafe-inline" not in policy
        for directive in (
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ):
            assert directive in policy


def test_no_inline_script_handler_or_style_in_any_template_or_script() -> None:
    """What the policy would block: inline <script>, on...= handlers, javascript:
    URLs, style="..." attributes and <style> elements (but the one of 500.html,
    allowed by its hash)."""
    root = Path(__file__).resolve().parents[2]
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>")
    handler = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
    style = re.compile(r"<[^>]*\sstyle\s*=|<style", re.IGNORECASE)
    found = []
    for path in [*root.rglob("*.html"), *root.rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        if path.name == "500.html" and path.parent.name == "templates":
            text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        if any(p.search(text) for p in (inline_script, handler, style)) or "javascript:" in text:
            found.append(str(path.relative_to(root)))
    assert found == []


def test_the_standalone_500_page_keeps_its_style(settings: Any) -> None:
    """500.html works without static files: its <style> is allowed by its hash."""
    import base64
    import hashlib

    text = (Path(settings.BASE_DIR) / "danvan/templates/500.html").read_text(encoding="utf-8")
    css = re.search(r"<style>(.*?)</style>", text, re.S)
    assert css is not None
    digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in settings.CONTENT_SECURITY_POLICY


@pytest.mark.django_db
def test_staff_pages_are_not_stored(demo: Any, client: Client, login_as: Any) -> None:
    # The sign-in page, before anyone signs in.
    assert "no-store" in client.get("/quan-ly/dang-nhap/")["Cache-Control"]
    staff = login_as("canbo.phunghiep")
    for url in ("/quan-ly/", "/quan-ly/dia-ban/", "/quan-ly/khao-sat/", "/quan-ly/cuoc-thi/"):
        response = staff.get(url)
        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"no-store", "private"} <= directives, url
        assert "public" not in directives
    # A public page looked at by a signed-in official shows their name: not stored either.
    assert "no-store" in staff.get("/")["Cache-Control"]


@pytest.mark.django_db
def test_public_pages_stay_cacheable(demo: Any) -> None:
    survey = survey_factories.make_survey(kinds=["single"])
    visitor = Client()
    home = visitor.get("/")
    assert home.status_code == 200
    assert "no-store" not in home.get("Cache-Control", "")
    image = visitor.get(reverse("surveys:share_image", args=[survey.slug]))
    assert image.status_code == 200
    assert "no-store" not in image.get("Cache-Control", "")


# --- Uploaded images with DEBUG off ----------------------------------------------------------


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.DEBUG = False
    return tmp_path


@pytest.mark.django_db
def test_contest_banner_is_served_with_debug_off(media: Path, client: Client) -> None:
    world = contest_factories.make_world()
    world.contest.banner = SimpleUploadedFile("bia.png", png(), content_type="image/png")
    world.contest.save()
    staff = make_staff("bia.staff", Role.BOARD_ADMIN, area=world.province)
    client.force_login(staff)
    page = client.get(reverse("contests_staff:contest_preview", args=[world.contest.pk]))
    assert page.status_code == 200
    banner = re.search(r"<img src=\"(/media/contests/banners/[^\"]+)\"", page.content.decode())
    assert banner is not None
    response = Client().get(banner.group(1))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == png()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_survey_share_image_is_served_with_debug_off(media: Path) -> None:
    survey = survey_factories.make_survey(kinds=["single"])
    survey.share_image = SimpleUploadedFile("chia-se.png", png(), content_type="image/png")
    survey.save()
    visitor = Client()
    page = visitor.get(survey.get_absolute_url())
    image = re.search(
        r'<meta property="og:image" content="http://testserver([^"]+)"', page.content.decode()
    )
    assert image is not None and image.group(1).startswith("/media/surveys/")
    response = visitor.get(image.group(1))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


@pytest.mark.django_db
def test_private_files_and_other_paths_are_never_served(media: Path) -> None:
    for name, content in (
        ("jobs/2026/12/ap.xlsx", b"PK private import"),
        ("exports/1.xlsx", b"PK private export"),
        ("contests/banners/trang.html", b"<script>alert(1)</script>"),
        ("contests/banners/bia.svg", b"<svg onload='alert(1)'/>"),
        ("surveys/danh-sach.xlsx", b"PK"),
        ("secret_key", b"not for you"),
        ("contests/banners/bia.png", png()),
    ):
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)
    client = Client()
    assert client.get("/media/contests/banners/bia.png").status_code == 200
    for url in (
        "/media/jobs/2026/12/ap.xlsx",
        "/media/exports/1.xlsx",
        "/media/contests/banners/trang.html",
        "/media/contests/banners/bia.svg",
        "/media/surveys/danh-sach.xlsx",
        "/media/secret_key",
        "/media/contests/banners/../../exports/1.xlsx",
        "/media/contests/banners/%2e%2e/%2e%2e/exports/1.xlsx",
        "/media/contests/banners/..%2f..%2fexports/1.xlsx",
        "/media/contests/banners/..\\..\\exports\\1.xlsx",
        "/media/contests/banners//bia.png",
        "/media/contests/banners/khong-co.png",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/media/contests/banners/bia.png").status_code == 405


# --- In the browser --------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_keep_the_policy_and_their_scripts_work(live_server: Any, browser: Any) -> None:
    """The main public and staff pages load with no Content-Security-Policy
    violation, and their scripts still run (skip logic, the builder's form, the
    share page's copy buttons)."""
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from playwright.sync_api import expect

    from conftest import DEMO_PASSWORD, screenshot
    from danvan.contests.demo import SLUG, load_contest_demo
    from danvan.contests.models import Participant
    from danvan.contests.public_helpers import participant_key
    from danvan.core.demo import load_demo
    from danvan.surveys.models import Kind, SurveyStatus
    from danvan.surveys.tests.factories import make_survey, question_of

    load_demo()
    contest = load_contest_demo()
    survey = make_survey(required=False)
    single, dropdown = question_of(survey, Kind.SINGLE), question_of(survey, Kind.DROPDOWN)
    dropdown.show_if = {"question": single.pk, "op": "equals", "value": 0}
    dropdown.save()
    draft = make_survey(status=SurveyStatus.DRAFT, kinds=["single", "long_text"], slug="nhap")

    participant = Participant.objects.filter(contest=contest).first()
    assert participant is not None
    session = SessionStore()
    session[participant_key(contest.pk)] = participant.pk
    session[f"contest:{contest.pk}:verified"] = True
    session.create()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.session_key,
                "url": live_server.url,
            }
        ]
    )
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))

    def visit(path: str) -> None:
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert "default-src 'self'" in response.all_headers().get("content-security-policy", "")
        page.wait_for_load_state("load")
        violations = page.evaluate("window.__csp")
        assert violations == [], f"{path}: {violations}"

    visit("/")
    visit(f"/cuoc-thi/{SLUG}/")
    page.locator("form[action*='/bat-dau/'] button").first.click()
    page.wait_for_url("**/cuoc-thi/bai/**")
    assert page.evaluate("window.__csp") == []

    # Skip logic: the follow-up question appears when its answer is chosen.
    visit(survey.get_absolute_url())
    page.get_by_role("button", name="Bắt đầu trả lời").click()
    page.wait_for_url("**/phan-1/")
    follow_up = page.locator(f"#cau-{dropdown.pk}")
    expect(follow_up).to_be_hidden()
    page.get_by_label("Loa phát thanh của ấp").check()
    expect(follow_up).to_be_visible()
    assert page.evaluate("window.__csp") == []

    visit("/quan-ly/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("admin")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/quan-ly/")

    # The builder's question form: the settings follow the chosen kind.
    question = question_of(draft, Kind.SINGLE)
    visit(reverse("surveys_staff:question_edit", args=[question.pk]))
    choices = page.locator("[data-kinds~='single']").first
    expect(choices).to_be_visible()
    page.locator("select[name='kind']").select_option("long_text")
    expect(choices).to_be_hidden()

    # The share page: its copy buttons are shown by its script.
    visit(reverse("surveys_staff:survey_share", args=[survey.pk]))
    expect(page.locator("[data-copy]").first).to_be_visible()

    # Results with charts, and pages whose layout once came from style attributes.
    visit(reverse("surveys_results:results", args=[survey.pk]))
    visit(reverse("contests_stats:contest_stats", args=[contest.pk]))
    screenshot(page, "csp-contest-stats-1280")
    visit(reverse("surveys_staff:survey_detail", args=[draft.pk]))
    visit(reverse("staff:area_list"))
    indent = page.locator("td.depth-2").first
    assert indent.evaluate("e => getComputedStyle(e).paddingLeft") == "16px"
    screenshot(page, "csp-area-list-1280")
    visit(reverse("contests_staff:question_list", args=[contest.pk]))
    visit(reverse("contests_staff:contest_detail", args=[contest.pk]))
    visit(reverse("opinion:hot_issues"))

    assert [m for m in console if "Content Security Policy" in m] == []
    context.close()
