"""Build the plans benchmark dataset in a database of its own
(`danvan_bench_plans`), so the contest, survey and practices datasets are never
touched.

    uv run --frozen python bench/plans_generate.py          # 100 communes, 1,000,000 rows
    uv run --frozen python bench/plans_generate.py --small  # 10 communes, 20,000 (_small)

The database is dropped and created again, migrated, then filled:

* Thành phố Cần Thơ (code 92) with 100 communes of 10 hamlets each (1,000
  hamlets), and ten half-year reporting periods, the last one holding today;
* about 10,000 organisations: the city's bodies; in each commune its party
  committee, mobilisation board (under the party committee), People's
  Committee, Front, Women's, Farmers', Youth and Veterans' unions; in each
  hamlet its party cell, Front committee, the four union branches and three
  associations under the Front committee (elderly, Red Cross, study
  promotion). Units and organisations are bulk-inserted with their
  materialised paths (`services.create_organization` costs a tree insert and
  its checks each);
* member counts of every half-year for the city, commune and hamlet bodies
  (the ranges of the demo, `danvan.core.demo`; the dashboard's trend recounts
  the last four half-years);
* one plan of the city's party committee (`services.create_plan`), with tasks
  (`services.save_task`) assigned to every commune's party committee and
  Front, so the commune officers read it, and one target per registered
  indicator (`services.add_target`, `core.indicators.INDICATORS`);
* five years of briefings: each commune's Front and four unions hold 20
  briefings a half-year, each with the attendance of its 10 hamlet bodies:
  100,000 briefings and 1,000,000 attendance rows, with COPY; in the current
  half-year the unions' members attend at 85-100 % of their count;
* coordination plans of four in five Front bodies and unions, communicators for
  three in four of the bodies the network target counts, officials of every
  commune with two courses and most of them trained, a few practices in seven
  communes in ten, and aggregate returns of a tenth of the communes (bulk);
* a provincial officer (board admin of the city) and ten commune officers
  (board admin of their commune), whose sessions bench/plans_run.py writes.

A `bench_meta` row (kind "plans") records what was made, so bench/plans_run.py
reuses it.
"""

from __future__ import annotations

import io
import os
import random
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 2
PG_URL = "postgres://postgres@127.0.0.1:5432/danvan_bench_plans"
REDIS_URL = "redis://127.0.0.1:6379/7"
# preset -> (communes, briefings per union body and half-year)
PRESETS: dict[str, tuple[int, int]] = {"full": (100, 20), "small": (10, 4)}
HAMLETS = 10  # per commune
HALF_YEARS = 10  # five years of briefings, the current half-year last
COMMUNE_OFFICERS = 10
STAFF_USERNAME = "bench.kehoach"
COMMUNE_USERNAME = "bench.kehoach.xa{n:02d}"
PASSWORD = "bench-mat-khau-1"
HAMLET_NAMES = ("Thạnh Lợi", "Phú Hữu", "Long Thạnh", "Tân Phú", "Mỹ Hòa", "An Khánh",
                "Bình Thủy", "Thới An", "Trường Lạc", "Nhơn Ái")  # fmt: skip
TOPICS = (
    "Quán triệt Đề án số 08-ĐA/TU của Tỉnh ủy",
    "Nghị quyết về sắp xếp đơn vị hành chính cấp xã",
    "Luật Đất đai năm 2024 và các văn bản hướng dẫn",
    "Phòng, chống lừa đảo qua mạng, bảo vệ thông tin cá nhân",
    "Chuyển đổi số, dịch vụ công trực tuyến cho người dân",
    "Phòng, chống tác hại của thuốc lá và ma túy",
    "Bảo vệ môi trường, phân loại rác tại nguồn",
    "Quy chế dân chủ ở cơ sở",
)
BRIEFING_COLUMNS = ("id", "organization_id", "plan_id", "topic", "topic_folded", "held_on",
                    "place", "format", "audience", "created_by_id", "created_at")  # fmt: skip


def log(message: str) -> None:
    print(f"[plans-generate] {message}", flush=True)


def setup_env(preset: str) -> None:
    """The bench settings on the plans database and its own Redis database
    (before anything imports them)."""
    default = PG_URL if preset == "full" else PG_URL + "_small"
    os.environ.setdefault("BENCH_PLANS_PG_URL", default)
    os.environ["BENCH_PG_URL"] = os.environ["BENCH_PLANS_PG_URL"]
    os.environ.setdefault("BENCH_PLANS_REDIS_URL", REDIS_URL)
    os.environ["BENCH_REDIS_URL"] = os.environ["BENCH_PLANS_REDIS_URL"]
    from bench import generate as gen

    gen.setup_env("pg")


def half_years(today: date, count: int) -> list[tuple[str, date, date]]:
    """The `count` half-years ending with the one holding `today`, oldest first."""
    out = []
    year, first = today.year, today.month <= 6
    for _ in range(count):
        if first:
            out.append((f"6 tháng đầu năm {year}", date(year, 1, 1), date(year, 6, 30)))
        else:
            out.append((f"6 tháng cuối năm {year}", date(year, 7, 1), date(year, 12, 31)))
        year, first = (year, True) if not first else (year - 1, False)
    return out[::-1]


class Tree:
    """Rows of a treebeard MP_Node model made in memory with their paths, for
    one bulk insert (what `add_root`/`add_child` would write, without a query
    each)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.rows: list[Any] = []
        self._children: dict[str, int] = {}

    def add(self, parent: Any | None, **fields: Any) -> Any:
        base = parent.path if parent is not None else ""
        n = self._children.get(base, 0) + 1
        self._children[base] = n
        depth = parent.depth + 1 if parent is not None else 1
        row = self.model(
            path=self.model._get_path(base or None, depth, n), depth=depth, numchild=0, **fields
        )
        if parent is not None:
            parent.numchild += 1
        self.rows.append(row)
        return row

    def save(self) -> None:
        self.model.objects.bulk_create(self.rows, batch_size=2000)


def generate(preset: str, *, seed: int = 2026) -> dict[str, Any]:
    from bench import generate as gen

    communes, per_half = PRESETS[preset]
    t = gen.Timer()
    gen.new_database("pg")
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.utils import timezone

    from danvan.core import demo as core_demo
    from danvan.core import services as core
    from danvan.core.crypto import encrypt
    from danvan.core.indicators import INDICATORS
    from danvan.core.models import (
        Area,
        AreaKind,
        MemberCount,
        Organization,
        OrgKind,
        PeriodKind,
        Role,
    )
    from danvan.core.scope import scopes_changed
    from danvan.core.text import fold
    from danvan.plans import services
    from danvan.plans.models import (
        FRONT_AND_UNIONS,
        Audience,
        BriefingFormat,
        Communicator,
        CommunicatorKind,
        Completion,
        CoordinationPlan,
        CoordinationStatus,
        Official,
        OfficialClass,
        Recurrence,
    )
    from danvan.practices.models import Field, Level, Practice, Status

    cache.clear()  # the scope and figure versions of an earlier dataset
    t.mark("database created and migrated")
    rng = random.Random(seed)
    today = timezone.localdate()

    # --- Periods, units --------------------------------------------------------------------
    periods = [
        core.open_period(name=name, kind=PeriodKind.HALF_YEAR, start=start, end=end)
        for name, start, end in half_years(today, HALF_YEARS)
    ]
    current = periods[-1]
    areas = Tree(Area)
    province = areas.add(None, code="92", name="Thành phố Cần Thơ", name_folded=fold(
        "Thành phố Cần Thơ"), unit_type="Thành phố", kind=AreaKind.PROVINCE,
        population=1_250_000)  # fmt: skip
    commune_rows: list[Any] = []
    hamlets_of: dict[int, list[Any]] = {}
    for c in range(communes):
        kind = "Xã" if c % 3 else "Phường"
        name = f"{kind} Tân Lập {c + 1}"
        commune = areas.add(province, code=f"6{c + 1:04d}", name=name, name_folded=fold(name),
                            unit_type=kind, kind=AreaKind.COMMUNE,
                            population=rng.randint(15_000, 80_000))  # fmt: skip
        commune_rows.append(commune)
        hamlet_type = "Ấp" if c % 3 else "Khu vực"
        hamlets_of[c] = []
        for h in range(HAMLETS):
            name = f"{hamlet_type} {HAMLET_NAMES[h]}"
            hamlets_of[c].append(
                areas.add(
                    commune,
                    code=f"{commune.code}-{h + 1:02d}",
                    name=name,
                    name_folded=fold(name),
                    unit_type=hamlet_type,
                    kind=AreaKind.HAMLET,
                    population=rng.randint(1_500, 6_000),
                )
            )
    areas.save()
    t.mark(f"the city, {communes} communes, {communes * HAMLETS} hamlets (bulk)")

    # --- Organisations -----------------------------------------------------------------------
    orgs = Tree(Organization)

    def body(parent: Any | None, name: str, kind: str, area: Any) -> Any:
        return orgs.add(parent, name=name, name_folded=fold(name), kind=kind, area=area)

    city: dict[str, Any] = {}
    for kind, name in core_demo.CITY_BODIES:
        if kind == OrgKind.TRADE_UNION:
            continue
        parent = city[OrgKind.PARTY] if kind == OrgKind.MOBILISATION_BOARD else None
        city[kind] = body(parent, name, kind, province)
    commune_bodies: list[dict[str, Any]] = []
    hamlet_bodies: list[list[dict[str, Any]]] = []
    for c, commune in enumerate(commune_rows):
        short = commune.name.split(" ", 1)[1]
        lvl = commune.unit_type.lower()
        own: dict[str, Any] = {}
        for kind, pattern in core_demo.COMMUNE_BODIES:
            own[kind] = body(city[kind], pattern.format(lvl=lvl, n=short), kind, commune)
        own[OrgKind.MOBILISATION_BOARD] = body(
            own[OrgKind.PARTY], f"Ban Dân vận Đảng ủy {lvl} {short}",
            OrgKind.MOBILISATION_BOARD, commune,
        )  # fmt: skip
        commune_bodies.append(own)
        hamlet_bodies.append([])
        for hamlet in hamlets_of[c]:
            n = hamlet.name[len(hamlet.unit_type) + 1 :]
            at: dict[str, Any] = {}
            for kind, pattern, parent_kind in core_demo.HAMLET_BODIES:
                at[pattern] = body(own[parent_kind], pattern.format(n=n), kind, hamlet)
            at["veterans"] = body(own[OrgKind.VETERANS], f"Chi hội Cựu chiến binh ấp {n}",
                                  OrgKind.BRANCH, hamlet)  # fmt: skip
            committee = at["Ban công tác Mặt trận ấp {n}"]
            for association in ("Người cao tuổi", "Chữ thập đỏ", "Khuyến học"):
                body(committee, f"Chi hội {association} ấp {n}", OrgKind.BRANCH, hamlet)
            hamlet_bodies[-1].append(at)
    orgs.save()
    t.mark(f"{len(orgs.rows):,} organisations (bulk)")

    # --- Member counts of every half-year (entered each period; a little growth) -------------
    counts: list[Any] = []
    members: dict[int, int] = {}
    for org in orgs.rows:
        if org.area.kind == AreaKind.PROVINCE:
            span = core_demo.CITY_RANGES.get(org.kind)
        elif org.area.kind == AreaKind.COMMUNE:
            span = core_demo.COMMUNE_RANGES.get(org.kind)
        else:
            span = core_demo.HAMLET_RANGES.get(org.kind)
        if span is None:
            continue
        members[org.pk] = rng.randint(*span)
        for back, period in enumerate(reversed(periods)):
            size = round(members[org.pk] * (1 - 0.01 * back + rng.uniform(-0.01, 0.01)))
            counts.append(MemberCount(organization=org, period=period, members=max(1, size)))
    MemberCount.objects.bulk_create(counts, batch_size=5000)
    t.mark(f"{len(counts):,} member counts over {len(periods)} half-years")

    # --- Officers ---------------------------------------------------------------------------
    staff = core.create_staff_user(
        username=STAFF_USERNAME, full_name="Cán bộ Ban Dân vận Thành ủy", password=PASSWORD
    )
    core.grant_role(None, staff, Role.BOARD_ADMIN, area=province)
    step = max(1, communes // COMMUNE_OFFICERS)
    officers = []
    for n, c in enumerate(range(0, communes, step)[:COMMUNE_OFFICERS]):
        commune = commune_rows[c]
        user = core.create_staff_user(
            username=COMMUNE_USERNAME.format(n=n + 1),
            full_name=f"Cán bộ Ban Dân vận {commune.name}",
            password=PASSWORD,
        )
        core.grant_role(None, user, Role.BOARD_ADMIN, area=commune)
        officers.append({"id": user.pk, "commune_id": commune.pk, "commune": c})
    scopes_changed()
    t.mark(f"a provincial officer and {len(officers)} commune officers")

    # --- The plan, its tasks and targets ----------------------------------------------------
    first = periods[0].start
    with transaction.atomic():
        plan = services.create_plan(
            by=staff,
            organization=city[OrgKind.PARTY],
            number="25-KH/TU",
            issued_on=first,
            title="Kế hoạch nâng cao chất lượng công tác tuyên truyền, vận động đoàn viên, hội "
            "viên và Nhân dân thực hiện chủ trương, chính sách của Đảng, pháp luật của Nhà "
            "nước (benchmark)",
            carries_out="Đề án số 08-ĐA/TU của Ban Chấp hành Đảng bộ thành phố",
            starts_on=first,
            ends_on=date(today.year + 1, 12, 31),
        )
        tasks = [
            ("III.1", "Quán triệt, triển khai kế hoạch đến cán bộ, đảng viên; đưa vào chương "
             "trình kiểm tra, giám sát hằng năm.", city[OrgKind.MOBILISATION_BOARD],
             [b[OrgKind.PARTY] for b in commune_bodies], Recurrence.HALF_YEARLY),
            ("III.2", "Mặt trận và các đoàn thể quán triệt, phổ biến đến đoàn viên, hội viên và "
             "Nhân dân; xây dựng kế hoạch phối hợp thực hiện.", city[OrgKind.FRONT],
             [b[OrgKind.FRONT] for b in commune_bodies], Recurrence.QUARTERLY),
            ("III.3", "Củng cố đội ngũ báo cáo viên, tuyên truyền viên, người có uy tín ở cơ sở.",
             city[OrgKind.MOBILISATION_BOARD], [city[OrgKind.FRONT]], Recurrence.YEARLY),
            ("III.4", "Tập huấn nghiệp vụ công tác dân vận cho cán bộ cơ sở và bộ phận tiếp "
             "xúc Nhân dân.", city[OrgKind.GOVERNMENT], [city[OrgKind.MOBILISATION_BOARD]],
             Recurrence.YEARLY),
        ]  # fmt: skip
        for number, text, lead, partners, recurrence in tasks:
            services.save_task(plan, None, partners=partners, areas=[], number=number,
                               text=text, lead=lead, recurrence=recurrence)  # fmt: skip
        values = {"members_briefed": 98, "trained_public_facing": 95}
        for code, indicator in INDICATORS.items():
            value = values.get(code, 100)
            services.add_target(
                plan,
                indicator=code,
                text=f"Phấn đấu đạt {value}% — {indicator.label}.",
                value=Decimal(value),
                area=province,
                deadline=plan.ends_on,
            )
    t.mark(f"the plan, {len(tasks)} tasks, {len(INDICATORS)} targets (services)")

    # --- Coordination plans -----------------------------------------------------------------
    unions = [city[k] for k in FRONT_AND_UNIONS]
    unions += [b[k] for b in commune_bodies for k in FRONT_AND_UNIONS]
    coordination = []
    for n, org in enumerate(unions):
        if rng.random() < 0.2:
            continue
        issued = rng.random() < 0.9
        coordination.append(
            CoordinationPlan(
                organization=org,
                plan=plan,
                status=CoordinationStatus.ISSUED if issued else CoordinationStatus.DRAFT,
                number=f"{n + 10}-KH/{'MT' if org.kind == OrgKind.FRONT else 'ĐT'}"
                if issued
                else "",
                issued_on=first + timedelta(days=rng.randint(20, 120)) if issued else None,
            )
        )
    CoordinationPlan.objects.bulk_create(coordination)
    t.mark(f"{len(coordination)} coordination plans of {len(unions)} bodies")

    # --- Briefings and their attendance (COPY) ----------------------------------------------
    formats = list(BriefingFormat.values)
    folded = {topic: fold(topic) for topic in TOPICS}
    briefing_id = 0
    attendance = 0
    bodies_of = {
        OrgKind.FRONT: "Ban công tác Mặt trận ấp {n}",
        OrgKind.WOMEN: "Chi hội Phụ nữ ấp {n}",
        OrgKind.FARMERS: "Chi hội Nông dân ấp {n}",
        OrgKind.YOUTH: "Chi đoàn ấp {n}",
        OrgKind.VETERANS: "veterans",
    }
    with connection.cursor() as cursor:
        pg = cursor.cursor  # psycopg cursor under Django's wrapper
        cursor.execute("SET synchronous_commit = off")
        bbuf, abuf = io.StringIO(), io.StringIO()
        for c, own in enumerate(commune_bodies):
            for kind, key in bodies_of.items():
                union = own[kind]
                branches = [at[key] for at in hamlet_bodies[c]]
                audience = (Audience.PEOPLE if kind == OrgKind.FRONT else Audience.MEMBERS).value
                size = members.get(union.pk, 0)
                for period in periods:
                    last = min(period.end, today)
                    days = (last - period.start).days
                    # The members attend at 85-100 % of their count in a half-year.
                    share = rng.choice((0.85, 0.92, 0.97, 1.0, 1.02)) if size else 0
                    each = size * share / (per_half * HAMLETS) if size else 10
                    for _b in range(per_half):
                        briefing_id += 1
                        held = period.start + timedelta(days=rng.randint(0, days))
                        topic = TOPICS[rng.randrange(len(TOPICS))]
                        hamlet = hamlets_of[c][rng.randrange(HAMLETS)].name
                        bbuf.write(
                            f"{briefing_id}\t{union.pk}\t{plan.pk}\t{topic}\t{folded[topic]}\t"
                            f"{held.isoformat()}\tHội trường {hamlet}\t"
                            f"{formats[rng.randrange(len(formats))]}\t{audience}\t\\N\t"
                            f"{held.isoformat()} 15:00:00+07\n"
                        )
                        for branch in branches:
                            came = max(1, round(each * (0.7 + 0.6 * rng.random())))
                            abuf.write(f"{briefing_id}\t{branch.pk}\t{came}\tf\n")
                            attendance += 1
        with pg.copy(f"COPY plans_briefing ({', '.join(BRIEFING_COLUMNS)}) FROM STDIN") as copy:
            copy.write(bbuf.getvalue())
        t.mark(f"{briefing_id:,} briefings (COPY)")
        del bbuf
        with pg.copy(
            "COPY plans_attendance (briefing_id, organization_id, attendees, from_names) FROM STDIN"
        ) as copy:
            data = abuf.getvalue()
            for start in range(0, len(data), 8 << 20):
                copy.write(data[start : start + (8 << 20)])
        del data, abuf
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('plans_briefing', 'id'), %s)", [briefing_id]
        )
    t.mark(f"{attendance:,} attendance rows over {HALF_YEARS} half-years (COPY)")

    # --- Communicators ------------------------------------------------------------------------
    from danvan.plans.demo import NAMES

    counted = [b[k] for b in commune_bodies for k in FRONT_AND_UNIONS]
    counted += [at["Chi bộ ấp {n}"] for hamlets in hamlet_bodies for at in hamlets]
    people = []
    since = date(today.year - 1, 7, 1)
    for n, org in enumerate(counted):
        if rng.random() < 0.25:
            continue
        name = NAMES[n % len(NAMES)]
        khmer = name.startswith(("Thạch", "Danh"))
        people.append(
            Communicator(
                kind=rng.choice([CommunicatorKind.PROPAGANDIST, CommunicatorKind.REPORTER]),
                full_name=name, full_name_folded=fold(name), area=org.area, organization=org,
                ethnicity="Khmer" if khmer else "Kinh",
                languages="Tiếng Việt, tiếng Khmer" if khmer else "Tiếng Việt",
                phone_encrypted=encrypt(f"09{rng.randint(10_000_000, 99_999_999)}"),
                active_from=since,
            )
        )  # fmt: skip
        if n % 7 == 0:
            other = NAMES[(n + 3) % len(NAMES)]
            people.append(
                Communicator(
                    kind=rng.choice([CommunicatorKind.RESPECTED, CommunicatorKind.DIGNITARY]),
                    full_name=other, full_name_folded=fold(other), area=org.area,
                    organization=None, active_from=since,
                )
            )  # fmt: skip
    Communicator.objects.bulk_create(people, batch_size=2000)
    t.mark(f"{len(people):,} communicators for {len(counted):,} bodies")

    # --- Officials and their training ----------------------------------------------------------
    grassroots = services.create_course(
        title=f"Tập huấn nghiệp vụ công tác dân vận cho cán bộ cơ sở năm {today.year}",
        organization=city[OrgKind.MOBILISATION_BOARD], starts_on=date(today.year, 3, 9),
        ends_on=date(today.year, 3, 11), place="Trường Chính trị thành phố Cần Thơ",
    )  # fmt: skip
    public = services.create_course(
        title=f"Bồi dưỡng kỹ năng dân vận chính quyền, tiếp công dân năm {today.year}",
        organization=city[OrgKind.MOBILISATION_BOARD], starts_on=date(today.year, 4, 13),
        ends_on=date(today.year, 4, 14), place="Hội trường Thành ủy Cần Thơ",
    )  # fmt: skip
    officials = []
    for n, own in enumerate(commune_bodies):
        for kind in (OrgKind.MOBILISATION_BOARD, OrgKind.FRONT, OrgKind.PARTY, OrgKind.GOVERNMENT):
            facing = kind == OrgKind.GOVERNMENT
            for k in range(3 if facing else 1):
                name = NAMES[(n + k) % len(NAMES)]
                officials.append(
                    Official(
                        full_name=name, full_name_folded=fold(name), organization=own[kind],
                        position="Công chức Văn phòng - Thống kê" if facing
                        else "Cán bộ chuyên trách",
                        official_class=OfficialClass.PUBLIC_FACING if facing
                        else OfficialClass.GRASSROOTS,
                    )
                )  # fmt: skip
    Official.objects.bulk_create(officials, batch_size=2000)
    done: list[Any] = []
    for official in officials:
        facing = official.official_class == OfficialClass.PUBLIC_FACING
        if rng.random() < (0.85 if facing else 0.9):
            course = public if facing else grassroots
            done.append(
                Completion(
                    course=course,
                    official=official,
                    completed=True,
                    certificate=f"{len(done) + 1:04d}/GCN",
                )
            )
    Completion.objects.bulk_create(done, batch_size=2000)
    t.mark(f"{len(officials)} officials, 2 courses, {len(done)} completions")

    # --- A few practices (the indicator of the practices app) ----------------------------------
    practices = []
    for c, own in enumerate(commune_bodies):
        if rng.random() < 0.3:
            continue
        for k in range(rng.randint(1, 3)):
            at_hamlet = k > 0
            place = hamlets_of[c][k] if at_hamlet else commune_rows[c]
            title = f"Dân vận khéo: {rng.choice(TOPICS).lower()} — {place.name}"
            practices.append(
                Practice(
                    title=title, title_folded=fold(title), field=rng.choice(Field.values),
                    level=Level.HAMLET if at_hamlet else Level.COMMUNE, year=today.year,
                    area=place, organization=own[OrgKind.FRONT],
                    status=rng.choice([Status.IN_PROGRESS, Status.RECOGNISED, Status.REGISTERED]),
                )
            )  # fmt: skip
    Practice.objects.bulk_create(practices)
    t.mark(f"{len(practices)} practices")

    # --- Aggregate returns of a tenth of the communes ------------------------------------------
    returns = [
        [commune.pk, "trained_public_facing", rng.randint(2, 3), 3]
        for c, commune in enumerate(commune_rows)
        if c % 10 == 5
    ]
    insert_returns(returns, current.pk)
    t.mark(f"{len(returns)} aggregate returns")

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    t.mark("VACUUM ANALYZE")
    meta = {
        "kind": "plans",
        "version": GENERATOR_VERSION,
        "preset": preset,
        "communes": communes,
        "hamlets": communes * HAMLETS,
        "organizations": len(orgs.rows),
        "member_counts": len(counts),
        "period_id": current.pk,
        "period": [current.name, current.start.isoformat(), current.end.isoformat()],
        "plan_id": plan.pk,
        "targets": len(INDICATORS),
        "indicators": list(INDICATORS),
        "coordination_plans": len(coordination),
        "briefings": briefing_id,
        "attendance": attendance,
        "communicators": len(people),
        "officials": len(officials),
        "completions": len(done),
        "practices": len(practices),
        "returns": returns,
        "staff_id": staff.pk,
        "officers": officers,
        "commune_ids": [c.pk for c in commune_rows],
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    gen.write_meta(meta)
    log(f"generated in {t.total:.1f} s")
    return meta


def insert_returns(returns: list[list[Any]], period_id: int) -> None:
    """The generated aggregate returns (written again by bench/plans_run.py's reset)."""
    from danvan.core.indicators import FIGURES
    from danvan.plans.models import AggregateReturn

    AggregateReturn.objects.bulk_create(
        AggregateReturn(area_id=area, period_id=period_id, indicator=code, done=done, total=total,
                        note="Báo cáo của xã (sinh tự động)")
        for area, code, done, total in returns
    )  # fmt: skip
    FIGURES.changed()


def intact(meta: dict[str, Any]) -> bool:
    """Are the generated rows still there, and does the current period still hold today?"""
    from zoneinfo import ZoneInfo

    from bench.common import rows_intact

    start, end = (date.fromisoformat(d) for d in meta["period"][1:])
    if not start <= datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date() <= end:
        return False
    checks = [
        ("SELECT count(*) FROM plans_attendance a JOIN plans_briefing b ON b.id = a.briefing_id "
         "WHERE b.id <= %s", [meta["briefings"]], meta["attendance"]),
        ("SELECT count(*) FROM core_organization", [], meta["organizations"]),
        ("SELECT count(*) FROM plans_target WHERE plan_id = %s", [meta["plan_id"]],
         meta["targets"]),
        ("SELECT count(*) FROM core_membercount", [], meta["member_counts"]),
    ]  # fmt: skip
    return rows_intact(checks)


def main(argv: list[str] | None = None) -> int:
    from bench import common

    return common.generator_main(sys.modules[__name__], "10 communes, 20,000 attendance rows", argv)


if __name__ == "__main__":
    sys.exit(main())
