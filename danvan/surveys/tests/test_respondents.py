"""Identified surveys: the list of respondents with full phone numbers (managers
only, every look audited), the consent wording kept per version, the erasure
of names and phone numbers after the retention time; and what the page of a
"one per phone number" survey says about numbers that are never verified."""

from __future__ import annotations

import io
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from danvan.core import services as core
from danvan.core.models import Role
from danvan.surveys import respondents
from danvan.surveys.forms_staff import SurveyForm
from danvan.surveys.models import (
    DEFAULT_CONSENT_TEXT,
    Answer,
    ConsentText,
    Mode,
    OnePer,
    Respondent,
    Response,
    SpentToken,
    Survey,
    SurveyStatus,
)
from danvan.surveys.tests.factories import Units, make_survey, make_units, store_response

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("Trần Văn Lành", "0912345678"),
    ("Nguyễn Thị Bé Sáu", "0987654321"),
    ('=HYPERLINK("http://x","bấm")', "0901234567"),  # formula-looking name
]


def staff(units: Units, role: str = Role.BOARD_ADMIN, name: str = "bdv") -> Any:
    user = core.create_staff_user(
        username=f"nt.{name}", full_name=f"Cán bộ {name}", password="mat-khau-thu-nghiem-1"
    )
    core.grant_role(None, user, role, area=units.province)
    return user


def identified(units: Units | None = None, **kwargs: Any) -> Survey:
    kwargs.setdefault("one_per", OnePer.PHONE)
    survey = make_survey(mode=Mode.IDENTIFIED, kinds=["single"], units=units, **kwargs)
    return survey


def answer(survey: Survey, name: str, phone: str) -> Response:
    identity = {"full_name": name, "phone": phone, "consent": True}
    return store_response(survey, {}, identity=identity)


def access_entries(survey: Survey) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(object_pk=str(survey.pk), action=LogEntry.Action.ACCESS).order_by(
            "pk"
        )
    )


# --- The list with full phone numbers ----------------------------------------------------


def test_managers_see_full_phone_numbers_and_each_look_is_audited(client: Any) -> None:
    units = make_units()
    survey = identified(units)
    for name, phone in PEOPLE:
        answer(survey, name, phone)
    manager = staff(units)
    client.force_login(manager)
    url = reverse("surveys_staff:survey_respondents", args=[survey.pk])

    detail = client.get(reverse("surveys_staff:survey_detail", args=[survey.pk]))
    assert url in detail.content.decode()
    response = client.get(url, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    body = response.content.decode()
    for name, phone in PEOPLE[:2]:
        assert name in body and f'href="tel:{phone}">{phone}</a>' in body
    assert "0912***678" not in body  # not masked here
    entries = access_entries(survey)
    assert len(entries) == 1
    assert entries[0].actor == manager and entries[0].remote_addr == "198.51.100.7"
    assert entries[0].object_repr.startswith(respondents.ACCESS_PAGE)
    assert entries[0].additional_data["area_path"] == survey.organization.area.path

    # Search by name (diacritics ignored) and by phone digits.
    found = client.get(url, {"q": "be sau"}).context["page_obj"]
    assert [r.full_name for r in found] == ["Nguyễn Thị Bé Sáu"]
    found = client.get(url, {"q": "0912 345"}).context["page_obj"]
    assert [r.phone for r in found] == ["0912345678"]
    assert len(access_entries(survey)) == 3  # every look

    # The audit page shows the look.
    audit = client.get(reverse("staff:audit_list")).content.decode()
    assert respondents.ACCESS_PAGE in audit


def test_excel_has_full_phones_formula_safe_and_is_audited(client: Any) -> None:
    units = make_units()
    survey = identified(units)
    for name, phone in PEOPLE:
        answer(survey, name, phone)
    client.force_login(staff(units))
    response = client.get(reverse("surveys_staff:survey_respondents_xlsx", args=[survey.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb["Người trả lời"].iter_rows(values_only=True))
    assert rows[0][:3] == ("STT", "Họ và tên", "Số điện thoại")
    assert sorted((r[1], r[2]) for r in rows[1:]) == sorted(PEOPLE)
    formula = next(c for c in wb["Người trả lời"]["B"] if str(c.value).startswith("=HYPER"))
    assert formula.data_type == "s" and formula.quotePrefix  # text, never run
    consent = list(wb["Nội dung đồng ý"].iter_rows(values_only=True))
    assert consent[1][0] == "1" and consent[1][2] == 3 and consent[1][3] == survey.consent_text
    entries = access_entries(survey)
    assert len(entries) == 1 and entries[0].object_repr.startswith(respondents.ACCESS_XLSX)


def test_only_managers_of_identified_surveys(client: Any) -> None:
    units = make_units()
    survey = identified(units)
    answer(survey, *PEOPLE[0])
    anonymous = make_survey(mode=Mode.ANONYMOUS, units=units, kinds=["single"])
    viewer = staff(units, Role.VIEWER, "xem")
    client.force_login(viewer)
    for name in ("survey_respondents", "survey_respondents_xlsx"):
        assert client.get(reverse(f"surveys_staff:{name}", args=[survey.pk])).status_code == 404
    assert (
        "Người trả lời"
        not in client.get(reverse("surveys_staff:survey_detail", args=[survey.pk])).content.decode()
    )
    client.force_login(staff(units))
    for name in ("survey_respondents", "survey_respondents_xlsx"):
        url = reverse(f"surveys_staff:{name}", args=[anonymous.pk])
        assert client.get(url).status_code == 404  # nobody to list
    assert access_entries(survey) == [] and access_entries(anonymous) == []


# --- Consent wording kept per version ------------------------------------------------


def test_consent_wording_is_kept_per_version(client: Any) -> None:
    units = make_units()
    survey = identified(units)
    first = survey.consent_text
    kept = ConsentText.objects.get(survey=survey)
    assert (kept.version, kept.text) == ("1", first)
    # The public page shows exactly the kept words.
    page = Client().get(survey.get_absolute_url()).content.decode()
    assert first in page

    # Nobody has agreed yet: a change of wording without a new version replaces it.
    survey.consent_text = "Tôi đồng ý cho Ban Dân vận lưu họ tên, số điện thoại để liên hệ."
    survey.save()
    second = survey.consent_text
    assert list(ConsentText.objects.filter(survey=survey).values_list("version", "text")) == [
        ("1", second)
    ]
    answer(survey, *PEOPLE[0])

    # Someone agreed under version 1: its words cannot change any more...
    survey.consent_text = "Nội dung mới mà không tăng phiên bản."
    with pytest.raises(ValidationError):
        survey.save()
    survey.refresh_from_db()
    assert survey.consent_text == second
    # ... and the staff form asks for a new version.
    data = {
        "title": survey.title,
        "slug": survey.slug,
        "intro": survey.intro,
        "organization": survey.organization_id,
        "target_area": survey.target_area_id,
        "opens_at": timezone.localtime(survey.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": timezone.localtime(survey.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "mode": survey.mode,
        "one_per": survey.one_per,
        "consent_text": "Nội dung mới mà không tăng phiên bản.",
        "consent_version": "1",
        "one_section_per_page": "on",
    }
    form = SurveyForm(data, instance=survey, user=staff(units))
    assert not form.is_valid() and "consent_version" in form.errors
    form = SurveyForm(
        {**data, "consent_version": "2"}, instance=survey, user=staff(units, name="b")
    )
    assert form.is_valid(), form.errors
    form.save()
    answer(survey, *PEOPLE[1])

    versions = respondents.consent_versions(survey)
    assert [(v.version, v.text, v.respondents) for v in versions] == [
        ("1", second, 1),
        ("2", "Nội dung mới mà không tăng phiên bản.", 1),
    ]
    assert Respondent.objects.get(phone=PEOPLE[0][1]).consent_version == "1"
    client.force_login(staff(units, name="c"))
    body = client.get(reverse("surveys_staff:survey_respondents", args=[survey.pk])).content
    assert second.encode() in body and "Phiên bản 2".encode() in body


def test_default_consent_wording_is_the_one_shown() -> None:
    survey = identified()
    Survey.objects.filter(pk=survey.pk).update(consent_text="")
    ConsentText.objects.all().delete()
    survey.refresh_from_db()
    survey.save()
    assert ConsentText.objects.get(survey=survey).text == DEFAULT_CONSENT_TEXT
    assert DEFAULT_CONSENT_TEXT in Client().get(survey.get_absolute_url()).content.decode()
    # Anonymous surveys keep nothing.
    anonymous = make_survey(kinds=["single"])
    assert not ConsentText.objects.filter(survey=anonymous).exists()


# --- Erasure after the retention time -----------------------------------------------------


def _closed(days_ago: int, units: Units) -> Survey:
    survey = identified(units)
    for name, phone in PEOPLE[:2]:
        answer(survey, name, phone)
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        status=SurveyStatus.CLOSED,
        opens_at=now - timedelta(days=days_ago + 30),
        closes_at=now - timedelta(days=days_ago),
    )
    survey.refresh_from_db()
    return survey


def test_erase_expired_respondents(settings: Any, client: Any) -> None:
    settings.SURVEY_RESPONDENT_RETENTION_DAYS = 180
    units = make_units()
    old = _closed(200, units)
    recent = _closed(100, units)
    answers_before = Answer.objects.count()

    out = StringIO()
    call_command("erase_expired_respondents", "--dry-run", stdout=out)
    assert (
        "Sẽ xóa họ tên, số điện thoại của 2 người trả lời thuộc 1 cuộc khảo sát" in out.getvalue()
    )
    assert not Respondent.objects.filter(erased_at__isnull=False).exists()

    out = StringIO()
    call_command("erase_expired_respondents", stdout=out)
    assert (
        "Đã xóa họ tên, số điện thoại của 2 người trả lời thuộc 1 cuộc khảo sát" in out.getvalue()
    )
    assert old.title in out.getvalue()
    gone = Respondent.objects.filter(response__survey=old)
    assert gone.count() == 2  # the rows stay, with the consent given
    assert set(gone.values_list("full_name", "phone")) == {("", "")}
    assert all(r.erased_at is not None and r.consent_version == "1" for r in gone)
    assert not SpentToken.objects.filter(survey=old, kind="phone").exists()
    kept = Respondent.objects.filter(response__survey=recent)
    assert set(kept.values_list("full_name", "phone")) == set(PEOPLE[:2])
    assert SpentToken.objects.filter(survey=recent).count() == 2
    # Responses and answers stay: the results do not change.
    assert Response.objects.filter(survey=old).count() == 2
    assert Answer.objects.count() == answers_before
    # The erasure is in the audit trail; the list no longer shows anyone.
    assert LogEntry.objects.filter(
        object_pk=str(old.pk), action=LogEntry.Action.UPDATE, object_repr__startswith="Xóa họ tên"
    ).exists()
    client.force_login(staff(units))
    page = client.get(reverse("surveys_staff:survey_respondents", args=[old.pk]))
    assert list(page.context["page_obj"]) == []
    assert "Đã xóa dữ liệu của 2 người trả lời" in page.content.decode()
    for name, _phone in PEOPLE[:2]:
        assert name not in page.content.decode()

    # Idempotent.
    out = StringIO()
    call_command("erase_expired_respondents", stdout=out)
    assert "Không có họ tên, số điện thoại nào" in out.getvalue()

    # A shorter retention setting reaches the recent survey too.
    settings.SURVEY_RESPONDENT_RETENTION_DAYS = 90
    report = respondents.erase_expired(batch_size=1)
    assert report.total == 2 and not Respondent.objects.filter(erased_at__isnull=True).exists()


def test_retention_date_is_shown_to_managers(settings: Any, client: Any) -> None:
    settings.SURVEY_RESPONDENT_RETENTION_DAYS = 30
    units = make_units()
    survey = identified(units)
    client.force_login(staff(units))
    body = client.get(reverse("surveys_staff:survey_respondents", args=[survey.pk])).content
    deadline = timezone.localtime(survey.closes_at + timedelta(days=30)).strftime("%d/%m/%Y")
    assert f"sau ngày <strong>{deadline}</strong> (30 ngày".encode() in body


# --- "One per phone number": the page says the numbers are not verified --------------------

NOT_VERIFIED = "Số điện thoại không được xác minh"


@pytest.mark.parametrize("mode", [Mode.ANONYMOUS, Mode.IDENTIFIED])
def test_phone_policy_page_says_numbers_are_not_verified(mode: str) -> None:
    survey = make_survey(mode=mode, one_per=OnePer.PHONE, kinds=["single"])
    body = Client().get(survey.get_absolute_url()).content.decode()
    assert "Mỗi số điện thoại chỉ gửi được một phiếu." in body
    assert NOT_VERIFIED in body
    assert "không gửi tin nhắn hay mã xác nhận" in body  # why
    assert "chỉ ngăn một số điện thoại gửi phiếu lần thứ hai" in body  # what it protects against
    assert "không ngăn được người cố ý khai nhiều số khác nhau" in body  # and what it does not
    other = make_survey(mode=mode, one_per=OnePer.BROWSER, kinds=["single"])
    assert NOT_VERIFIED not in Client().get(other.get_absolute_url()).content.decode()


def test_publishing_a_phone_policy_survey_tells_staff(client: Any) -> None:
    units = make_units()
    survey = make_survey(one_per=OnePer.PHONE, kinds=["single"], units=units, status="draft")
    client.force_login(staff(units))
    body = client.get(reverse("surveys_staff:survey_publish", args=[survey.pk])).content.decode()
    assert "Số điện thoại không được xác minh" in body
