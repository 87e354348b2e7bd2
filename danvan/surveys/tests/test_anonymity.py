"""Anonymity is structural: after an anonymous response nothing in the database
(not a column of any table, not the session, not the audit log) holds the
respondent's phone, invitation code, browser token, address or user agent,
and nothing links the response to whatever enforced "one response"."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from danvan.surveys import services
from danvan.surveys.models import (
    Answer,
    InvitationCode,
    Mode,
    OnePer,
    Respondent,
    Response,
    SpentToken,
    Survey,
)
from danvan.surveys.tests.factories import make_survey
from danvan.surveys.tests.test_public import page_url, section_data
from danvan.surveys.views_public import cookie_name

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"
USER_AGENT = "Mozilla/5.0 (Linux; Android 10; Redmi 9A KhaoSat-UA-7731) Chrome/120.0"
PHONE_TYPED = "0912 345 678"
PHONE = "0912345678"
NAME = "Huỳnh Văn Lợi"


def concrete(model: type[models.Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields() if f.concrete}


def all_rows() -> dict[str, list[str]]:
    """Every value of every table, as text (bytes decoded), by table name; session
    data is decoded too (it is stored signed and base64-encoded)."""
    out: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            values: list[str] = []
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    values.append(str(value))
            if table == "django_session":
                cursor.execute("SELECT session_data FROM django_session")
                values += [repr(SessionStore().decode(data)) for (data,) in cursor.fetchall()]
            out[table] = values
    return out


def tables_holding(needle: str) -> set[str]:
    return {
        table for table, values in all_rows().items() if any(needle in value for value in values)
    }


def audit_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM auditlog_logentry")
        return int(cursor.fetchone()[0])


def respond(survey: Survey, start: dict[str, str], before_send: Any = None) -> Client:
    """The full flow through the pages, from an address and a browser of our own.
    `before_send()` runs just before the last page is sent."""
    client = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT=USER_AGENT)
    assert client.get(survey.get_absolute_url()).status_code == 200
    response = client.post(survey.get_absolute_url(), start)
    assert response.status_code == 302, response.content.decode()[:2000]
    total = survey.sections.count()
    for n in range(1, total + 1):
        assert client.get(page_url(survey, n)).status_code == 200
        action = "submit" if n == total else "next"
        if action == "submit" and before_send is not None:
            before_send()
        response = client.post(page_url(survey, n), section_data(survey, n, action))
        assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("surveys:thanks", args=[survey.slug])
    assert client.get(response["Location"]).status_code == 200
    return client


def test_models_hold_nothing_but_answers() -> None:
    assert concrete(Response) == {"id", "survey", "received_on"}
    assert concrete(Answer) == {
        "id", "response", "question", "choice", "row", "number", "text", "text_folded", "date",
        "area",
    }  # fmt: skip
    assert isinstance(Response._meta.pk, models.UUIDField)
    for model in (SpentToken, InvitationCode):
        for f in model._meta.get_fields():
            assert f.related_model is not Response, f"{model.__name__}.{f.name} points to Response"
            assert f.related_model is not Answer
            assert not isinstance(f, models.DateField | models.DateTimeField | models.TimeField), (
                f"{model.__name__}.{f.name} records a time"
            )
    assert not isinstance(SpentToken._meta.pk, models.AutoField)  # no order of spending


@pytest.mark.parametrize("policy", [OnePer.BROWSER, OnePer.PHONE, OnePer.CODE])
def test_anonymous_response_leaves_no_trace_of_the_person(policy: str) -> None:
    survey = make_survey(mode=Mode.ANONYMOUS, one_per=policy)
    code = services.generate_codes(survey, 3)[1] if policy == OnePer.CODE else ""
    start = {"phone": PHONE_TYPED} if policy == OnePer.PHONE else {}
    if code:
        start = {"code": code}
    audits_before = audit_count()

    def while_filling() -> None:
        # Positive controls: the scan does see the session's draft while it exists.
        assert "django_session" in tables_holding("Làm lại cây cầu")
        if policy == OnePer.PHONE:
            assert tables_holding(PHONE) == {"django_session"}
        if policy == OnePer.CODE:
            assert tables_holding(code.replace("-", "")) == {"django_session"}

    client = respond(survey, start, while_filling)
    # ... and sees the answers where they belong.
    assert tables_holding("Làm lại cây cầu") == {"surveys_answer"}

    response = Response.objects.get(survey=survey)
    assert Answer.objects.filter(response=response).count() == 13
    assert not Respondent.objects.exists()
    assert audit_count() == audits_before  # the audit log learnt nothing

    needles = {"ip": IP, "user agent": USER_AGENT, "user agent (part)": "KhaoSat-UA-7731"}
    if policy == OnePer.BROWSER:
        token = client.cookies[cookie_name(survey)].value
        assert len(token) >= 40
        needles["browser token"] = token
        assert SpentToken.objects.filter(survey=survey, kind="browser").count() == 1
    if policy == OnePer.PHONE:
        needles |= {"phone": PHONE, "phone as typed": PHONE_TYPED, "phone +84": "912345678"}
        assert SpentToken.objects.filter(survey=survey, kind="phone").count() == 1
    if policy == OnePer.CODE:
        needles |= {"code": code, "code (plain)": code.replace("-", "")}
        assert InvitationCode.objects.filter(survey=survey, spent=True).count() == 1
    for what, needle in needles.items():
        assert tables_holding(needle) == set(), f"the {what} is stored in the database"

    # The session holds no draft (answers, phone, code) once the response is sent.
    for values in [all_rows()["django_session"]]:
        assert not any("survey:" in v for v in values)
    # Nothing in the audit log about responses or answers, ever.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM auditlog_logentry l JOIN django_content_type c "
            "ON l.content_type_id = c.id WHERE c.app_label = 'surveys' "
            "AND c.model IN ('response', 'answer', 'respondent', 'spenttoken', 'invitationcode')"
        )
        assert cursor.fetchone()[0] == 0
    # The response's own row: its id is random, its date is a day.
    row = Response.objects.values().get(pk=response.pk)
    assert set(row) == {"id", "survey_id", "received_on"}
    assert response.id.version == 4


def test_identified_response_keeps_the_person_only_in_respondent() -> None:
    survey = make_survey(mode=Mode.IDENTIFIED, one_per=OnePer.PHONE)
    audits_before = audit_count()
    respond(survey, {"full_name": NAME, "phone": PHONE_TYPED, "consent": "on"})
    response = Response.objects.get(survey=survey)
    person = Respondent.objects.get(response=response)
    assert (person.full_name, person.phone, person.consent_version) == (NAME, PHONE, "1")
    assert tables_holding(PHONE) == {"surveys_respondent"}
    assert tables_holding(NAME) == {"surveys_respondent"}
    assert tables_holding(IP) == set() and tables_holding(USER_AGENT) == set()
    assert audit_count() == audits_before
    # The one-response guard stays a keyed hash, unlinked.
    spent = SpentToken.objects.get(survey=survey)
    assert PHONE not in spent.token_hash


def physical_order(table: str, column: str, survey: Survey) -> list[str]:
    """The rows in the order they sit in storage (rowid / ctid), not by any column."""
    order = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE survey_id = %s ORDER BY {order}", [survey.pk]
        )
        return [row[0] for row in cursor.fetchall()]


def test_shuffle_guards_forgets_the_order_of_spending() -> None:
    phones = [f"09123456{i:02d}" for i in range(30)]
    survey = make_survey(one_per=OnePer.PHONE, kinds=["single"])
    coded = make_survey(one_per=OnePer.CODE, kinds=["single"])
    codes = services.generate_codes(coded, 40)
    for phone in phones:
        services.submit_response(survey, {}, phone=phone)
    for code in codes[:30]:
        services.submit_response(coded, {}, code=code)
    spent_order = [services.token_hash(survey, "phone", p) for p in phones]
    assert physical_order("surveys_spenttoken", "token_hash", survey) == spent_order

    assert services.shuffle_guards(survey) == 30
    assert services.shuffle_guards(coded) == 30
    after = physical_order("surveys_spenttoken", "token_hash", survey)
    assert sorted(after) == sorted(spent_order) and after != spent_order
    spent_codes = [services.code_hash(coded, c) for c in codes[:30]]
    rows = InvitationCode.objects.filter(survey=coded)
    assert set(rows.filter(spent=True).values_list("code_hash", flat=True)) == set(spent_codes)
    assert rows.filter(spent=False).count() == 10
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(DISTINCT xmin::text) FROM surveys_spenttoken WHERE survey_id = %s",
                [survey.pk],
            )
            assert cursor.fetchone()[0] == 1  # one transaction wrote them all
    # The guards still guard.
    with pytest.raises(ValidationError):
        services.submit_response(survey, {}, phone=phones[7])
    with pytest.raises(ValidationError):
        services.submit_response(coded, {}, code=codes[3])
    services.submit_response(coded, {}, code=codes[35])
