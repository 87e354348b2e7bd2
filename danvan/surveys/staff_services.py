"""Every staff write of a survey: creating and editing it, its state (publish,
close, archive, back to draft) and its questionnaire (sections, questions with
their choices and conditions, their order). The staff views call these, and so
should anything else that changes a survey (a command, the admin); copies and
templates are in `builder`.

Each function is one transaction that first locks the survey row (`_lock`:
``SELECT ... FOR NO KEY UPDATE`` on PostgreSQL; on SQLite the transaction holds
the write lock from its start), then checks its rule under that lock and writes:

- the questionnaire changes only while the survey is a draft, so an edit and a
  publication cannot cross;
- a change of state starts only from the states its action allows (`TRANSITIONS`);
  publishing needs a questionnaire without problems (`forms_staff.publish_problems`);
- back to draft is refused while the survey has a response, stored or still
  waiting to be mixed (`danvan.surveys.mixing`). The statement that inserts a
  response or a pending response holds a share lock on the survey row until its
  commit and inserts nothing unless the survey is still published
  (`services._store_pending`, `services._insert_response`): a response in flight
  is either counted here (the reopen waits for its commit) or refused (it waited
  for the reopen), without an extra statement on the submit path.

A refusal raises `builder.BuilderError` (Vietnamese messages) and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from danvan.surveys import builder, tasks
from danvan.surveys.builder import (
    DOWN,
    MSG_STALE_ORDER,
    UP,
    BuilderError,
    check_order,
    next_question_position,
    next_section_position,
    ordered_questions,
    renumber,
)
from danvan.surveys.models import (
    PendingResponse,
    Question,
    Response,
    Section,
    Survey,
    SurveyStatus,
)

__all__ = [
    "DOWN",
    "TRANSITIONS",
    "UP",
    "BuilderError",
    "add_section",
    "archive_survey",
    "close_survey",
    "create_survey",
    "delete_question",
    "delete_section",
    "edit_section",
    "move_question",
    "move_question_to_section",
    "move_section",
    "not_draft_message",
    "publish_survey",
    "reopen_refusal",
    "reopen_survey",
    "reorder_questions",
    "response_count",
    "save_question",
    "update_survey",
]


# --- Locks and shared checks ----------------------------------------------------------------


def _lock(survey: Survey) -> Survey:
    """The survey row, fresh and locked until the end of the transaction."""
    return (
        Survey.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organization__area")
        .get(pk=survey.pk)
    )


def not_draft_message(survey: Survey) -> str:
    return (
        f"Khảo sát đang ở trạng thái “{survey.get_status_display()}”: chỉ sửa được phần và "
        "câu hỏi khi khảo sát là bản nháp. Chuyển về bản nháp (khi chưa có phiếu trả lời) "
        "hoặc nhân bản khảo sát để sửa."
    )


def _lock_draft(survey: Survey) -> Survey:
    locked = _lock(survey)
    if locked.status != SurveyStatus.DRAFT:
        raise BuilderError(not_draft_message(locked))
    return locked


def _count(model: Any) -> Coalesce:
    rows = model.objects.filter(survey_id=OuterRef("pk")).order_by().values("survey_id")
    counted = rows.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def response_count(survey: Survey) -> int:
    """The survey's responses, stored and waiting to be mixed, in ONE statement:
    one snapshot, so a batch being mixed (pending rows become stored ones in one
    transaction) is counted once, never missed."""
    stored, pending = (
        Survey.objects.filter(pk=survey.pk)
        .annotate(n_stored=_count(Response), n_pending=_count(PendingResponse))
        .values_list("n_stored", "n_pending")
        .get()
    )
    return int(stored) + int(pending)


def _fresh(qs: Any, pk: int, what: str) -> Any:
    """A section or question read again under the survey's lock."""
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise BuilderError(f"{what} không còn trong phiếu hỏi; hãy tải lại trang.")
    return obj


# --- Surveys --------------------------------------------------------------------------------


def create_survey(survey: Survey, *, user: Any = None, template: str = "") -> Survey:
    """Save a new survey (a draft, built by the staff form) and, with a template
    key, fill it with the template's sections and questions."""
    with transaction.atomic():
        survey.status = SurveyStatus.DRAFT
        if getattr(user, "is_authenticated", False):
            survey.created_by = user
        survey.save()
        if template:
            builder.apply_template(survey, template)
    return survey


# Fields the survey form writes: never the state (changed only by its actions) nor
# what the database or the creation set.
_NOT_EDITED = {"id", "status", "revision", "created_by", "created_at"}


def update_survey(survey: Survey) -> Survey:
    """Save the edited fields of a survey (its state stays whatever it is now).
    Refused when the survey is archived, and a change of mode or of the
    one-response policy once the survey has responses."""
    with transaction.atomic():
        locked = _lock(survey)
        if locked.status == SurveyStatus.ARCHIVED:
            raise BuilderError(
                "Khảo sát đã lưu trữ nên không sửa được. Chuyển về bản nháp nếu cần sửa."
            )
        changed_policy = (survey.mode, survey.one_per) != (locked.mode, locked.one_per)
        if changed_policy and response_count(locked):
            raise BuilderError(
                "Khảo sát đã có phiếu trả lời nên không đổi được hình thức và cách giới hạn phiếu."
            )
        survey.status = locked.status
        fields = [f.name for f in Survey._meta.concrete_fields if f.name not in _NOT_EDITED]
        survey.save(update_fields=fields)
    return survey


# --- States ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str


TRANSITIONS: dict[str, Transition] = {
    "publish": Transition((SurveyStatus.DRAFT, SurveyStatus.CLOSED), SurveyStatus.PUBLISHED),
    "close": Transition((SurveyStatus.PUBLISHED,), SurveyStatus.CLOSED),
    "archive": Transition(
        (SurveyStatus.DRAFT, SurveyStatus.PUBLISHED, SurveyStatus.CLOSED), SurveyStatus.ARCHIVED
    ),
    "reopen": Transition(
        (SurveyStatus.PUBLISHED, SurveyStatus.CLOSED, SurveyStatus.ARCHIVED), SurveyStatus.DRAFT
    ),
}


def reopen_refusal(count: int) -> str:
    return (
        f"Khảo sát đã có {count:,} phiếu trả lời nên không chuyển về bản nháp "
        "được (sửa câu hỏi sẽ làm sai kết quả). Hãy nhân bản khảo sát nếu cần một phiếu "
        "mới.".replace(",", ".")
    )


def _change_status(survey: Survey, action: str) -> Survey:
    from danvan.surveys.forms_staff import publish_problems

    transition = TRANSITIONS[action]
    with transaction.atomic():
        locked = _lock(survey)
        if locked.status not in transition.sources:
            raise BuilderError(f"Khảo sát đang ở trạng thái “{locked.get_status_display()}”.")
        if action == "publish":
            problems = publish_problems(locked).problems
            if problems:
                raise BuilderError(problems)
        elif action == "reopen":
            # Under the lock: a response in flight has committed (and is counted)
            # or will find the survey no longer published (and is refused).
            count = response_count(locked)
            if count:
                raise BuilderError(reopen_refusal(count))
        was_open = locked.status == SurveyStatus.PUBLISHED
        locked.status = transition.target
        locked.save(update_fields=["status"])  # recorded in the audit trail
        if was_open:
            # No more responses: release every pending response and forget the
            # order in which guards were spent.
            tasks.enqueue_release(locked.pk)
    survey.status = locked.status
    return locked


def publish_survey(survey: Survey) -> Survey:
    """Open the survey to respondents (from a draft, or again once closed)."""
    return _change_status(survey, "publish")


def close_survey(survey: Survey) -> Survey:
    """Stop taking responses; the pending ones are released."""
    return _change_status(survey, "close")


def archive_survey(survey: Survey) -> Survey:
    return _change_status(survey, "archive")


def reopen_survey(survey: Survey) -> Survey:
    """Back to draft, to edit the questionnaire: only while it has no response."""
    return _change_status(survey, "reopen")


# --- Sections -------------------------------------------------------------------------------


def add_section(survey: Survey, *, title: str, description: str = "") -> Section:
    """A new section at the end of the questionnaire."""
    with transaction.atomic():
        locked = _lock_draft(survey)
        return Section.objects.create(
            survey=locked,
            position=next_section_position(locked),
            title=title,
            description=description,
        )


def edit_section(section: Section, *, title: str, description: str) -> Section:
    with transaction.atomic():
        _lock_draft(section.survey)
        section.title, section.description = title, description
        section.save(update_fields=["title", "description"])
    return section


def delete_section(section: Section) -> int:
    """Delete the section and its questions; the conditions of other questions
    that referred to them are dropped. Returns how many questions went."""
    with transaction.atomic():
        survey = _lock_draft(section.survey)
        inside = set(section.questions.values_list("pk", flat=True))
        _drop_conditions_on(survey, inside)
        section.delete()
        renumber(survey)
    return len(inside)


def _drop_conditions_on(survey: Survey, question_ids: set[int]) -> None:
    for q in Question.objects.filter(survey=survey).only("pk", "show_if"):
        if (q.show_if or {}).get("question") in question_ids and q.pk not in question_ids:
            Question.objects.filter(pk=q.pk).update(show_if={})


def _swap(a: Any, b: Any) -> None:
    a.position, b.position = b.position, a.position
    type(a).objects.filter(pk=a.pk).update(position=a.position)
    type(b).objects.filter(pk=b.pk).update(position=b.position)


def move_section(section: Section, direction: str) -> bool:
    """Swap the section with its neighbour; False when it is already first or last."""
    with transaction.atomic():
        survey = _lock_draft(section.survey)
        renumber(survey)
        sections = list(survey.sections.order_by("position"))
        i = next((n for n, s in enumerate(sections) if s.pk == section.pk), None)
        if i is None:
            raise BuilderError("Phần này không còn trong phiếu hỏi; hãy tải lại trang.")
        j = i - 1 if direction == UP else i + 1
        if not 0 <= j < len(sections):
            return False
        before = ordered_questions(survey)
        _swap(sections[i], sections[j])
        check_order(before, ordered_questions(survey))
    return True


# --- Questions ------------------------------------------------------------------------------


def save_question(
    question: Question,
    *,
    section: Section | None,
    remapped: Mapping[int, dict[str, Any]] | None = None,
) -> Question:
    """Write a new or edited question (text, kind, options with its choices,
    condition), built and checked by the question form. A new question, or one
    put in another section, goes to the end of `section`; the first question of
    a survey without sections gets one ("Phần 1"). `remapped`: conditions of
    other questions that follow a choice of this one to its new place."""
    with transaction.atomic():
        survey = _lock_draft(question.survey)
        if section is None:
            section = survey.sections.order_by("-position").first() or Section.objects.create(
                survey=survey, position=1, title="Phần 1"
            )
        if section.survey_id != survey.pk:
            raise BuilderError("Phần này không thuộc cuộc khảo sát.")
        current = (
            Question.objects.filter(pk=question.pk).values_list("section_id", flat=True).first()
            if question.pk
            else None
        )
        if question.pk and current is None:
            raise BuilderError("Câu hỏi không còn trong phiếu hỏi; hãy tải lại trang.")
        question.survey = survey
        question.section = section
        if current != section.pk:
            question.position = next_question_position(section)
        question.save()
        for pk, show_if in (remapped or {}).items():
            Question.objects.filter(pk=pk, survey=survey).update(show_if=show_if)
        renumber(survey)
    return question


def delete_question(question: Question) -> None:
    """Delete the question; the conditions that referred to it are dropped."""
    with transaction.atomic():
        survey = _lock_draft(question.survey)
        _drop_conditions_on(survey, {question.pk})
        question.delete()
        renumber(survey)


def move_question(question: Question, direction: str) -> bool:
    """Move the question one step. At the top (bottom) of its section it goes to the end
    (start) of the previous (next) section, so the two buttons reach every place."""
    with transaction.atomic():
        survey = _lock_draft(question.survey)
        renumber(survey)
        current: Question = _fresh(
            Question.objects.select_related("section"), question.pk, "Câu hỏi"
        )
        before = ordered_questions(survey)
        sections = list(survey.sections.order_by("position"))
        siblings = list(current.section.questions.order_by("position"))
        i = next(n for n, q in enumerate(siblings) if q.pk == current.pk)
        j = i - 1 if direction == UP else i + 1
        if 0 <= j < len(siblings):
            _swap(siblings[i], siblings[j])
        else:
            k = next(n for n, s in enumerate(sections) if s.pk == current.section_id)
            k = k - 1 if direction == UP else k + 1
            if not 0 <= k < len(sections):
                return False
            _place_in_section(current, sections[k], at_end=direction == UP)
        check_order(before, ordered_questions(survey))
    question.refresh_from_db()
    return True


def _place_in_section(question: Question, section: Section, *, at_end: bool) -> None:
    if at_end:
        position = next_question_position(section)
    else:
        section.questions.update(position=F("position") + 1)
        position = 1
    Question.objects.filter(pk=question.pk).update(section=section, position=position)
    renumber(question.survey)


def move_question_to_section(question: Question, section: Section) -> None:
    """Put the question at the end of another section of the same survey."""
    if section.survey_id != question.survey_id:
        raise BuilderError("Phần này không thuộc cuộc khảo sát.")
    with transaction.atomic():
        survey = _lock_draft(question.survey)
        current: Question = _fresh(Question.objects, question.pk, "Câu hỏi")
        if section.pk == current.section_id:
            return
        _fresh(Section.objects, section.pk, "Phần")
        before = ordered_questions(survey)
        _place_in_section(current, section, at_end=True)
        check_order(before, ordered_questions(survey))
    question.refresh_from_db()


def reorder_questions(survey: Survey, order: list[tuple[int, list[int]]]) -> bool:
    """Put the whole questionnaire in the order given: `order` lists every section
    of the survey once, in the new order, each with the ids of its questions in
    the new order (a question may change section). Refused (BuilderError, nothing
    written) when the ids do not match the survey, or when the order would break a
    show-if condition, like the "up"/"down" moves. Returns whether anything moved."""
    with transaction.atomic():
        survey = _lock_draft(survey)
        sections = {s.pk: s for s in Section.objects.filter(survey=survey)}
        questions = {q.pk: q for q in Question.objects.filter(survey=survey)}
        section_ids = [sid for sid, _qids in order]
        question_ids = [qid for _sid, qids in order for qid in qids]
        if (
            len(set(section_ids)) != len(section_ids)
            or set(section_ids) != set(sections)
            or len(set(question_ids)) != len(question_ids)
            or set(question_ids) != set(questions)
        ):
            raise BuilderError(MSG_STALE_ORDER)
        before = ordered_questions(survey)
        check_order(before, [questions[qid] for qid in question_ids])
        moved = False
        for n, sid in enumerate(section_ids, start=1):
            if sections[sid].position != n:
                Section.objects.filter(pk=sid).update(position=n)
                moved = True
        for sid, qids in order:
            for n, qid in enumerate(qids, start=1):
                q = questions[qid]
                if q.section_id != sid or q.position != n:
                    Question.objects.filter(pk=qid).update(section_id=sid, position=n)
                    moved = True
    return moved
