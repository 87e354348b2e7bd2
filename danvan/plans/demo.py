"""The demo plan: the seed plan itself ("Kế hoạch thực hiện Đề án 08-ĐA/TU",
Huyện ủy Phụng Hiệp, 2024), its tasks of sections III and IV assigned to the
bodies it names, progress reports (some missing: overdue; the first with a
workbook attached), coordination plans of most current Front bodies and
organisations, briefings (one with its attendees listed by name), and its
computable targets."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from danvan.core.demo import DemoError, Writer, demo_home
from danvan.core.demo import say as _say
from danvan.core.models import Area, AreaKind, MemberCount, Organization, OrgKind
from danvan.plans import briefings, services
from danvan.plans.indicators import MEMBER_UNIONS, current_period
from danvan.plans.models import (
    FRONT_AND_UNIONS,
    Audience,
    BriefingFormat,
    CommunicatorKind,
    CoordinationStatus,
    Gender,
    OfficialClass,
    Plan,
    Recurrence,
    Report,
)

SEED = 12
NUMBER = "…-KH/HU"
TITLE = (
    "Thực hiện Đề án số 08-ĐA/TU ngày 16/10/2023 của Ban Chấp hành Đảng bộ tỉnh về “Nâng cao "
    "chất lượng công tác tuyên truyền, vận động đoàn viên, hội viên và nhân dân thực hiện hiệu "
    "quả chủ trương, chính sách của Đảng, Nhà nước trên địa bàn tỉnh Hậu Giang giai đoạn "
    "2023 - 2025 và các năm tiếp theo”"
)
PARTY_BODIES = ("Ban Tuyên giáo Huyện ủy Phụng Hiệp", "Ủy ban Kiểm tra Huyện ủy Phụng Hiệp")

# (number, text, lead, partners, recurrence, due date): the bodies by short name.
TASKS: list[tuple[str, str, str, tuple[str, ...], str, date | None]] = [
    ("III.1", "Lãnh đạo, chỉ đạo, cụ thể hóa, triển khai, kiểm tra, đôn đốc, giám sát người "
     "đứng đầu cấp ủy, cơ quan, Mặt trận và các đoàn thể trong tổ chức thực hiện Đề án số "
     "08-ĐA/TU và kế hoạch này; đưa nội dung vào chương trình kiểm tra, giám sát hằng năm.",
     "huyen_uy", ("ban_dan_van", "ubkt"), Recurrence.YEARLY, None),
    ("III.2", "Triển khai, quán triệt kịp thời chủ trương của Đảng, chính sách, pháp luật của "
     "Nhà nước cho cán bộ, đảng viên; tập huấn nghiệp vụ tuyên truyền, vận động cho báo cáo "
     "viên, tuyên truyền viên nòng cốt của Mặt trận và các đoàn thể ở cơ sở.",
     "ban_tuyen_giao", ("ban_dan_van", "front"), Recurrence.HALF_YEARLY, None),
    ("III.3", "Ban hành quy chế phối hợp giữa Ban Tuyên giáo, Ban Dân vận, Mặt trận và các "
     "đoàn thể trong công tác tuyên truyền, vận động; nắm bắt dư luận xã hội; củng cố đội ngũ "
     "báo cáo viên, tuyên truyền viên, người có uy tín.",
     "ban_dan_van", ("ban_tuyen_giao", "front"), Recurrence.ONCE, date(2024, 6, 30)),
    ("III.5", "Thường xuyên nắm bắt tình hình, vấn đề bức xúc trong Nhân dân; phát huy vai trò "
     "giám sát, phản biện xã hội; kịp thời kiến nghị cấp ủy, chính quyền giải quyết.",
     "front", ("women", "farmers", "youth", "veterans"), Recurrence.QUARTERLY, None),
    ("III.6", "Tăng cường thông tin, tuyên truyền phù hợp với đồng bào dân tộc thiểu số, đồng "
     "bào tôn giáo; phát huy vai trò người có uy tín, cốt cán trong tôn giáo.",
     "front", ("ban_dan_van",), Recurrence.HALF_YEARLY, None),
    ("III.9", "Kiểm tra định kỳ 6 tháng, năm; sơ kết, tổng kết; phát hiện và nhân rộng mô "
     "hình, điển hình tiêu biểu trong công tác tuyên truyền, vận động.",
     "ban_dan_van", ("ubkt",), Recurrence.HALF_YEARLY, None),
    ("IV.1", "Tham mưu Ban Thường vụ Huyện ủy thành lập Ban Chỉ đạo, chọn “điểm chỉ đạo”; "
     "theo dõi, đánh giá việc thực hiện Đề án; sơ kết, tổng kết, khen thưởng.",
     "ban_dan_van", ("ban_tuyen_giao", "front"), Recurrence.ONCE, date(2024, 4, 30)),
    ("IV.2", "Tham mưu kế hoạch quán triệt, triển khai Đề án trong cán bộ, đảng viên; phối hợp "
     "cung cấp tài liệu tuyên truyền trong đoàn viên, hội viên và Nhân dân.",
     "ban_tuyen_giao", ("ban_dan_van",), Recurrence.ONCE, date(2024, 5, 31)),
    ("IV.3", "Xây dựng chương trình, kế hoạch kiểm tra, giám sát việc thực hiện Đề án đối với "
     "các tổ chức đảng trực thuộc.",
     "ubkt", ("ban_dan_van",), Recurrence.YEARLY, None),
    ("IV.4", "Mặt trận Tổ quốc và các đoàn thể quán triệt, phổ biến Đề án đến đoàn viên, hội "
     "viên và Nhân dân; xây dựng kế hoạch phối hợp thực hiện phù hợp với đơn vị.",
     "front", ("women", "farmers", "youth", "veterans"), Recurrence.ONCE, date(2024, 6, 30)),
]  # fmt: skip


def _district_bodies() -> dict[str, Organization]:
    """The district's bodies the plan names, the two party bodies the demo
    district lacks made once (ended with the district on 1/7/2025)."""
    district = Area.objects.filter(kind=AreaKind.DISTRICT, name="Huyện Phụng Hiệp").first()
    party = Organization.objects.filter(kind=OrgKind.PARTY, name="Huyện ủy Phụng Hiệp").first()
    if district is None or party is None:
        raise DemoError("Không tạo được kế hoạch mẫu: chưa có huyện Phụng Hiệp mẫu.")
    bodies: dict[str, Organization] = {"huyen_uy": party}
    for key, name in zip(("ban_tuyen_giao", "ubkt"), PARTY_BODIES, strict=True):
        body = Organization.objects.filter(name=name).first()
        if body is None:
            # Made as it stood before 1/7/2025 (services refuse an ended unit).
            body = Organization.objects.add_child(
                party,
                create_kwargs={
                    "name": name, "kind": OrgKind.PARTY, "area": district,
                    "valid_to": party.valid_to,
                },
            )  # fmt: skip
        bodies[key] = body
    kinds = {"ban_dan_van": OrgKind.MOBILISATION_BOARD, **{k.value: k for k in FRONT_AND_UNIONS}}
    for key, kind in kinds.items():
        found = Organization.objects.filter(area=district, kind=kind).order_by("pk").first()
        if found is None:
            raise DemoError(f"Không tạo được kế hoạch mẫu: huyện mẫu thiếu cơ quan “{key}”.")
        bodies[key] = found
    return bodies


# The plan's computable targets: (indicator, percent, deadline, wording).
TARGETS = (
    (
        "coordination_plans",
        100,
        date(2024, 12, 31),
        "100% cơ quan Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội có kế hoạch "
        "phối hợp nâng cao chất lượng công tác tuyên truyền, vận động.",
    ),
    (
        "members_briefed",
        98,
        date(2025, 12, 31),
        "98% đoàn viên, hội viên các đoàn thể được tuyên truyền, học tập các chủ "
        "trương, chính sách của Đảng, Nhà nước.",
    ),
    (
        "bodies_with_communicator",
        100,
        date(2025, 12, 31),
        "100% cơ quan Mặt trận Tổ quốc và các đoàn thể cấp xã và chi bộ các ấp có "
        "người tham gia lực lượng tuyên truyền viên cấp cơ sở.",
    ),
    (
        "trained_grassroots",
        100,
        date(2025, 12, 31),
        "100% cán bộ, công chức trực tiếp làm công tác dân vận, dân tộc, tôn giáo ở "
        "cơ sở được tập huấn công tác dân vận.",
    ),
    (
        "trained_public_facing",
        95,
        date(2025, 12, 31),
        "95% cán bộ, công chức, viên chức bộ phận trực tiếp liên quan với Nhân dân, lãnh "
        "đạo và chuyên viên theo dõi công tác dân vận được tập huấn, bồi dưỡng.",
    ),
    (
        "communes_with_practice",
        100,
        date(2025, 12, 31),
        "Phấn đấu đến năm 2025, 100% xã, thị trấn có mô hình, điển hình công tác "
        "tuyên truyền, vận động “Dân vận khéo”.",
    ),
)


def load_plans_demo(stdout: Writer | None = None) -> Plan:
    """Create the demo plan (once) and return it."""
    existing = Plan.objects.filter(number=NUMBER).first()
    if existing is not None:
        _say(stdout, "Kế hoạch mẫu đã có; không tạo thêm.")
        return existing
    _organizer, city = demo_home("kế hoạch mẫu")
    creator = get_user_model().objects.filter(username="bdv.phunghiep").first()
    rng = random.Random(SEED)
    with transaction.atomic():
        bodies = _district_bodies()
        plan = services.create_plan(
            by=creator,
            organization=bodies["huyen_uy"],
            number=NUMBER,
            issued_on=date(2024, 3, 1),
            title=TITLE,
            carries_out="Đề án số 08-ĐA/TU ngày 16/10/2023 của Ban Chấp hành Đảng bộ tỉnh",
            starts_on=date(2024, 3, 1),
            ends_on=date(2025, 12, 31),
        )
        district = bodies["huyen_uy"].area
        for number, text, lead, partners, recurrence, due_on in TASKS:
            task = services.save_task(
                plan,
                None,
                partners=[bodies[p] for p in partners],
                areas=[],
                number=number,
                text=text,
                lead=bodies[lead],
                recurrence=recurrence,
                due_on=due_on,
            )
            _reports(task, creator, rng)
        _coordination(plan, city, rng)
        _briefings(plan, city, creator, rng)
        _communicators(city, rng)
        _training(city, rng)
        for indicator, percent, deadline, text in TARGETS:
            services.add_target(
                plan,
                indicator=indicator,
                text=text,
                value=Decimal(percent),
                area=district,
                deadline=deadline,
            )
    _say(stdout, f"Đã tạo kế hoạch mẫu {plan.number} với {len(TASKS)} nhiệm vụ.")
    return plan


def _reports(task: Any, by: Any, rng: random.Random) -> None:
    """Reports of the due dates before the district ended, a few left out; the
    first report of the plan carries a workbook of its figures."""
    for body in [task.lead, *task.partners.all()]:
        for due_on in task.due_dates():
            if body.valid_to and due_on >= body.valid_to:
                break
            if rng.random() < 0.2:
                continue  # not reported: overdue
            sessions, people = rng.randint(3, 20), rng.randint(150, 1500)
            first = not Report.objects.filter(task__plan=task.plan).exists()
            services.submit_report(
                task,
                body,
                due_on,
                by=by,
                progress=rng.choice((60, 75, 80, 90, 100)),
                text=f"{body.name} đã triển khai nhiệm vụ {task.number} theo kế hoạch; "
                "tổ chức quán triệt, phân công cán bộ phụ trách và theo dõi kết quả.",
                figures=f"{sessions} cuộc, {people} lượt người dự",
                files=[_figures_workbook(body, due_on, sessions, people)] if first else [],
            )


def _figures_workbook(body: Any, due_on: date, sessions: int, people: int) -> Any:
    """A small workbook of a report's figures, made here (no file to download)."""
    import io

    from openpyxl import Workbook

    from danvan.core.documents import check_document

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Số liệu"
    ws.append(["Đơn vị", "Kỳ báo cáo", "Số cuộc tuyên truyền", "Lượt người dự"])
    ws.append([body.name, f"{due_on:%d/%m/%Y}", sessions, people])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return check_document(buf), f"Số liệu kỳ {due_on:%d-%m-%Y}.xlsx"


def _coordination(plan: Plan, city: Area, rng: random.Random) -> None:
    """Four in five current Front bodies and organisations have issued theirs."""
    bodies = Organization.objects.current().filter(
        kind__in=FRONT_AND_UNIONS, area__path__startswith=city.path
    )
    for n, body in enumerate(bodies.order_by("path")):
        if rng.random() < 0.2:
            continue
        issued = rng.random() < 0.9
        services.save_coordination_plan(
            body,
            plan,
            status=CoordinationStatus.ISSUED if issued else CoordinationStatus.DRAFT,
            number=f"{n + 10}-KH/{'MT' if body.kind == 'front' else 'ĐT'}" if issued else "",
            issued_on=date(2025, 8, 15) if issued else None,
        )


TOPICS = (
    "Quán triệt Đề án số 08-ĐA/TU của Tỉnh ủy",
    "Nghị quyết về sắp xếp đơn vị hành chính cấp xã",
    "Luật Đất đai năm 2024 và các văn bản hướng dẫn",
    "Phòng, chống lừa đảo qua mạng, bảo vệ thông tin cá nhân",
)


def _briefings(plan: Plan, city: Area, by: Any, rng: random.Random) -> None:
    """Two or three briefings of each commune's unions in the current period,
    attended by most of their members (some unions fall short of 98%)."""
    period = current_period()
    if period is None:
        return
    counts = MemberCount.objects.filter(
        period=period,
        organization__kind__in=MEMBER_UNIONS,
        organization__valid_to__isnull=True,
        organization__area__path__startswith=city.path,
        organization__area__kind=AreaKind.COMMUNE,
    ).select_related("organization__area")
    days = (period.end - period.start).days
    for n, count in enumerate(counts.order_by("organization__path")):
        body = count.organization
        share = rng.choice((0.85, 0.92, 0.97, 1.0, 1.0))
        sessions = rng.randint(2, 3)
        left = int(count.members * share)
        if n == 0 and left > len(NAMES):  # one session listed by name, counted by its names
            left -= len(NAMES)
            _named_briefing(plan, body, by, period.start)
        for n in range(sessions):
            came = left if n == sessions - 1 else rng.randint(1, max(1, left // 2))
            left -= came
            if came <= 0:
                continue
            briefings.record_briefing(
                by=by,
                organization=body,
                attendance=[(body, came)],
                plan=plan,
                topic=rng.choice(TOPICS),
                held_on=period.start + timedelta(days=rng.randint(0, days)),
                place=f"Hội trường {body.area.name}",
                format=rng.choice(BriefingFormat.values),
                audience=Audience.MEMBERS,
                confirmed=True,
            )


NAMES = (
    "Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung", "Huỳnh Văn Em",
    "Võ Thị Giang", "Đặng Văn Hải", "Bùi Thị Hồng", "Thạch Sô Phên", "Danh Thị Sa Rươne",
)  # fmt: skip


def _named_briefing(plan: Plan, body: Organization, by: Any, day: date) -> None:
    """A branch meeting whose attendees are listed by name (no count typed)."""
    named = [
        briefings.Named(
            full_name=name,
            organization=body,
            gender=Gender.FEMALE if " Thị " in name else Gender.MALE,
            ethnicity="Khmer" if name.startswith(("Thạch", "Danh")) else "Kinh",
            phone=f"09123456{k:02d}" if k % 3 == 0 else "",
        )
        for k, name in enumerate(NAMES)
    ]
    briefings.record_briefing(
        by=by, organization=body, attendance=[], named=named, plan=plan,
        topic="Sinh hoạt chuyên đề: phòng, chống lừa đảo qua mạng",
        held_on=min(day + timedelta(days=14), timezone.localdate()),
        place=f"Nhà văn hóa {body.area.name}", format=BriefingFormat.COMBINED,
        audience=Audience.MEMBERS, confirmed=True,
    )  # fmt: skip


def _communicators(city: Area, rng: random.Random) -> None:
    """Propagandists for three in four of the bodies the target counts; a few
    respected people and dignitaries, some of them Khmer speakers."""
    bodies = (
        Organization.objects.current()
        .filter(
            area__path__startswith=city.path,
            kind__in=[*FRONT_AND_UNIONS, OrgKind.PARTY_CELL],
            area__kind__in=[AreaKind.COMMUNE, AreaKind.HAMLET],
        )
        .select_related("area")
    )
    for n, body in enumerate(bodies.order_by("path")):
        if rng.random() < 0.25:
            continue
        name = NAMES[n % len(NAMES)]
        khmer = name.startswith(("Thạch", "Danh"))
        services.save_communicator(
            None,
            phone=f"09{rng.randint(10_000_000, 99_999_999)}",
            kind=rng.choice([CommunicatorKind.PROPAGANDIST, CommunicatorKind.REPORTER]),
            full_name=name,
            area=body.area,
            organization=body,
            ethnicity="Khmer" if khmer else "Kinh",
            languages="Tiếng Việt, tiếng Khmer" if khmer else "Tiếng Việt",
            active_from=date(2025, 7, 1),
            active_to=None,
        )
        if n % 7 == 0:
            services.save_communicator(
                None, phone="", kind=rng.choice([CommunicatorKind.RESPECTED,
                CommunicatorKind.DIGNITARY]), full_name=NAMES[(n + 3) % len(NAMES)],
                area=body.area, organization=None, ethnicity="Kinh", languages="Tiếng Việt",
                active_from=date(2025, 7, 1), active_to=None,
            )  # fmt: skip


def _training(city: Area, rng: random.Random) -> None:
    """Officials of each commune (its board and Front: grassroots; its People's
    Committee: facing the people), two courses by the city's board, most of
    them trained."""
    organizer, _city = demo_home("lớp tập huấn mẫu")
    grassroots = services.create_course(
        title="Tập huấn nghiệp vụ công tác dân vận cho cán bộ cơ sở năm 2025",
        organization=organizer, starts_on=date(2025, 9, 8), ends_on=date(2025, 9, 10),
        place="Trường Chính trị thành phố Cần Thơ",
    )  # fmt: skip
    public = services.create_course(
        title="Bồi dưỡng kỹ năng dân vận chính quyền, tiếp công dân năm 2025",
        organization=organizer, starts_on=date(2025, 10, 13), ends_on=date(2025, 10, 14),
        place="Hội trường Thành ủy Cần Thơ",
    )  # fmt: skip
    bodies = (
        Organization.objects.current()
        .filter(
            area__path__startswith=city.path,
            area__kind=AreaKind.COMMUNE,
            kind__in=[OrgKind.MOBILISATION_BOARD, OrgKind.FRONT, OrgKind.PARTY, OrgKind.GOVERNMENT],
        )
        .select_related("area")
    )
    taught: dict[int, list[tuple[Any, bool, str]]] = {grassroots.pk: [], public.pk: []}
    for n, body in enumerate(bodies.order_by("path")):
        facing = body.kind == OrgKind.GOVERNMENT
        for k in range(3 if facing else 1):
            official = services.save_official(
                None,
                full_name=NAMES[(n + k) % len(NAMES)],
                position="Công chức Văn phòng - Thống kê" if facing else "Cán bộ chuyên trách",
                organization=body,
                official_class=OfficialClass.PUBLIC_FACING if facing else OfficialClass.GRASSROOTS,
                left_on=None,
            )
            if rng.random() < (0.85 if facing else 0.9):
                course = public if facing else grassroots
                number = f"{len(taught[course.pk]) + 1:03d}/GCN"
                taught[course.pk].append((official, True, number))
    services.add_completions(grassroots, taught[grassroots.pk])
    services.add_completions(public, taught[public.pk])
