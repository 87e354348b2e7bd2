"""What staff change in a contest: its details and status, its rounds, prizes,
topics and question bank. The staff views call these; so may a command or a
shell.

Each is one transaction. Whatever checks a status first locks the row that
holds it, so the status cannot change between the check and the write: the
contest row (FOR NO KEY UPDATE, which a participant registering does not wait
for), then, for a round, the round row (the lock that closing a round takes).
Every change of a contest's parts takes the contest's lock, so publishing
checks the bank and the rounds as they are. A refusal is a ValidationError
with the message the staff page shows.

The question bank needs no cache call: the database gives the contest a new
bank version on any change of a question or choice (migration 0004).

Also here: the checks that decide whether a contest can be published
(`publish_problems`), shared with the staff forms and pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from danvan.contests.bank import invalidate_round
from danvan.contests.models import (
    Category,
    Choice,
    Contest,
    ContestStatus,
    Prize,
    PrizeKind,
    Question,
    Round,
    RoundQuota,
    RoundStatus,
)
from danvan.core.models import User

CategoryOrQuestion = TypeVar("CategoryOrQuestion", Category, Question)

MSG_ARCHIVED = "Cuộc thi đã lưu trữ nên không sửa được. Khôi phục về bản nháp nếu cần sửa."
MSG_NOT_PUBLISHABLE = "Chưa công bố được cuộc thi; hãy sửa các vấn đề bên dưới."
MSG_PRIZES_CLOSED = "Đợt thi đã tổng hợp kết quả; không sửa được giải thưởng."

# Written only by their own services (the status here, the bank version by the
# database, the state of a round by closing.py), never by a form's save.
CONTEST_OWN_FIELDS = ("status", "bank_version", "created_by", "created_at")
ROUND_OWN_FIELDS = ("status", "actual_value", "closed_at", "published_at")
QUESTION_FORM_FIELDS = ("category", "text", "text_folded", "multiple", "explanation")


# --- Publishing checks --------------------------------------------------------------------------


@dataclass
class BankCounts:
    per_category: dict[int, int]
    total: int


def bank_counts(contest: Contest) -> BankCounts:
    """How many active questions the bank holds, per topic and in all."""
    rows = (
        Question.objects.filter(contest=contest, active=True)
        .values("category_id")
        .annotate(n=Count("pk"))
        .values_list("category_id", "n")
    )
    per_category = {cat: n for cat, n in rows}
    return BankCounts(per_category, sum(per_category.values()))


def round_problems(rnd: Round, counts: BankCounts) -> list[str]:
    """Why the active bank cannot give every participant a paper in this round."""
    problems: list[str] = []
    quotas = list(rnd.quotas.select_related("category"))
    for quota in quotas:
        have = counts.per_category.get(quota.category_id, 0)
        if quota.count > have:
            problems.append(
                f"{rnd}: chủ đề “{quota.category.name}” cần {quota.count} câu mỗi lượt "
                f"nhưng ngân hàng chỉ có {have} câu đang dùng."
            )
    wanted = sum(q.count for q in quotas)
    if wanted > rnd.question_count:
        problems.append(
            f"{rnd}: tổng số câu theo chủ đề ({wanted}) vượt quá số câu mỗi lượt "
            f"({rnd.question_count})."
        )
    if rnd.question_count > counts.total:
        problems.append(
            f"{rnd}: mỗi lượt cần {rnd.question_count} câu nhưng ngân hàng chỉ có "
            f"{counts.total} câu đang dùng."
        )
    return problems


def publish_problems(contest: Contest) -> list[str]:
    """Why the contest cannot be published now (empty when it can)."""
    rounds = list(contest.rounds.all())
    if not rounds:
        return ["Cuộc thi chưa có đợt thi nào. Hãy thêm ít nhất một đợt thi."]
    counts = bank_counts(contest)
    problems: list[str] = []
    for rnd in rounds:
        if rnd.status == RoundStatus.SCHEDULED:
            problems.extend(round_problems(rnd, counts))
    return problems


# --- Locks --------------------------------------------------------------------------------------


def lock_contest(contest_id: int) -> Contest:
    """The contest, its row locked until the end of the transaction."""
    return (
        Contest.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organization__area")
        .get(pk=contest_id)
    )


def lock_editable_contest(contest_id: int) -> Contest:
    """The contest, locked; refused once archived (it is changed only as a draft
    or published)."""
    contest = lock_contest(contest_id)
    if contest.status == ContestStatus.ARCHIVED:
        raise ValidationError(MSG_ARCHIVED, code="archived")
    return contest


def _editable_fields(model: type[Contest] | type[Round], own: Iterable[str]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in own]


# --- Contests -----------------------------------------------------------------------------------


def create_contest(contest: Contest, *, created_by: User) -> Contest:
    """Save a new contest (a draft)."""
    contest.created_by = created_by
    contest.status = ContestStatus.DRAFT
    contest.save()
    return contest


@transaction.atomic
def update_contest(contest: Contest) -> Contest:
    """Save a contest's details as set on `contest` (never its status); refused
    once archived."""
    lock_editable_contest(contest.pk)
    contest.save(update_fields=_editable_fields(Contest, CONTEST_OWN_FIELDS))
    return contest


def _change_status(contest: Contest, allowed_from: Sequence[str], new_status: str) -> Contest:
    with transaction.atomic():
        locked = lock_contest(contest.pk)
        if locked.status not in allowed_from:
            raise ValidationError(
                f"Cuộc thi đang ở trạng thái “{locked.get_status_display()}”.", code="status"
            )
        if new_status == ContestStatus.PUBLISHED and publish_problems(locked):
            raise ValidationError(MSG_NOT_PUBLISHABLE, code="problems")
        locked.status = new_status
        locked.save(update_fields=["status", "updated_at"])  # logged in the audit trail
    contest.status, contest.updated_at = locked.status, locked.updated_at
    return contest


def publish_contest(contest: Contest) -> Contest:
    """A draft made public; refused while the bank cannot serve its rounds."""
    return _change_status(contest, (ContestStatus.DRAFT,), ContestStatus.PUBLISHED)


def unpublish_contest(contest: Contest) -> Contest:
    """A published or archived contest back to a draft (hidden from the public)."""
    return _change_status(
        contest, (ContestStatus.PUBLISHED, ContestStatus.ARCHIVED), ContestStatus.DRAFT
    )


def archive_contest(contest: Contest) -> Contest:
    """A draft or published contest archived: kept, no longer changed."""
    return _change_status(
        contest, (ContestStatus.DRAFT, ContestStatus.PUBLISHED), ContestStatus.ARCHIVED
    )


# --- Prizes -------------------------------------------------------------------------------------


@transaction.atomic
def set_prizes(
    contest: Contest,
    rnd: Round | None,
    quantities: Mapping[str, int],
    collective_basis: str = "",
) -> None:
    """The prizes of a round (of the whole contest when `rnd` is None): how many
    of each kind (0 or missing: none); refused once the round is closed."""
    lock_editable_contest(contest.pk)
    if rnd is not None:
        status = Round.objects.select_for_update().values_list("status", flat=True).get(pk=rnd.pk)
        if status != RoundStatus.SCHEDULED:
            raise ValidationError(MSG_PRIZES_CLOSED, code="round_status")
    existing = {p.kind: p for p in Prize.objects.filter(contest=contest, round=rnd)}
    for kind in PrizeKind.values:
        quantity = quantities.get(kind) or 0
        prize = existing.get(kind)
        basis = collective_basis if kind == PrizeKind.COLLECTIVE else ""
        if quantity and prize is None:
            Prize.objects.create(
                contest=contest, round=rnd, kind=kind, quantity=quantity, basis=basis
            )
        elif quantity and prize is not None:
            prize.quantity, prize.basis = quantity, basis
            prize.save(update_fields=["quantity", "basis"])
        elif prize is not None:
            prize.delete()


# --- Rounds -------------------------------------------------------------------------------------


def save_round(rnd: Round, quotas: Mapping[Category, int]) -> Round:
    """Add a round, or change a scheduled one (never its status), with the number
    of questions drawn from each topic (0: none)."""
    with transaction.atomic():
        lock_editable_contest(rnd.contest_id)
        if rnd.pk is None:
            rnd.save()
        else:
            status = (
                Round.objects.select_for_update().values_list("status", flat=True).get(pk=rnd.pk)
            )
            if status != RoundStatus.SCHEDULED:
                label = RoundStatus(status).label
                raise ValidationError(
                    f"{rnd} đang ở trạng thái “{label}”; không sửa được nữa.", code="round_status"
                )
            rnd.save(update_fields=_editable_fields(Round, ROUND_OWN_FIELDS))
        for category, count in quotas.items():
            if count:
                RoundQuota.objects.update_or_create(
                    round=rnd, category=category, defaults={"count": count}
                )
            else:
                RoundQuota.objects.filter(round=rnd, category=category).delete()
    invalidate_round(rnd)
    return rnd


# --- Topics and questions -----------------------------------------------------------------------


def _set_fields(obj: CategoryOrQuestion, **values: Any) -> CategoryOrQuestion:
    """Set `values` on a topic or question and write only those fields, its
    contest locked and not archived (inside the caller's transaction)."""
    lock_editable_contest(obj.contest_id)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(values))
    return obj


@transaction.atomic
def add_category(contest: Contest, name: str) -> Category:
    lock_editable_contest(contest.pk)
    return Category.objects.create(contest=contest, name=name)


@transaction.atomic
def rename_category(category: Category, name: str) -> Category:
    return _set_fields(category, name=name)


@transaction.atomic
def save_question(question: Question, rows: Sequence[tuple[str, bool]]) -> Question:
    """Add a question or change one (never whether it is in use), with its
    choices: `rows` as the form lists them, (text, correct), an empty text
    removing the choice at that place. A choice keeps its row (and its id, which
    papers already drawn refer to); the rest are renumbered."""
    lock_editable_contest(question.contest_id)
    if question.pk is None:
        question.save()
    else:
        question.save(update_fields=QUESTION_FORM_FIELDS)
    existing = list(question.choices.order_by("position"))
    kept: list[tuple[Choice | None, str, bool]] = []
    for i, (text, correct) in enumerate(rows):
        choice = existing[i] if i < len(existing) else None
        if not text:
            if choice is not None:
                choice.delete()
            continue
        kept.append((choice, text, correct))
    for extra in existing[len(rows) :]:
        extra.delete()
    # Move the kept choices out of the way first: positions are unique per question.
    for n, (choice, _text, _correct) in enumerate(kept):
        if choice is not None:
            Choice.objects.filter(pk=choice.pk).update(position=100 + n)
    for n, (choice, text, correct) in enumerate(kept):
        if choice is None:
            Choice.objects.create(question=question, position=n, text=text, correct=correct)
        else:
            choice.position, choice.text, choice.correct = n, text, correct
            choice.save()
    return question


@transaction.atomic
def set_question_active(question: Question, active: bool) -> Question:
    """Stop using a question (it stays in the bank and in past papers) or use it again."""
    return _set_fields(question, active=active)
