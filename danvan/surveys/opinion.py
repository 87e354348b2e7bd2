"""Public-opinion reports (báo cáo tình hình dư luận xã hội) and the board's hot issues.

Who files: collaborators (cộng tác viên dư luận xã hội) and board
administrators, for the units under the roles they hold. A report is a draft
(only its author sees and edits it) until submitted; then it is read-only and
seen by everyone whose scope covers its unit (`OpinionReport.objects.visible_to`).

Hot issues of a period in a scope: the submitted reports of the period on
units in the scope (units merged into it included), grouped by field and
topic (`topic_folded`: the topic without case and diacritics, so "Sạt lở" and
"sat lo" are one issue), ranked by

    score = Σ over the distinct units raising the issue of
            (1 + mood weight + spread weight) of that unit's most urgent report

with mood weights đồng tình 0, trái chiều 1, bức xúc 3 and spread weights
một số người 0, trong ấp 1, trong xã 2, rộng 3. Each unit counts at least 1, so
an issue raised in more units ranks higher; a unit's "bức xúc" report adds 3, a
wide spread 3 more (a unit contributes 1 to 7). Ties: more units, more
reports, then the topic in dictionary order.

Trend: the issue's number of reports against the previous period of the same
kind (the latest six months, or year, that ended before this one started):
↑ more, ↓ fewer, = as many, "mới" none before.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone

from danvan.core.models import Area, Period
from danvan.core.scope import MANAGE, VIEW, get_scope, lineage_paths
from danvan.core.text import fold, vn_sort_key
from danvan.surveys.models import (
    Field,
    FollowUp,
    Mood,
    OpinionReport,
    ReportStatus,
    Spread,
)

REPORTER_ROLES = {"board_admin", "collaborator"}
MOOD_WEIGHT: dict[str, int] = {Mood.AGREE: 0, Mood.MIXED: 1, Mood.UPSET: 3}
SPREAD_WEIGHT: dict[str, int] = {Spread.FEW: 0, Spread.HAMLET: 1, Spread.COMMUNE: 2, Spread.WIDE: 3}
SCORE_RULE = (
    "Điểm = cộng, qua từng địa bàn nêu vấn đề, của 1 + mức tâm trạng (đồng tình 0, "
    "trái chiều 1, bức xúc 3) + mức lan rộng (một số người 0, trong ấp 1, trong xã 2, "
    "rộng 3) của báo cáo đáng lo nhất ở địa bàn đó. Vấn đề nhiều địa bàn nêu, có bức xúc, "
    "lan rộng thì điểm cao."
)
EDITABLE_FIELDS = [
    "period",
    "area",
    "field",
    "topic",
    "what_people_say",
    "mood",
    "spread",
    "proposals",
]


# --- Who may file, where ------------------------------------------------------------


def reporter_areas(user: Any) -> QuerySet[Area]:
    """Current units on which `user` may file a report: the subtrees of the areas
    where they hold a collaborator or board-administrator role (everything for a
    system administrator)."""
    scope = get_scope(user)
    qs = Area.objects.current()
    if scope.user_id is None:
        return qs.none()  # type: ignore[no-any-return]
    if scope.is_system_admin:
        return qs  # type: ignore[no-any-return]
    paths = {g.area_path for g in scope.grants if g.role in REPORTER_ROLES and g.area_path}
    if not paths:
        return qs.none()  # type: ignore[no-any-return]
    q = Q()
    for p in paths:
        q |= Q(path__startswith=p)
    return qs.filter(q)  # type: ignore[no-any-return]


def can_file(user: Any) -> bool:
    scope = get_scope(user)
    return scope.is_system_admin or any(
        g.role in REPORTER_ROLES and g.area_path for g in scope.grants
    )


def visible_reports(user: Any) -> QuerySet[OpinionReport]:
    """Reports `user` may read: submitted reports in scope, and their own drafts."""
    return OpinionReport.objects.visible_to(user, VIEW).filter(  # type: ignore[no-any-return]
        Q(status=ReportStatus.SUBMITTED) | Q(author_id=user.pk)
    )


def editable_reports(user: Any) -> QuerySet[OpinionReport]:
    """Drafts of `user` on units they may still report on."""
    return OpinionReport.objects.filter(  # type: ignore[no-any-return]
        author_id=user.pk,
        status=ReportStatus.DRAFT,
        area__in=reporter_areas(user),
    )


# --- Filing ------------------------------------------------------------------------


def save_report(
    user: Any,
    data: dict[str, Any],
    *,
    report: OpinionReport | None = None,
    submit: bool = False,
) -> OpinionReport:
    """Create or change a draft from cleaned form data; `submit` sends it
    (read-only from then on)."""
    if not can_file(user):
        raise PermissionDenied
    if report is not None and (report.author_id != user.pk or report.status != ReportStatus.DRAFT):
        raise ValidationError("Báo cáo đã gửi, không sửa được nữa.")
    if not reporter_areas(user).filter(pk=data["area"].pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        if report is None:
            report = OpinionReport(author=user)
        else:
            report = OpinionReport.objects.select_for_update().get(pk=report.pk)
            if report.status != ReportStatus.DRAFT:
                raise ValidationError("Báo cáo đã gửi, không sửa được nữa.")
        for name in EDITABLE_FIELDS:
            setattr(report, name, data[name])
        report.topic = " ".join(str(data["topic"]).split())
        if submit:
            report.status = ReportStatus.SUBMITTED
            report.submitted_at = timezone.now()
        report.save()
    return report


def submit_report(user: Any, report: OpinionReport) -> OpinionReport:
    """Send a draft: from now on read-only."""
    with transaction.atomic():
        locked = OpinionReport.objects.select_for_update().get(pk=report.pk)
        if locked.author_id != user.pk:
            raise PermissionDenied
        if locked.status != ReportStatus.DRAFT:
            raise ValidationError("Báo cáo này đã được gửi.")
        locked.status = ReportStatus.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_at"])
    return locked


# --- Hot issues --------------------------------------------------------------------


def previous_period(period: Period) -> Period | None:
    """The period to compare with: the latest period of the same kind (six months
    with six months, a year with a year) that ended before this one started. A
    year is never compared with one of its own halves, nor with a period that
    overlaps it."""
    return (
        Period.objects.filter(kind=period.kind, end__lt=period.start)
        .exclude(pk=period.pk)
        .order_by("-end", "-start", "-pk")
        .first()
    )


def scope_areas(user: Any, verb: str = VIEW) -> QuerySet[Area]:
    """Units a hot-issues page can be drawn for: down to communes."""
    return (  # type: ignore[no-any-return]
        Area.objects.visible_to(user, verb)
        .current()
        .filter(kind__in=["province", "district", "commune"])
        .order_by("path")
    )


def default_scope(user: Any) -> Area | None:
    """The widest unit the user sees (their own level)."""
    return scope_areas(user).order_by("depth", "path").first()


def _in_scope(scope_area: Area) -> Q:
    q = Q()
    for p in lineage_paths(scope_area.path):
        q |= Q(area__path__startswith=p)
    return q


def submitted_in(period: Period, scope_area: Area) -> QuerySet[OpinionReport]:
    return OpinionReport.objects.filter(  # type: ignore[no-any-return]
        status=ReportStatus.SUBMITTED, period_id=period.pk
    ).filter(_in_scope(scope_area))


def _weight(field_name: str, weights: dict[str, int]) -> Case:
    return Case(
        *(When(**{field_name: k}, then=Value(v)) for k, v in weights.items()),
        default=Value(0),
        output_field=IntegerField(),
    )


@dataclass
class Proposal:
    area: str
    text: str


@dataclass
class HotIssue:
    field: str
    topic_folded: str
    topic: str  # the spelling used most often
    reports: int = 0
    units: int = 0
    upset: int = 0  # reports with mood "bức xúc"
    score: int = 0
    widest: str = ""  # widest spread reported
    unit_names: list[str] = dataclasses.field(default_factory=list)
    previous: int = 0  # reports in the previous period
    has_previous_period: bool = False
    follow_ups: list[FollowUp] = dataclasses.field(default_factory=list)
    proposals: list[Proposal] = dataclasses.field(default_factory=list)

    @property
    def field_label(self) -> str:
        return str(dict(Field.choices).get(self.field, self.field))

    @property
    def widest_label(self) -> str:
        return str(dict(Spread.choices).get(self.widest, ""))

    @property
    def trend(self) -> str:
        """ "new", "up", "down" or "same" against the previous period."""
        if not self.previous:
            return "new"
        if self.reports > self.previous:
            return "up"
        if self.reports < self.previous:
            return "down"
        return "same"

    @property
    def trend_symbol(self) -> str:
        return {"new": "mới", "up": "↑", "down": "↓", "same": "="}[self.trend]

    @property
    def trend_text(self) -> str:
        if not self.has_previous_period:
            return "mới (chưa có kỳ trước)"
        if self.trend == "new":
            return "mới (kỳ trước không có)"
        return f"{self.trend_symbol} (kỳ trước {self.previous}, kỳ này {self.reports})"


@dataclass
class HotIssues:
    period: Period
    scope_area: Area
    previous_period: Period | None
    issues: list[HotIssue]
    reports: int  # submitted reports of the period in scope
    units: int  # distinct units that reported


def _spelling_preference(item: tuple[str, int]) -> tuple[Any, ...]:
    """Which spelling of a topic to show: the most used; on a tie, one written
    with its diacritics and not in capitals."""
    topic, n = item
    marks = sum(1 for ch in topic if ord(ch) > 127)
    return (-n, topic.isupper(), -marks, vn_sort_key(topic))


def hot_issues(period: Period, scope_area: Area, *, with_proposals: bool = False) -> HotIssues:
    """The hot issues of `period` in `scope_area`, most pressing first (see the
    module docstring for the score). A few aggregate queries."""
    base = submitted_in(period, scope_area)
    rows = list(
        base.annotate(
            urgency=_weight("mood", MOOD_WEIGHT) + _weight("spread", SPREAD_WEIGHT),
            spread_rank=_weight("spread", SPREAD_WEIGHT),
        )
        .values("field", "topic_folded", "area_id")
        .annotate(
            n=Count("id"),
            top=Max("urgency"),
            upset=Count("id", filter=Q(mood=Mood.UPSET)),
            widest=Max("spread_rank"),
        )
        .order_by()
    )
    spelled: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for fld, folded, topic, n in (
        base.values("field", "topic_folded", "topic")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("field", "topic_folded", "topic", "n")
    ):
        spelled[(fld, folded)][topic] += n
    names = dict(Area.objects.filter(pk__in={r["area_id"] for r in rows}).values_list("pk", "name"))
    spread_of_rank = {v: k for k, v in SPREAD_WEIGHT.items()}
    issues: dict[tuple[str, str], HotIssue] = {}
    for r in rows:
        key = (r["field"], r["topic_folded"])
        issue = issues.get(key)
        if issue is None:
            topic = min(spelled[key].items(), key=_spelling_preference)[0]
            issue = issues[key] = HotIssue(r["field"], r["topic_folded"], topic)
        issue.reports += r["n"]
        issue.units += 1
        issue.upset += r["upset"]
        issue.score += 1 + (r["top"] or 0)
        widest = spread_of_rank.get(r["widest"] or 0, Spread.FEW)
        if not issue.widest or SPREAD_WEIGHT[widest] > SPREAD_WEIGHT[issue.widest]:
            issue.widest = widest
        issue.unit_names.append(names.get(r["area_id"], ""))
    for issue in issues.values():
        issue.unit_names.sort(key=vn_sort_key)

    before = previous_period(period)
    if before is not None:
        for fld, folded, n in (
            submitted_in(before, scope_area)
            .values("field", "topic_folded")
            .annotate(n=Count("id"))
            .order_by()
            .values_list("field", "topic_folded", "n")
        ):
            if (fld, folded) in issues:
                issues[(fld, folded)].previous = n
    for issue in issues.values():
        issue.has_previous_period = before is not None

    _attach_follow_ups(issues, period, scope_area)
    if with_proposals:
        _attach_proposals(issues, base)

    ranked = sorted(
        issues.values(),
        key=lambda i: (-i.score, -i.units, -i.reports, vn_sort_key(i.topic)),
    )
    totals = base.aggregate(n=Count("id"), units=Count("area", distinct=True))
    return HotIssues(period, scope_area, before, ranked, totals["n"], totals["units"])


def _related_scopes(scope_area: Area) -> Q:
    """Follow-ups noted at this unit, above it or below it."""
    ancestors = [
        scope_area.path[: i * Area.steplen] for i in range(1, len(scope_area.path) // Area.steplen)
    ]
    return Q(scope_area__path__startswith=scope_area.path) | Q(scope_area__path__in=ancestors)


def _attach_follow_ups(
    issues: dict[tuple[str, str], HotIssue], period: Period, scope_area: Area
) -> None:
    if not issues:
        return
    topics = {folded for _f, folded in issues}
    for note in (
        FollowUp.objects.filter(period_id=period.pk, topic_folded__in=topics)
        .filter(_related_scopes(scope_area))
        .select_related("author", "scope_area")
        .order_by("created_at", "pk")
    ):
        issue = issues.get((note.field, note.topic_folded))
        if issue is not None:
            issue.follow_ups.append(note)


def _attach_proposals(
    issues: dict[tuple[str, str], HotIssue], base: QuerySet[OpinionReport]
) -> None:
    seen: set[tuple[str, str, str]] = set()
    for fld, folded, text, area in (
        base.exclude(proposals="")
        .order_by("area__path", "submitted_at", "pk")
        .values_list("field", "topic_folded", "proposals", "area__name")
    ):
        issue = issues.get((fld, folded))
        text = text.strip()
        if issue is None or not text or (fld, folded, fold(text)) in seen:
            continue
        seen.add((fld, folded, fold(text)))
        issue.proposals.append(Proposal(area, text))


# --- Follow-up ---------------------------------------------------------------------


def follow_up_areas(user: Any) -> QuerySet[Area]:
    """Units whose hot issues the user may mark as followed up (board managers)."""
    return scope_areas(user, MANAGE)


def add_follow_up(
    user: Any,
    *,
    period: Period,
    scope_area: Area,
    field: str,
    topic_folded: str,
    note: str,
) -> FollowUp:
    if not follow_up_areas(user).filter(pk=scope_area.pk).exists():
        raise PermissionDenied
    if field not in Field.values:
        raise ValidationError("Lĩnh vực không hợp lệ.")
    note = note.strip()
    if not note:
        raise ValidationError("Nhập nội dung theo dõi, xử lý.")
    return FollowUp.objects.create(
        period=period,
        scope_area=scope_area,
        field=field,
        topic_folded=fold(topic_folded)[:200],
        note=note,
        author=user,
    )


def issue_exists(period: Period, scope_area: Area, field: str, topic_folded: str) -> bool:
    return submitted_in(period, scope_area).filter(field=field, topic_folded=topic_folded).exists()


def periods() -> list[Period]:
    return list(Period.objects.latest_first())


def area_choices(areas: Iterable[Area]) -> list[tuple[int, str]]:
    """Units indented by level, in tree order."""
    units = list(areas)
    top = min((a.depth for a in units), default=0)
    return [(a.pk, f"{'— ' * (a.depth - top)}{a.name}") for a in units]


def in_unit(area: Area) -> Q:
    """Reports on `area`, on the units below it, and on the units merged into it."""
    return _in_scope(area)


# --- Drafts ------------------------------------------------------------------------


def delete_draft(user: Any, report: OpinionReport) -> None:
    """Delete one of the user's own drafts (a sent report is never deleted)."""
    with transaction.atomic():
        locked = OpinionReport.objects.select_for_update().filter(pk=report.pk).first()
        if locked is None or locked.author_id != user.pk:
            raise PermissionDenied
        if locked.status != ReportStatus.DRAFT:
            raise ValidationError("Báo cáo đã gửi, không xóa được.")
        locked.delete()  # recorded in the audit trail


# --- Topics: suggestions while typing, merging by the board -------------------------


@dataclass
class TopicSuggestion:
    topic: str  # the spelling used most often
    field: str  # the field it is filed under most often
    reports: int

    @property
    def field_label(self) -> str:
        return str(dict(Field.choices).get(self.field, self.field))


def topic_suggestions(
    user: Any, period: Period | None, *, limit: int = 200
) -> list[TopicSuggestion]:
    """Topics already used in the reports `user` may read (sent reports in their
    scope, their own drafts) of `period` and of the previous period of its kind,
    one per folded topic, most reported first. Typing the same topic groups the
    reports into one issue, and keeps the trend across periods."""
    if period is None:
        return []
    periods = [period.pk]
    before = previous_period(period)
    if before is not None:
        periods.append(before.pk)
    spelled: dict[str, Counter[str]] = defaultdict(Counter)
    fields: dict[str, Counter[str]] = defaultdict(Counter)
    for folded, topic, fld, n in (
        visible_reports(user)
        .filter(period_id__in=periods)
        .values("topic_folded", "topic", "field")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("topic_folded", "topic", "field", "n")
    ):
        spelled[folded][topic] += n
        fields[folded][fld] += n
    out = [
        TopicSuggestion(
            min(spelled[folded].items(), key=_spelling_preference)[0],
            fields[folded].most_common(1)[0][0],
            sum(spelled[folded].values()),
        )
        for folded in spelled
    ]
    out.sort(key=lambda s: (-s.reports, vn_sort_key(s.topic)))
    return out[:limit]


def issue_value(field_name: str, topic_folded: str) -> str:
    """An issue of a period as one form value: "field:topic_folded"."""
    return f"{field_name}:{topic_folded}"


def parse_issue(value: str) -> tuple[str, str] | None:
    field_name, sep, folded = (value or "").partition(":")
    if not sep or field_name not in Field.values or not folded:
        return None
    return field_name, folded


def merge_topics(
    user: Any,
    *,
    period: Period,
    scope_area: Area,
    source: tuple[str, str],
    target: tuple[str, str],
) -> int:
    """Merge the issue `source` into `target` (both (field, topic_folded)) for the
    sent reports of `period` in `scope_area`: those reports take the target's
    topic (its most used spelling) and field, and the follow-up notes of the
    source noted in the scope move with them. One transaction; each changed
    report and note is recorded in the audit trail (their old topic with it).
    Returns how many reports changed. Board managers of the unit only."""
    if not follow_up_areas(user).filter(pk=scope_area.pk).exists():
        raise PermissionDenied
    if source == target:
        raise ValidationError("Hãy chọn một vấn đề khác để gộp vào.")
    base = submitted_in(period, scope_area)
    target_topics = Counter(
        base.filter(field=target[0], topic_folded=target[1]).values_list("topic", flat=True)
    )
    if not target_topics:
        raise ValidationError("Vấn đề được chọn để gộp vào không còn trong kỳ báo cáo này.")
    topic = min(target_topics.items(), key=_spelling_preference)[0]
    with transaction.atomic():
        reports = list(
            base.filter(field=source[0], topic_folded=source[1])
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if not reports:
            raise ValidationError("Vấn đề cần gộp không còn trong kỳ báo cáo này.")
        for report in reports:
            report.topic = topic
            report.field = target[0]
            report.save(update_fields=["topic", "topic_folded", "field"])
        for note in FollowUp.objects.filter(
            period_id=period.pk,
            field=source[0],
            topic_folded=source[1],
            scope_area__path__startswith=scope_area.path,
        ):
            note.field, note.topic_folded = target
            note.save(update_fields=["field", "topic_folded"])
    return len(reports)
