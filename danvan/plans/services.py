"""Every write of the plans app, one function each, in one transaction,
refusing with a Vietnamese `ValidationError` and then changing nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from danvan.core import documents
from danvan.core.documents import CheckedDocument
from danvan.core.indicators import FIGURES
from danvan.core.models import Area, Organization, Period
from danvan.plans.models import (
    FRONT_AND_UNIONS,
    AggregateReturn,
    Communicator,
    Completion,
    CoordinationPlan,
    CoordinationStatus,
    Course,
    Dispatch,
    Material,
    MaterialFile,
    Official,
    Plan,
    Report,
    ReportFile,
    Target,
    Task,
    TaskStatus,
)

REPORT_FOLDER = "plans/reports"
COORDINATION_FOLDER = "plans/coordination"
MAX_REPORT_FILES = 5

documents.remove_stored_with(MaterialFile, ReportFile, CoordinationPlan)


def _check_period(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu thực hiện.", code="period")


def create_plan(*, by: Any, **fields: Any) -> Plan:
    plan = Plan(created_by=by, **fields)
    _check_period(plan.starts_on, plan.ends_on)
    with transaction.atomic():
        plan.save()
    return plan


def update_plan(plan: Plan, **fields: Any) -> Plan:
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        _check_period(locked.starts_on, locked.ends_on)
        late = [
            t.number
            for t in locked.tasks.filter(due_on__isnull=False)
            if not locked.starts_on <= t.due_on <= locked.ends_on  # type: ignore[operator]
        ]
        if late:
            raise ValidationError(
                "Hạn của nhiệm vụ " + ", ".join(late) + " nằm ngoài thời gian thực hiện mới.",
                code="tasks_outside",
            )
        locked.save()
    return locked


def save_task(
    plan: Plan,
    task: Task | None,
    *,
    partners: Iterable[Organization],
    areas: Iterable[Area],
    **fields: Any,
) -> Task:
    """Add a task to the plan (task None) or change one."""
    partners, areas = list(partners), list(areas)
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        row = task or Task(plan=locked)
        for name, value in fields.items():
            setattr(row, name, value)
        if row.due_on and not locked.starts_on <= row.due_on <= locked.ends_on:
            raise ValidationError(
                f"Hạn hoàn thành phải trong thời gian thực hiện kế hoạch "
                f"({locked.starts_on:%d/%m/%Y} – {locked.ends_on:%d/%m/%Y}).",
                code="due_outside",
            )
        if row.lead in partners:
            raise ValidationError("Cơ quan chủ trì không đồng thời là cơ quan phối hợp.")
        if task is None:
            row.position = locked.tasks.count() + 1
        row.plan = locked
        row.save()
        row.partners.set(partners)
        row.areas.set(areas)
    return row


def set_task_status(task: Task, status: str) -> Task:
    with transaction.atomic():
        locked = Task.objects.select_for_update().get(pk=task.pk)
        locked.status = TaskStatus(status)
        locked.save(update_fields=["status"])
    return locked


def submit_report(
    task: Task,
    organization: Organization,
    due_on: date,
    *,
    by: Any,
    progress: int,
    text: str,
    figures: str = "",
    files: Iterable[tuple[CheckedDocument, str]] = (),
) -> Report:
    """An assigned body's report for one due date of the task, with its
    attached documents (each checked by `core.documents`, with the name it
    was sent under), all or nothing; a second one for the same date replaces
    nothing (it is refused)."""
    files = list(files)
    if len(files) > MAX_REPORT_FILES:
        raise ValidationError(
            f"Mỗi báo cáo đính kèm tối đa {MAX_REPORT_FILES} tệp.", code="too_many_files"
        )
    with documents.storing(REPORT_FOLDER) as store, transaction.atomic():
        locked = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
        if locked.status == TaskStatus.CANCELLED:
            raise ValidationError("Nhiệm vụ này không còn thực hiện.", code="cancelled")
        if (
            organization.pk != locked.lead_id
            and not locked.partners.filter(pk=organization.pk).exists()
        ):
            raise ValidationError("Đơn vị này không được giao nhiệm vụ này.", code="not_assigned")
        if due_on not in locked.due_dates():
            raise ValidationError("Kỳ báo cáo không đúng với thời hạn của nhiệm vụ.", code="due")
        if not 0 <= progress <= 100:
            raise ValidationError("Mức độ hoàn thành từ 0 đến 100%.", code="progress")
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    task=locked,
                    organization=organization,
                    due_on=due_on,
                    progress=progress,
                    text=text,
                    figures=figures,
                    created_by=by,
                )
        except IntegrityError:
            raise ValidationError(
                f"{organization.name} đã báo cáo kỳ {due_on:%d/%m/%Y} của nhiệm vụ này.",
                code="reported",
            ) from None
        for checked, file_name in files:
            ReportFile.objects.create(
                report=report,
                file_name=file_name[:200],
                stored=store(checked),
                extension=checked.extension,
                size=len(checked.data),
            )
        return report


def save_coordination_plan(
    organization: Organization,
    plan: Plan,
    *,
    status: str,
    number: str = "",
    issued_on: date | None = None,
    document: tuple[CheckedDocument, str] | None = None,
    remove_file: bool = False,
) -> CoordinationPlan:
    """The body's coordination plan for `plan`: created or changed; with
    `document` (checked by `core.documents`, and the name it was sent under)
    its file is set or replaced, with `remove_file` taken away. A file
    replaced or taken away leaves the storage once the change is committed;
    a new one goes again if the change is refused."""
    if organization.kind not in FRONT_AND_UNIONS:
        raise ValidationError(
            "Chỉ Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội lập kế hoạch phối hợp.",
            code="kind",
        )
    if status == CoordinationStatus.ISSUED and not (number.strip() and issued_on):
        raise ValidationError("Kế hoạch đã ban hành cần có số hiệu và ngày ban hành.")
    if issued_on and issued_on > timezone.localdate():
        raise ValidationError("Ngày ban hành không được sau hôm nay.", code="future")
    with documents.storing(COORDINATION_FOLDER) as store:
        name = store(document[0]) if document else ""
        with transaction.atomic():
            row, _created = CoordinationPlan.objects.select_for_update().get_or_create(
                organization=organization, plan=plan
            )
            row.status, row.number, row.issued_on = status, number.strip(), issued_on
            old = row.stored
            if document is not None:
                checked, file_name = document
                row.stored, row.file_name = name, file_name[:200]
                row.extension, row.size = checked.extension, len(checked.data)
            elif remove_file:
                row.stored = row.file_name = row.extension = ""
                row.size = 0
            row.save()
            if old and old != row.stored:
                transaction.on_commit(lambda: default_storage.delete(old))
    return row


def add_target(plan: Plan, **fields: Any) -> Target:
    from danvan.core.indicators import INDICATORS

    if fields.get("indicator") not in INDICATORS:
        raise ValidationError("Chỉ số không có trong danh sách.", code="indicator")
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        return Target.objects.create(plan=locked, position=locked.targets.count() + 1, **fields)


# --- Reading ---------------------------------------------------------------------------


@dataclass
class Due:
    """One body's report due for a task at a date: reported, late or to come."""

    task: Task
    organization: Organization
    due_on: date
    report: Report | None

    @property
    def state(self) -> str:
        if self.report is not None:
            return "reported"
        return "overdue" if self.due_on < timezone.localdate() else "coming"


def dues(tasks: Iterable[Task]) -> list[Due]:
    """Every (task, assigned body, due date) of open tasks with its report, if
    any; none for a body at a date after it ended."""
    tasks = [t for t in tasks if t.status == TaskStatus.OPEN]
    reports = {
        (r.task_id, r.organization_id, r.due_on): r
        for r in Report.objects.filter(task__in=tasks).select_related("organization")
    }
    out = []
    for task in tasks:
        bodies = [task.lead, *task.partners.all()]
        for due_on in task.due_dates():
            for body in bodies:
                if body.valid_to is not None and due_on >= body.valid_to:
                    continue  # the body had ended (merged, dissolved) by then
                out.append(Due(task, body, due_on, reports.get((task.pk, body.pk, due_on))))
    return out


# --- The communicator network ----------------------------------------------------------------


def save_communicator(
    communicator: Communicator | None, *, phone: str, **fields: Any
) -> Communicator:
    """Add a person to the network (None) or change one; the phone encrypted."""
    from danvan.core.crypto import encrypt

    row = communicator or Communicator()
    for name, value in fields.items():
        setattr(row, name, value)
    if row.active_to and row.active_to < row.active_from:
        raise ValidationError("Ngày kết thúc phải sau ngày tham gia.", code="active")
    if row.organization is not None and not (
        row.area.path.startswith(row.organization.area.path)
        or row.organization.area.path.startswith(row.area.path)
    ):
        raise ValidationError(
            "Tổ chức và địa bàn không khớp: hãy chọn tổ chức của địa bàn này hoặc cấp trên.",
            code="organization_area",
        )
    row.phone_encrypted = encrypt(phone) if phone else ""
    with transaction.atomic():
        row.save()
    return row


# --- Training of officials -----------------------------------------------------------------------


def save_official(official: Official | None, **fields: Any) -> Official:
    row = official or Official()
    for name, value in fields.items():
        setattr(row, name, value)
    with transaction.atomic():
        row.save()
    return row


def create_course(**fields: Any) -> Course:
    course = Course(**fields)
    if course.ends_on < course.starts_on:
        raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", code="period")
    with transaction.atomic():
        course.save()
    return course


def add_completions(course: Course, rows: list[tuple[Official, bool, str]]) -> list[Completion]:
    """Officials who attended the course, all or none."""
    if not rows:
        raise ValidationError("Hãy chọn ít nhất một học viên.", code="empty")
    officials = [o for o, _c, _n in rows]
    if len({o.pk for o in officials}) != len(officials):
        raise ValidationError("Mỗi học viên chỉ ghi một lần.", code="duplicate")
    gone = [o.full_name for o in officials if o.left_on and o.left_on <= course.starts_on]
    if gone:
        raise ValidationError("Đã thôi công tác trước khi mở lớp: " + ", ".join(gone), code="left")
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        already = set(
            locked.completions.filter(official__in=officials).values_list(
                "official__full_name", flat=True
            )
        )
        if already:
            raise ValidationError("Đã có trong lớp: " + ", ".join(sorted(already)), code="already")
        added = Completion.objects.bulk_create(
            Completion(course=locked, official=o, completed=done, certificate=number.strip())
            for o, done, number in rows
        )
        FIGURES.changed()  # a bulk write sends no signal
        return added


# --- Aggregate returns -------------------------------------------------------------------------


def save_return(
    *, by: Any, area: Area, period: Period, indicator: str, done: int, total: int, note: str = ""
) -> AggregateReturn:
    """A unit's totals for an indicator in a period (a new one replaces the old)."""
    from danvan.core.indicators import INDICATORS

    if indicator not in INDICATORS:
        raise ValidationError("Chỉ số không có trong danh sách.", code="indicator")
    if done > total:
        raise ValidationError(
            f"Số đạt ({done}) lớn hơn tổng số ({total}): hãy kiểm tra lại.", code="above"
        )
    if not area.is_current:
        raise ValidationError(f"{area.name} đã ngừng hoạt động.", code="ended")
    with transaction.atomic():
        row, _created = AggregateReturn.objects.update_or_create(
            area=area,
            period=period,
            indicator=indicator,
            defaults={"done": done, "total": total, "note": note.strip(), "created_by": by},
        )
    return row


# --- Briefing materials ---------------------------------------------------------------------

MATERIAL_FOLDER = "plans/materials"


def create_material(**fields: Any) -> Material:
    material = Material(**fields)
    if material.valid_to and material.valid_to < material.valid_from:
        raise ValidationError("Ngày hết hiệu lực phải sau ngày bắt đầu dùng.", code="validity")
    with transaction.atomic():
        material.save()
    return material


def add_material_file(
    material: Material, checked: Any, *, language: str, file_name: str
) -> MaterialFile:
    """Keep a checked document as the material's version in `language` (one a
    language); the file goes if the row cannot be written."""
    with documents.storing(MATERIAL_FOLDER) as store, transaction.atomic():
        locked = Material.objects.select_for_update().get(pk=material.pk)
        if locked.files.filter(language=language).exists():
            raise ValidationError(
                "Tài liệu đã có bản bằng ngôn ngữ này; hãy xóa bản cũ trước.", code="language"
            )
        return MaterialFile.objects.create(
            material=locked,
            language=language,
            file_name=file_name[:200],
            stored=store(checked),
            extension=checked.extension,
            size=len(checked.data),
        )


def send_material(material: Material, areas: Iterable[Area], sent_on: date) -> int:
    """Record the units the material was sent to (again: nothing new); returns how many."""
    areas = list(areas)
    if not areas:
        raise ValidationError("Hãy chọn ít nhất một nơi nhận.", code="empty")
    if sent_on > timezone.localdate():
        raise ValidationError("Ngày gửi không được sau hôm nay.", code="future")
    with transaction.atomic():
        Material.objects.select_for_update().get(pk=material.pk)
        before = material.dispatches.count()
        Dispatch.objects.bulk_create(
            [Dispatch(material=material, area=a, sent_on=sent_on) for a in areas],
            ignore_conflicts=True,
        )
        return material.dispatches.count() - before
