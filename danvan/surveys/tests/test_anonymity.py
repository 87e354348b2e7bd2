"""Anonymity is structural: after an anonymous response nothing in the database
(not a column of any table, not the session, not the audit log) holds the
respondent's phone, invitation code, browser token, address or user agent,
and nothing links the response to whatever enforced "one response"."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from danvan.surveys import guards, mixing, services
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
    code = guards.generate_codes(survey, 3)[1] if policy == OnePer.CODE else ""
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
    assert mixing.mix(survey, release_all=True) == 1  # in real use, with a batch of others
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


def distinct_xmins(table: str, survey: Survey) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(DISTINCT xmin::text) FROM {table} WHERE survey_id = %s", [survey.pk]
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)  # each spend commits, as in real use
def test_shuffle_guards_forgets_the_order_of_spending() -> None:
    phones = [f"09123456{i:02d}" for i in range(30)]
    survey = make_survey(one_per=OnePer.PHONE, kinds=["single"])
    coded = make_survey(one_per=OnePer.CODE, kinds=["single"])
    codes = guards.generate_codes(coded, 40)
    for phone in phones:
        services.submit_response(survey, {}, phone=phone)
    for code in codes[:30]:
        services.submit_response(coded, {}, code=code)
    spent_order = [guards.token_hash(survey, "phone", p) for p in phones]
    assert physical_order("surveys_spenttoken", "token_hash", survey) == spent_order
    if connection.vendor == "postgresql":
        # A transaction id per spend: in the order of spending, like the responses'.
        assert distinct_xmins("surveys_spenttoken", survey) == 30

    assert guards.shuffle_guards(survey) == 30
    assert guards.shuffle_guards(coded) == 30
    after = physical_order("surveys_spenttoken", "token_hash", survey)
    assert sorted(after) == sorted(spent_order) and after != spent_order
    spent_codes = [guards.code_hash(coded, c) for c in codes[:30]]
    rows = InvitationCode.objects.filter(survey=coded)
    assert set(rows.filter(spent=True).values_list("code_hash", flat=True)) == set(spent_codes)
    assert rows.filter(spent=False).count() == 10
    if connection.vendor == "postgresql":
        assert distinct_xmins("surveys_spenttoken", survey) == 1  # one transaction wrote them all
    # The guards still guard.
    with pytest.raises(ValidationError):
        services.submit_response(survey, {}, phone=phones[7])
    with pytest.raises(ValidationError):
        services.submit_response(coded, {}, code=codes[3])
    services.submit_response(coded, {}, code=codes[35])


# --- The link by storage order, and when it is erased ---------------------------------


def storage_pairs(survey: Survey) -> dict[str, str]:
    """What someone reading the tables (not the code) could pair: the n-th guard
    in storage order with the n-th response in storage order (response id ->
    guard hash)."""
    if survey.one_per == OnePer.CODE:
        guards = [
            h
            for h in physical_order("surveys_invitationcode", "code_hash", survey)
            if InvitationCode.objects.filter(survey=survey, code_hash=h, spent=True).exists()
        ]
    else:
        guards = physical_order("surveys_spenttoken", "token_hash", survey)
    # SQLite stores a UUID as 32 hex digits, PostgreSQL as a uuid.
    responses = [str(uuid.UUID(str(r))) for r in physical_order("surveys_response", "id", survey)]
    return dict(zip(responses, guards, strict=True))


def staff_client(survey: Survey) -> Client:
    from danvan.core import services as core
    from danvan.core.models import Role

    user = core.create_staff_user(
        username="an-danh.bdv", full_name="Cán bộ Ban Dân vận", password="mat-khau-thu-nghiem-1"
    )
    core.grant_role(None, user, Role.BOARD_ADMIN, area=survey.organization.area)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("policy", [OnePer.PHONE, OnePer.CODE])
def test_closing_the_survey_erases_the_link_by_storage_order(
    policy: str, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Before: a guard is spent just before its response is sent, so guards line up
    in storage (PostgreSQL's ctid, SQLite's rowid) with the order of sending.
    Closing the survey releases the pending responses (mixed) and queues the
    shuffle (both run at once by the immediate task backend): after it the
    pairing of the n-th guard with the n-th response is no better than chance.
    Each response carries its number (a number answer) to tell who sent it."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    survey = make_survey(mode=Mode.ANONYMOUS, one_per=policy, kinds=["number"])
    number = survey.questions.get()
    n = 24
    codes = guards.generate_codes(survey, n + 6) if policy == OnePer.CODE else []
    guard_of: dict[int, str] = {}  # the number sent -> its guard
    for i in range(1, n + 1):
        if policy == OnePer.CODE:
            services.submit_response(survey, {number.pk: i}, code=codes[i - 1])
            guard_of[i] = guards.code_hash(survey, codes[i - 1])
        else:
            phone = f"09871234{i:02d}"
            services.submit_response(survey, {number.pk: i}, phone=phone)
            guard_of[i] = guards.token_hash(survey, "phone", phone)

    def right(pairs: dict[str, str]) -> int:
        sent = {
            str(uuid.UUID(str(r))): int(v)
            for r, v in Answer.objects.filter(question=number).values_list("response_id", "number")
        }
        return sum(1 for r, h in pairs.items() if guard_of[sent[r]] == h)

    # Phone guards are inserted, so before the close their storage order is the
    # order of spending. (A spent code is an UPDATE, whose new row version lands
    # wherever its page has room.)
    if policy == OnePer.PHONE:
        assert physical_order("surveys_spenttoken", "token_hash", survey) == list(guard_of.values())
    assert not Response.objects.filter(survey=survey).exists()  # waiting to be mixed

    client = staff_client(survey)
    with django_capture_on_commit_callbacks(execute=True):
        closed = client.post(reverse("surveys_staff:survey_close", args=[survey.pk]))
    assert closed.status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed"

    after = storage_pairs(survey)
    assert sorted(after.values()) == sorted(guard_of.values())  # every guard kept
    assert right(after) <= n // 2  # a random order matches ~1 of 24 by chance
    if connection.vendor == "postgresql":
        table = "surveys_invitationcode" if policy == OnePer.CODE else "surveys_spenttoken"
        extra = " AND spent" if policy == OnePer.CODE else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(DISTINCT xmin::text) FROM {table} WHERE survey_id = %s{extra}",
                [survey.pk],
            )
            assert cursor.fetchone()[0] == 1  # one transaction id for every guard
    # The guards still guard (the survey reopened for the check).
    survey.status = "published"
    survey.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        if policy == OnePer.CODE:
            services.submit_response(survey, {}, code=codes[5])
        else:
            services.submit_response(survey, {}, phone="0987123405")


def test_shuffle_is_queued_at_the_end_of_each_window_with_responses(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """While a survey runs: the first response of a window queues one shuffle,
    deferred to the end of the window; later responses of the window, in this
    process or another, queue nothing more."""
    from datetime import UTC, datetime

    from danvan.surveys import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SURVEY_SHUFFLE_MINUTES = 5
    tasks.forget_windows()
    backend = tasks.shuffle_guards_task.get_backend()
    survey = make_survey(one_per=OnePer.PHONE, kinds=["single"])
    start = 1_800_000_000.0  # the start of a 5-minute window
    assert start % 300 == 0

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.response_stored(survey.pk, now=start + 12) is True
        assert tasks.response_stored(survey.pk, now=start + 250) is False
    assert len(backend.results) == 1
    queued = backend.results[0]
    assert queued.args == [survey.pk] or queued.args == (survey.pk,)
    assert queued.task.run_after == datetime.fromtimestamp(start + 300 + 10, tz=UTC)

    tasks.forget_windows()  # another process, same window: the cache says it is queued
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.response_stored(survey.pk, now=start + 260) is False
        assert tasks.response_stored(survey.pk, now=start + 301) is True  # next window
    assert len(backend.results) == 2
    assert backend.results[1].task.run_after == datetime.fromtimestamp(start + 610, tz=UTC)

    # A backend that cannot wait would shuffle inside the submit request: nothing queued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    tasks.forget_windows()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert tasks.response_stored(survey.pk, now=start + 900) is False
    assert callbacks == []

    # The task itself: shuffles the guards; a survey deleted meanwhile is no error.
    services.submit_response(survey, {}, phone="0912000111")
    before = set(SpentToken.objects.filter(survey=survey).values_list("pk", flat=True))
    assert tasks.shuffle_guards_task.func(survey.pk) == 1
    assert not before & set(SpentToken.objects.filter(survey=survey).values_list("pk", flat=True))
    assert tasks.shuffle_guards_task.func(10**9) == 0


@pytest.mark.parametrize("action", ["survey_close", "survey_archive"])
def test_staff_stopping_a_survey_queues_a_shuffle(
    action: str, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from danvan.surveys import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = tasks.shuffle_guards_task.get_backend()
    survey = make_survey(one_per=OnePer.BROWSER, kinds=["single"])
    client = staff_client(survey)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse(f"surveys_staff:{action}", args=[survey.pk])).status_code == 302
    # The pending responses are released, then the guards shuffled, at once.
    assert [r.task.func for r in backend.results] == [
        tasks.mix_task.func,
        tasks.shuffle_guards_task.func,
    ]
    assert all(list(r.args) == [survey.pk] for r in backend.results)
    assert all(r.task.run_after is None for r in backend.results)
    # Publishing again queues nothing (no response is being closed off).
    if action == "survey_close":
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("surveys_staff:survey_publish", args=[survey.pk]))
        assert len(backend.results) == 2


# --- Sessions: none outlives the send ------------------------------------------------


def session_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_session")
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize("policy", [OnePer.BROWSER, OnePer.PHONE])
def test_no_session_outlives_the_send_or_the_refusal(policy: str) -> None:
    """The draft lives in the session while the person fills in the survey; once
    the response is sent (or refused as already sent) the session goes, row and
    cache entry: its expiry (the send time plus SESSION_COOKIE_AGE) would date
    the response."""
    from django.conf import settings
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    survey = make_survey(mode=Mode.ANONYMOUS, one_per=policy, kinds=["single"], sections=1)
    question = survey.questions.get()
    start = {"phone": PHONE_TYPED} if policy == OnePer.PHONE else {}
    send = {"action": "submit", f"q{question.pk}": "1"}
    thanks = reverse("surveys:thanks", args=[survey.slug])

    client = Client()
    assert client.get(survey.get_absolute_url()).status_code == 200
    assert client.post(survey.get_absolute_url(), start).status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert session_rows() == 1  # the draft, while filling in
    assert client.post(page_url(survey, 1), send)["Location"] == thanks
    assert session_rows() == 0
    assert cache.get(KEY_PREFIX + key) is None

    # The same person again: refused, and no session left either.
    again = client if policy == OnePer.BROWSER else Client()
    if policy == OnePer.BROWSER:
        again.post(page_url(survey, 1), send)  # a page kept open in another tab
        assert again.post(survey.get_absolute_url(), {}).status_code == 409
    else:
        assert again.post(survey.get_absolute_url(), start).status_code == 302
        assert session_rows() == 1
        assert again.post(page_url(survey, 1), send).status_code == 409
    assert session_rows() == 0

    # A signed-in staff member keeps their session; only the draft goes.
    staff = staff_client(survey)
    staff.post(survey.get_absolute_url(), {"phone": "0912000999"} if start else {})
    assert staff.post(page_url(survey, 1), send)["Location"] == thanks
    (session,) = Session.objects.all()
    data = session.get_decoded()
    assert "_auth_user_id" in data and not any(k.startswith("survey:") for k in data)
