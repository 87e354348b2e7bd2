"""Public survey pages: an intro page, one page per section (or all at once), a
thank-you page. Plain HTML forms; survey.js only shows and hides follow-up
questions live (the server evaluates skip logic on every page anyway).

The answers being filled in sit in the session under `draft_key(survey)`,
so Back, Next and a reload keep them; the draft (with any phone number or
invitation code) is removed as soon as the response is stored or refused as
already sent, and with it the whole session when nothing else is in it.

Browser policy: a random token in a long-lived cookie per survey (HttpOnly,
SameSite=Lax); only its keyed hash is stored, when the response is sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from danvan.core.middleware import client_ip
from danvan.core.models import Area, AreaKind
from danvan.core.ratelimit import RateLimited, too_many
from danvan.core.text import format_datetime, vn_sort_key
from danvan.surveys import cleaning, guards, kinds, services, tasks
from danvan.surveys.forms_public import StartForm
from danvan.surveys.kinds import Option, UnitChoices
from danvan.surveys.models import (
    Mode,
    OnePer,
    Question,
    Section,
    Survey,
    SurveyStatus,
)
from danvan.surveys.share import og_context

COOKIE_PREFIX = "khaosat_"
COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MSG_MORE_QUESTIONS = (
    "Có thêm câu hỏi dựa trên câu trả lời của ông/bà. Vui lòng xem lại rồi bấm tiếp."
)


# --- Session draft and browser cookie ------------------------------------------


def draft_key(survey: Survey) -> str:
    return f"survey:{survey.pk}:draft"


def get_draft(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    draft = request.session.get(draft_key(survey))
    if not isinstance(draft, dict):
        draft = {"answers": {}, "start": {}, "started": False}
    draft.setdefault("answers", {})
    draft.setdefault("start", {})
    draft.setdefault("started", False)
    return draft


def save_draft(request: HttpRequest, survey: Survey, draft: dict[str, Any]) -> None:
    request.session[draft_key(survey)] = draft


def drop_draft(request: HttpRequest, survey: Survey) -> None:
    """Forget the draft. A session left with nothing else in it (no signed-in
    user, no draft of another survey) is deleted outright, row and cache entry:
    Django would otherwise keep it, and its expiry (the time of this request plus
    SESSION_COOKIE_AGE) would date the response. `is_empty()` cannot tell: it is
    false for any session that once held a key."""
    request.session.pop(draft_key(survey), None)
    if not request.session.keys():
        request.session.flush()


def cookie_name(survey: Survey) -> str:
    return f"{COOKIE_PREFIX}{survey.pk}"


def browser_token(request: HttpRequest, survey: Survey) -> str | None:
    token = request.COOKIES.get(cookie_name(survey), "")
    return token if _TOKEN_RE.match(token) else None


def ensure_cookie(request: HttpRequest, survey: Survey, response: HttpResponse) -> HttpResponse:
    if survey.one_per == OnePer.BROWSER and browser_token(request, survey) is None:
        response.set_cookie(
            cookie_name(survey),
            guards.new_browser_token(),
            max_age=COOKIE_MAX_AGE,
            path="/khao-sat/",
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


# --- Small helpers -----------------------------------------------------------------


_PUBLIC_SURVEY_SQL = "SELECT * FROM surveys_survey WHERE slug = %s AND status IN (%s, %s)"


def public_survey(slug: str) -> Survey:
    """The published (or closed) survey. Kept `cleaning.SURVEY_TTL` (1 s) in the
    process, emptied there by any save of a survey: a survey an officer closes
    stops taking responses in the other processes within that second (its
    closing time is read from the row on every request, so a survey closing by
    its date closes on the dot). Read in one written-out statement (the ORM
    took longer to build it than the database to answer); the target area comes
    from the process (`cleaning.survey_area`), the organisation when a page
    shows it. Treat it as read-only: the requests of the process share it."""
    survey: Survey | None = cleaning.SURVEYS.get(slug)
    if survey is not None:
        return survey
    found = list(
        Survey.objects.raw(_PUBLIC_SURVEY_SQL, [slug, SurveyStatus.PUBLISHED, SurveyStatus.CLOSED])
    )
    if not found:
        raise Http404("Không tìm thấy cuộc khảo sát.")
    survey = found[0]
    if survey.target_area_id is not None:
        survey.target_area = cleaning.survey_area(survey.target_area_id)
    cleaning.SURVEYS.set(slug, survey)
    return survey


def open_error(survey: Survey) -> ValidationError | None:
    try:
        services.check_open(survey)
    except ValidationError as error:
        return error
    return None


def needs_start(survey: Survey) -> bool:
    return survey.mode == Mode.IDENTIFIED or survey.one_per in (OnePer.PHONE, OnePer.CODE)


def refused(
    request: HttpRequest, survey: Survey | None, message: str, status: int, *, title: str = ""
) -> HttpResponse:
    return render(
        request,
        "surveys/public/refused.html",
        {"survey": survey, "message": message, "title": title or "Không gửi được phiếu"},
        status=status,
    )


# --- Pages and questions for the templates ---------------------------------------


@dataclass
class QuestionView:
    question: Question
    number: int
    raw: Any
    error: str = ""
    hidden: bool = False
    options: list[Option] = field(default_factory=list)
    other_allowed: bool = False
    other_checked: bool = False
    other_text: str = ""
    rows: list[tuple[int, str, list[Option]]] = field(default_factory=list)
    value: str = ""
    scale_hint: str = ""
    unit: UnitChoices | None = None
    commune_value: str = ""
    hamlet_value: str = ""

    @property
    def id(self) -> int:
        return int(self.question.pk)

    @property
    def kind(self) -> str:
        return str(self.question.kind)

    @property
    def kind_object(self) -> kinds.QuestionKind:
        return kinds.of(self.question)

    @property
    def name(self) -> str:
        return f"q{self.question.pk}"

    @property
    def show_if_json(self) -> str:
        return json.dumps(self.question.show_if or {}, ensure_ascii=False)

    @property
    def describedby(self) -> str:
        """Ids of the help text, the format hint and the error, for aria-describedby."""
        ids = []
        if self.question.help_text:
            ids.append(f"{self.name}_help")
        if self.kind_object.format_hint:
            ids.append(f"{self.name}_fmt")
        if self.error:
            ids.append(f"{self.name}_error")
        return " ".join(ids)

    @property
    def answered(self) -> bool:
        """Something is filled in (for the progress of a one-page survey)."""
        return _filled(self.raw)

    @property
    def is_group(self) -> bool:
        """Rendered as a fieldset with a legend (several inputs)."""
        return self.kind_object.is_group(self)


def _filled(raw: Any) -> bool:
    if isinstance(raw, dict):
        return any(_filled(v) for v in raw.values())
    if isinstance(raw, list | tuple):
        return any(_filled(v) for v in raw)
    return raw is not None and str(raw).strip() != ""


def question_view(
    question: Question,
    number: int,
    raw: Any,
    *,
    error: str = "",
    hidden: bool = False,
    units: UnitChoices | None = None,
) -> QuestionView:
    view = QuestionView(question=question, number=number, raw=raw, error=error, hidden=hidden)
    kinds.of(question).fill_view(view, raw, units)
    return view


def raw_from_post(question: Question, data: Any) -> Any:
    """What the person entered for `question` in a POSTed page (raw answer format)."""
    return kinds.of(question).raw_from_post(question, data, f"q{question.pk}")


def unit_options(survey: Survey) -> UnitChoices:
    """The unit question's lists, from the units under the survey's target (one
    query, `cleaning.unit_choices`): see `UnitChoices`."""
    areas = cleaning.unit_choices(survey)
    target = survey.target_area
    by_path = {a.path: a for a in areas}
    children: dict[str, list[Area]] = {}
    for area in areas:
        children.setdefault(area.path[: -Area.steplen], []).append(area)
    out = UnitChoices()
    if target is not None and target.kind == AreaKind.COMMUNE and children.get(target.path):
        out.fixed = target.name
        communes = [target]
    else:
        communes = [
            a for a in areas if a.kind == AreaKind.COMMUNE and (target is None or a.pk != target.pk)
        ]
        if not communes:  # a hamlet, or a tree without communes: the units themselves
            communes = [
                a for a in areas if not (target and a.pk == target.pk and children.get(a.path))
            ]
        groups: dict[str, list[Area]] = {}
        for area in communes:
            parent = by_path.get(area.path[: -Area.steplen])
            groups.setdefault(parent.name if parent is not None else "", []).append(area)
        single = len(groups) == 1
        out.groups = [
            ("" if single else label, [(str(a.pk), a.name) for a in sorted(items, key=_by_name)])
            for label, items in sorted(groups.items(), key=lambda g: vn_sort_key(g[0]))
        ]
    for commune in sorted(communes, key=_by_name):
        below = sorted(children.get(commune.path, []), key=_by_name)
        if below:
            items = [(str(h.pk), h.name) for h in below]
            out.hamlets.append((str(commune.pk), commune.name, items))
            out.commune_of.update({str(h.pk): str(commune.pk) for h in below})
    return out


def _by_name(area: Area) -> Any:
    return vn_sort_key(area.name)


class Flow:
    """The pages of one survey for one person: sections, questions, the draft."""

    def __init__(self, survey: Survey, draft: dict[str, Any]) -> None:
        self.survey = survey
        self.draft = draft
        self.questions = cleaning.survey_questions(survey)
        self.numbers = {q.pk: i + 1 for i, q in enumerate(self.questions)}
        # The sections that hold questions, from the questions themselves (fetched
        # with them): a section without questions has no page.
        by_section: dict[int, list[Question]] = {}
        sections: dict[int, Section] = {}
        for q in self.questions:
            by_section.setdefault(q.section_id, []).append(q)
            sections.setdefault(q.section_id, q.section)
        self.sections: list[Section] = sorted(sections.values(), key=lambda s: (s.position, s.pk))
        self.by_section = by_section
        if survey.one_section_per_page:
            self.pages: list[list[Section]] = [[s] for s in self.sections]
        else:
            self.pages = [self.sections] if self.sections else []

    @property
    def total(self) -> int:
        return len(self.pages)

    def page_questions(self, n: int) -> list[Question]:
        return [q for s in self.pages[n - 1] for q in self.by_section[s.pk]]

    def evaluation(self, required_check: bool = True) -> cleaning.Evaluation:
        return cleaning.evaluate(
            self.questions, self.draft["answers"], required_check=required_check
        )

    def page_has_visible(self, n: int, visible: set[int]) -> bool:
        return any(q.pk in visible for q in self.page_questions(n))

    def next_page(self, n: int, visible: set[int]) -> int | None:
        for m in range(n + 1, self.total + 1):
            if self.page_has_visible(m, visible):
                return m
        return None

    def previous_page(self, n: int, visible: set[int]) -> int | None:
        for m in range(n - 1, 0, -1):
            if self.page_has_visible(m, visible):
                return m
        return None

    def first_page(self, visible: set[int]) -> int | None:
        return self.next_page(0, visible)


# --- Views -------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    surveys = Survey.objects.open_now().select_related("organization").order_by("closes_at")
    return render(request, "surveys/public/index.html", {"surveys": surveys})


@never_cache
@transaction.non_atomic_requests
@require_http_methods(["GET", "HEAD", "POST"])
def take(request: HttpRequest, slug: str) -> HttpResponse:
    """The survey's first page: what it is about, how anonymity and the
    one-response policy work, and (when needed) the phone, code or identity."""
    survey = public_survey(slug)
    closed = open_error(survey)
    token = browser_token(request, survey)
    spent = survey.one_per == OnePer.BROWSER and guards.is_token_spent(survey, token)
    draft = get_draft(request, survey)
    form = None
    if closed is None and not spent and needs_start(survey):
        initial = {k: v for k, v in draft["start"].items() if k != "consent"}
        data = request.POST if request.method == "POST" else None
        form = StartForm(survey, data, initial=initial)
    if request.method == "POST":
        if closed is not None:
            return refused(request, survey, closed.messages[0], 410)
        if spent:
            drop_draft(request, survey)
            return refused(request, survey, guards.MSG_ALREADY, 409)
        if form is not None:
            if survey.one_per == OnePer.CODE:
                try:
                    services.check_rate("code", client_ip(request))
                except RateLimited as error:
                    return too_many(request, error)
            if form.is_valid():
                draft["start"] = dict(form.cleaned_data)
                draft["started"] = True
                save_draft(request, survey, draft)
                return redirect("surveys:page", slug=survey.slug, n=1)
        else:
            draft["started"] = True
            save_draft(request, survey, draft)
            return ensure_cookie(request, survey, redirect("surveys:page", slug=survey.slug, n=1))
    flow = Flow(survey, draft)
    context = {
        "survey": survey,
        "closed": closed.messages[0] if closed is not None else "",
        "closed_code": closed.code if closed is not None else "",
        "spent": spent,
        "form": form,
        "flow": flow,
        "question_count": len(flow.questions),
        "closes_at": format_datetime(survey.closes_at),
        "has_draft": bool(draft["answers"]),
        "identified": survey.mode == Mode.IDENTIFIED,
        "og": og_context(survey, request),
    }
    return ensure_cookie(request, survey, render(request, "surveys/public/take.html", context))


@never_cache
@transaction.non_atomic_requests
@require_http_methods(["GET", "HEAD", "POST"])
def page(request: HttpRequest, slug: str, n: int) -> HttpResponse:
    """Section n (1-based) of the survey, or every section when the survey is on
    one page. POST saves the answers of the page and goes back, on, or sends."""
    survey = public_survey(slug)
    return ensure_cookie(request, survey, _page(request, survey, n))


def _page(request: HttpRequest, survey: Survey, n: int) -> HttpResponse:
    closed = open_error(survey)
    if closed is not None:
        if request.method == "POST":
            return refused(request, survey, closed.messages[0], 410)
        return redirect(survey.get_absolute_url())
    token = browser_token(request, survey)
    # A browser that has answered already is sent back (or refused) here; when it
    # sends the last page, spending its token refuses it anyway, without this read.
    sending = request.method == "POST" and request.POST.get("action") == "submit"
    if survey.one_per == OnePer.BROWSER and not sending and guards.is_token_spent(survey, token):
        drop_draft(request, survey)
        if request.method == "POST":
            return refused(request, survey, guards.MSG_ALREADY, 409)
        return redirect(survey.get_absolute_url())
    draft = get_draft(request, survey)
    if needs_start(survey) and not draft["started"]:
        return redirect(survey.get_absolute_url())
    flow = Flow(survey, draft)
    if not 1 <= n <= max(flow.total, 1) or not flow.total:
        return redirect(survey.get_absolute_url())
    questions = flow.page_questions(n)

    if request.method != "POST":
        evaluation = flow.evaluation(required_check=bool(request.GET.get("kiem-tra")))
        if not flow.page_has_visible(n, evaluation.visible):
            target = flow.first_page(evaluation.visible) or 1
            if target != n:
                return redirect("surveys:page", slug=survey.slug, n=target)
        errors = {}
        if request.GET.get("kiem-tra"):
            errors = {q.pk: evaluation.errors[q.pk] for q in questions if q.pk in evaluation.errors}
        return render_page(request, flow, n, evaluation.visible, errors)

    action = request.POST.get("action", "next")
    for question in questions:
        draft["answers"][str(question.pk)] = raw_from_post(question, request.POST)
    draft["started"] = True
    save_draft(request, survey, draft)
    evaluation = flow.evaluation()

    if action == "back":
        previous = flow.previous_page(n, evaluation.visible)
        if previous is None:
            return redirect(survey.get_absolute_url())
        return redirect("surveys:page", slug=survey.slug, n=previous)

    # Questions that skip logic has just revealed on this page (not shown when the
    # page was drawn: no JavaScript) are shown before going on.
    appeared: list[int] = []
    if "shown" in request.POST:
        shown = {int(v) for v in request.POST["shown"].split(",") if v.strip().isdigit()}
        appeared = [q.pk for q in questions if q.pk in evaluation.visible and q.pk not in shown]
    page_errors = {
        q.pk: evaluation.errors[q.pk]
        for q in questions
        if q.pk in evaluation.errors and q.pk not in appeared  # not seen yet: no error
    }
    if appeared or page_errors:
        notice = MSG_MORE_QUESTIONS if appeared else ""
        return render_page(request, flow, n, evaluation.visible, page_errors, notice=notice)

    following = flow.next_page(n, evaluation.visible)
    if action != "submit" or following is not None:
        if following is None:  # "next" on the last page: show the send button
            return redirect("surveys:page", slug=survey.slug, n=n)
        return redirect("surveys:page", slug=survey.slug, n=following)

    # Send. Anything wrong on an earlier page sends the person back there.
    if evaluation.errors:
        for m in range(1, flow.total + 1):
            if any(q.pk in evaluation.errors for q in flow.page_questions(m)):
                return redirect(
                    reverse("surveys:page", kwargs={"slug": survey.slug, "n": m}) + "?kiem-tra=1"
                )
        return refused(request, survey, cleaning.MSG_UNKNOWN_QUESTION, 400)
    try:
        services.check_rate("submit", client_ip(request))
    except RateLimited as error:
        return too_many(request, error)
    start = draft["start"]
    identity = None
    if survey.mode == Mode.IDENTIFIED:
        identity = {
            "full_name": start.get("full_name", ""),
            "phone": start.get("phone", ""),
            "consent": bool(start.get("consent")),
        }
    try:
        services.submit_response(
            survey,
            draft["answers"],
            browser_token=token,
            phone=start.get("phone") or None,
            code=start.get("code") or None,
            identity=identity,
            questions=flow.questions,
            evaluation=evaluation,
        )
    except cleaning.AnswersInvalid:
        return redirect(
            reverse("surveys:page", kwargs={"slug": survey.slug, "n": 1}) + "?kiem-tra=1"
        )
    except ValidationError as error:
        code = getattr(error, "code", "") or ""
        status = {"closed": 410, "not_open": 410, "not_yet": 410}.get(code, 400)
        if code == "already":
            # This person has answered already: forget the draft (and any phone).
            drop_draft(request, survey)
            status = 409
        elif code == "code_spent":
            # Keep the answers; ask for a valid code again (the bad one is forgotten).
            draft["start"] = {}
            draft["started"] = False
            save_draft(request, survey, draft)
            status = 409
        return refused(request, survey, error.messages[0], status)
    tasks.response_stored(survey.pk)  # the guards' order is shuffled away soon
    if survey.mode == Mode.ANONYMOUS:
        tasks.response_pending(survey.pk)  # and the response is mixed into a batch
    drop_draft(request, survey)
    return redirect("surveys:thanks", slug=survey.slug)


def render_page(
    request: HttpRequest,
    flow: Flow,
    n: int,
    visible: set[int],
    errors: dict[int, str],
    *,
    notice: str = "",
) -> HttpResponse:
    survey = flow.survey
    units = unit_options(survey) if any(kinds.of(q).uses_units for q in flow.questions) else None
    answers = flow.draft["answers"]
    blocks = []
    shown: list[int] = []
    for section in flow.pages[n - 1]:
        views = []
        for q in flow.by_section[section.pk]:
            hidden = q.pk not in visible
            if not hidden:
                shown.append(q.pk)
            views.append(
                question_view(
                    q,
                    flow.numbers[q.pk],
                    answers.get(str(q.pk)),
                    error=errors.get(q.pk, ""),
                    hidden=hidden,
                    units=units,
                )
            )
        blocks.append((section, views))
    is_last = flow.next_page(n, visible) is None
    previous = flow.previous_page(n, visible)
    context = {
        "survey": survey,
        "flow": flow,
        "n": n,
        "total": flow.total,
        "percent": round(100 * n / flow.total) if flow.total else 100,
        "blocks": blocks,
        "shown": ",".join(str(pk) for pk in shown),
        "error_count": len(errors),
        "answered_count": sum(v.answered for _s, views in blocks for v in views if not v.hidden),
        "shown_count": len(shown),
        "notice": notice,
        "is_last": is_last,
        "previous": previous,
        "identified": survey.mode == Mode.IDENTIFIED,
    }
    return render(request, "surveys/public/page.html", context)


@never_cache
@require_safe
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    survey = public_survey(slug)
    return render(
        request,
        "surveys/public/thanks.html",
        {"survey": survey, "identified": survey.mode == Mode.IDENTIFIED},
    )
