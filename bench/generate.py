"""Build the benchmark dataset: one contest of a province, 2,000 questions,
100,000 participants and 1,000,000 submitted attempts in a round that has closed
by time (waiting for `close_round`), plus an open round for the start/submit load.

    uv run python bench/generate.py            # PostgreSQL `danvan_bench`, full size
    uv run python bench/generate.py --small    # 5,000 participants, 10,000 attempts
    uv run python bench/generate.py --db sqlite  # bench/results/bench.sqlite3, 100k attempts

The PostgreSQL database is dropped and created again (connecting to the
`postgres` database), migrated, then filled: the unit tree, the organiser, the
contest, the bank and the rounds through the ORM; participants and attempts with
COPY (two processes for the attempts). SQLite gets the same rows with executemany.
A `bench_meta` table records what was generated, so bench/run.py can reuse it.

Attempts are realistic: 10 questions drawn 2 per topic, choices shuffled, answers
right with a per-person probability, score, duration, prediction, and exactly one
`counted` attempt per participant (the best score, then the shorter time — the
rule of services._update_counted).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 1
CONTEST_SLUG = "bench-tim-hieu-phap-luat"
CATEGORIES = [
    "Hiến pháp và pháp luật",
    "Công tác dân vận",
    "Chuyển đổi số",
    "Lịch sử địa phương",
    "Quy chế dân chủ ở cơ sở",
]
PRESETS: dict[str, dict[str, int]] = {
    "full": {"participants": 100_000, "attempts": 1_000_000, "questions": 2_000},
    "small": {"participants": 5_000, "attempts": 10_000, "questions": 2_000},
    "sqlite": {"participants": 20_000, "attempts": 100_000, "questions": 2_000},
}

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi"]
FAMILY += ["Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Lý", "Lâm", "Thạch", "Danh", "Châu"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Hữu", "Kim", "Mỹ", "Quốc", "Thị Mỹ"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hạnh", "Hiếu", "Hòa", "Hùng", "Hương", "Khang"]
GIVEN += ["Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Nhung", "Phúc", "Phương", "Quân"]
GIVEN += ["Sang", "Tâm", "Thảo", "Thủy", "Tiến", "Trang", "Trí", "Tuấn", "Vân", "Yến"]
OCCUPATIONS = ["official", "union_member", "student", "worker", "farmer", "retired", "people"]
ACCESS_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def log(message: str) -> None:
    print(f"[generate] {message}", flush=True)


class Timer:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: list[tuple[str, float]] = []

    def mark(self, label: str) -> float:
        now = time.perf_counter()
        last = self.marks[-1][1] if self.marks else self.start
        self.marks.append((label, now))
        log(f"{label}: {now - last:.1f} s")
        return now - last

    @property
    def total(self) -> float:
        return time.perf_counter() - self.start


def setup_env(db: str, preset: str | None = None) -> None:
    """Select the bench settings for `db`; call before anything imports them.
    The small preset gets a database of its own (unless BENCH_PG_URL or
    BENCH_SQLITE say otherwise), so a smoke run leaves the full data alone."""
    os.environ["BENCH_DB"] = db
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if preset == "small":
        os.environ.setdefault(
            "BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/danvan_bench_small"
        )
        os.environ.setdefault(
            "BENCH_SQLITE", str(ROOT / "bench" / "results" / "bench-small.sqlite3")
        )


def setup_django(db: str) -> None:
    setup_env(db)
    import django

    django.setup()


# --- Database lifecycle ------------------------------------------------------------------


def recreate_database(db: str) -> None:
    """PostgreSQL: drop and create the bench database. SQLite: delete the file."""
    from bench import settings as bench_settings

    if db == "sqlite":
        path = Path(bench_settings.BENCH_SQLITE)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    url = bench_settings.BENCH_PG_URL
    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        # Never pull the database from under someone else: wait for other clients
        # to leave, then give up with their names.
        deadline = time.monotonic() + 30
        while True:
            others = conn.execute(
                "SELECT pid, application_name, client_addr, state FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchall()
            if not others or time.monotonic() > deadline:
                break
            time.sleep(1)
        if others:
            raise SystemExit(
                f"!! {len(others)} other connection(s) to {name} (pids "
                f"{', '.join(str(o[0]) for o in others)}): not dropping it. Stop them, or "
                "point BENCH_PG_URL at another database."
            )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def read_meta(db: str) -> dict[str, Any] | None:
    """What bench_meta says was generated, or None (no database, table or row).
    Reads with the driver directly: no Django (and no pool waiting for a database
    that does not exist)."""
    from bench import settings as bench_settings

    try:
        if db == "sqlite":
            import sqlite3

            path = Path(bench_settings.BENCH_SQLITE)
            if not path.exists():
                return None
            with sqlite3.connect(path) as conn:
                row = conn.execute("SELECT value FROM bench_meta WHERE key = 'dataset'").fetchone()
        else:
            import psycopg

            with psycopg.connect(bench_settings.BENCH_PG_URL, connect_timeout=5) as conn:
                row = conn.execute("SELECT value FROM bench_meta WHERE key = 'dataset'").fetchone()
    except Exception:
        return None
    return json.loads(row[0]) if row else None


def dataset_intact(db: str, meta: dict[str, Any]) -> bool:
    """Are the generated rows still there (someone may have used the database)?"""
    from bench import settings as bench_settings

    checks = [
        ("SELECT count(*) FROM contests_participant WHERE contest_id = %s", meta["contest_id"]),
        ("SELECT count(*) FROM contests_attempt WHERE round_id = %s", meta["closed_round_id"]),
        ("SELECT count(*) FROM contests_question WHERE contest_id = %s", meta["contest_id"]),
        ("SELECT count(*) FROM contests_round WHERE id = %s", meta["open_round_id"]),
    ]
    expected = [meta["participants"], meta["attempts"], meta["questions"], 1]
    try:
        if db == "sqlite":
            import sqlite3

            with sqlite3.connect(bench_settings.BENCH_SQLITE) as conn:
                found = [conn.execute(q.replace("%s", "?"), [p]).fetchone()[0] for q, p in checks]
        else:
            import psycopg

            with psycopg.connect(bench_settings.BENCH_PG_URL, connect_timeout=5) as conn:
                found = [(conn.execute(q, [p]).fetchone() or [None])[0] for q, p in checks]
    except Exception:
        return False
    return found == expected


def new_database(db: str) -> None:
    """The bench database `db` dropped, created again and migrated, with the
    B2 baseline's table (what every generator starts from)."""
    recreate_database(db)
    setup_django(db)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    create_counter()


def create_counter() -> None:
    """The table of the B2 baseline view (bench.baseline.b2)."""
    from django.db import connection

    from bench.baseline import COUNTER_ROWS, COUNTER_TABLE

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {COUNTER_TABLE} (id integer PRIMARY KEY, hits bigint NOT NULL, "
            "updated_at timestamp NULL)"
        )
        cursor.executemany(
            f"INSERT INTO {COUNTER_TABLE} (id, hits) VALUES (%s, 0)",
            [(i,) for i in range(1, COUNTER_ROWS + 1)],
        )


def write_meta(meta: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_meta (key varchar(50) PRIMARY KEY, value text)"
        )
        cursor.execute("DELETE FROM bench_meta WHERE key = 'dataset'")
        cursor.execute(
            "INSERT INTO bench_meta (key, value) VALUES ('dataset', %s)", [json.dumps(meta)]
        )


# --- The world: units, organiser, contest, bank, rounds ---------------------------------


@dataclass
class World:
    contest_id: int
    closed_round_id: int
    open_round_id: int
    area_ids: list[int]
    # per category: [(question id, [choice ids in bank order], [correct ids], multiple)]
    bank: list[list[tuple[int, list[int], list[int], bool]]]


def province_tree(
    rng: random.Random,
    communes: int,
    name: str,
    code_prefix: str,
    hamlet_names: tuple[str, ...],
    *,
    with_communes: bool = False,
) -> tuple[Any, list[int]]:
    """Thành phố Cần Thơ with `communes` communes of 6 hamlets each (bench/generate.py
    and bench/survey_generate.py): the province and the ids of the hamlets (and of
    the communes before their hamlets, `with_communes`)."""
    from danvan.core import services as core
    from danvan.core.models import AreaKind

    province = core.add_area(
        None,
        name="Thành phố Cần Thơ",
        code="92",
        unit_type="Thành phố",
        kind=AreaKind.PROVINCE,
        population=1_250_000,
    )
    ids: list[int] = []
    for c in range(communes):
        commune = core.add_area(
            province,
            name=f"{'Xã' if c % 3 else 'Phường'} {name} {c + 1}",
            code=f"{code_prefix}{c + 1:04d}",
            unit_type="Xã" if c % 3 else "Phường",
            kind=AreaKind.COMMUNE,
            population=rng.randint(15_000, 80_000),
        )
        if with_communes:
            ids.append(commune.pk)
        for h in range(6):
            hamlet = core.add_hamlet(
                commune,
                name=f"{hamlet_names[h % len(hamlet_names)]} {h + 1}",
                unit_type="Ấp" if c % 3 else "Khu vực",
                population=rng.randint(1_500, 6_000),
            )
            ids.append(hamlet.pk)
        province.refresh_from_db()
    return province, ids


def build_world(questions: int, rng: random.Random) -> World:
    from django.db import transaction
    from django.utils import timezone

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
    )
    from danvan.core import services as core
    from danvan.core.models import OrgKind
    from danvan.core.text import fold

    now = timezone.now()
    with transaction.atomic():
        province, area_ids = province_tree(
            rng, 20, "Bench", "3", ("Thạnh Phú", "Phú Lợi"), with_communes=True
        )
        organizer = core.create_organization(
            name="Ban Dân vận Thành ủy Cần Thơ", kind=OrgKind.MOBILISATION_BOARD, area=province
        )
        contest = Contest.objects.create(
            title="Cuộc thi trực tuyến tìm hiểu pháp luật và công tác dân vận (benchmark)",
            slug=CONTEST_SLUG,
            summary="Dữ liệu sinh tự động cho benchmark.",
            intro="<p>Cuộc thi dùng để đo hiệu năng.</p>",
            rules="<p>Mỗi lượt 10 câu, 10 phút.</p>",
            organization=organizer,
            target_area=province,
            starts_at=now - timedelta(days=30),
            ends_at=now + timedelta(days=60),
            status=ContestStatus.PUBLISHED,
        )
        categories = [Category.objects.create(contest=contest, name=name) for name in CATEGORIES]
        question_rows = []
        for k in range(questions):
            cat = categories[k % len(categories)]
            text = (
                f"Câu {k + 1}: Theo quy định hiện hành về {cat.name.lower()}, nội dung nào sau "
                f"đây là đúng khi chính quyền cơ sở tổ chức lấy ý kiến Nhân dân về việc số {k}?"
            )
            question_rows.append(
                Question(
                    contest=contest,
                    category=cat,
                    text=text,
                    text_folded=fold(text),
                    multiple=rng.random() < 0.1,
                    explanation=(
                        f"Căn cứ khoản {k % 9 + 1} Điều {k % 80 + 1} của văn bản quy phạm pháp "
                        "luật có liên quan; các phương án còn lại không đúng với quy định."
                    ),
                )
            )
        created = Question.objects.bulk_create(question_rows, batch_size=1000)
        choice_rows = []
        for q in created:
            right = rng.sample(range(4), 2) if q.multiple else [rng.randrange(4)]
            for pos in range(4):
                choice_rows.append(
                    Choice(
                        question=q,
                        position=pos,
                        text=(
                            f"Phương án {'ABCD'[pos]}: Ủy ban nhân dân cấp xã phối hợp với Ủy ban "
                            f"Mặt trận Tổ quốc thực hiện trong {pos + 1} tuần kể từ ngày nhận."
                        ),
                        correct=pos in right,
                    )
                )
        Choice.objects.bulk_create(choice_rows, batch_size=2000)
        closed = Round.objects.create(
            contest=contest,
            number=1,
            title="Tuần 1",
            opens_at=now - timedelta(days=21),
            closes_at=now - timedelta(days=14),
            question_count=10,
            time_limit_seconds=600,
            max_attempts=0,
        )
        opened = Round.objects.create(
            contest=contest,
            number=2,
            title="Tuần 2",
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=29),
            question_count=10,
            time_limit_seconds=600,
            max_attempts=3,
        )
        for rnd in (closed, opened):
            for cat in categories:
                RoundQuota.objects.create(round=rnd, category=cat, count=2)
            for kind, quantity in [
                (PrizeKind.FIRST, 1),
                (PrizeKind.SECOND, 2),
                (PrizeKind.THIRD, 3),
                (PrizeKind.CONSOLATION, 10),
                (PrizeKind.COLLECTIVE, 3),
            ]:
                Prize.objects.create(contest=contest, round=rnd, kind=kind, quantity=quantity)

    bank: list[list[tuple[int, list[int], list[int], bool]]] = []
    by_question: dict[int, list[tuple[int, bool]]] = {}
    for cid, qid, correct in (
        Choice.objects.filter(question__contest=contest)
        .order_by("question_id", "position")
        .values_list("id", "question_id", "correct")
    ):
        by_question.setdefault(qid, []).append((cid, correct))
    for cat in categories:
        entries = []
        for qid, multiple in Question.objects.filter(category=cat).values_list("id", "multiple"):
            choices = by_question[qid]
            entries.append((qid, [c for c, _ in choices], [c for c, ok in choices if ok], multiple))
        bank.append(entries)
    return World(contest.pk, closed.pk, opened.pk, area_ids, bank)


# --- Participants ----------------------------------------------------------------------


PARTICIPANT_COLUMNS = [
    "id",
    "contest_id",
    "full_name",
    "birth_date",
    "sex",
    "phone",
    "cccd_encrypted",
    "cccd_hash",
    "area_id",
    "occupation",
    "organization_id",
    "consent_version",
    "consented_at",
    "access_code",
    "created_at",
    "erased_at",
]


def access_code(i: int) -> str:
    """Distinct 8-character codes in the app's alphabet (a bijection of i mod 31^8)."""
    n = (i * 2_654_435_761) % (31**8)
    out = []
    for _ in range(8):
        n, r = divmod(n, 31)
        out.append(ACCESS_ALPHABET[r])
    return "".join(out)


def participant_rows(world: World, count: int, rng: random.Random) -> list[tuple[Any, ...]]:
    base = datetime.now(UTC) - timedelta(days=25)
    rows = []
    for i in range(1, count + 1):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        registered = base + timedelta(seconds=rng.randrange(0, 20 * 86400))
        rows.append(
            (
                i,
                world.contest_id,
                name,
                date(rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28)),
                rng.choice(("male", "female")),
                f"09{i:08d}",
                "",
                "",
                rng.choice(world.area_ids),
                rng.choice(OCCUPATIONS),
                None,
                "1",
                registered,
                access_code(i),
                registered,
                None,
            )
        )
    return rows


# --- Attempts -------------------------------------------------------------------------


ATTEMPT_COLUMNS = [
    "round_id",
    "participant_id",
    "number",
    "token",
    "started_at",
    "deadline",
    "submitted_at",
    "paper",
    "answers",
    "prediction",
    "status",
    "score",
    "duration_ms",
    "counted",
    "rank",
]


def attempts_per_participant(participants: int, attempts: int, rng: random.Random) -> list[int]:
    """How many attempts each participant made: between 1 and 2×mean−1, summing to `attempts`."""
    mean = attempts / participants
    top = max(1, int(2 * mean) - 1)
    counts = [rng.randint(1, top) for _ in range(participants)]
    diff = attempts - sum(counts)
    i = 0
    while diff != 0:
        j = i % participants
        if diff > 0 and counts[j] < top + 5:
            counts[j] += 1
            diff -= 1
        elif diff < 0 and counts[j] > 1:
            counts[j] -= 1
            diff += 1
        i += 1
    return counts


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f+00")


def _sqlite_value(value: Any) -> Any:
    """What Django stores in SQLite: naive UTC datetimes as str(), dates as ISO."""
    if isinstance(value, datetime):
        return str(value.astimezone(UTC).replace(tzinfo=None))
    if isinstance(value, date):
        return value.isoformat()
    return value


def attempt_lines(
    world: World,
    counts: list[int],
    first_participant: int,
    opens_at: datetime,
    closes_at: datetime,
    seed: int,
    sqlite: bool,
) -> Any:
    """Yield the attempts of participants first_participant.. in COPY text format
    (PostgreSQL) or as tuples (SQLite), with exactly one counted per participant."""
    rng = random.Random(seed)
    span = int((closes_at - opens_at).total_seconds()) - 900
    round_id = world.closed_round_id
    bank = world.bank
    token = secrets.token_urlsafe
    for offset, k in enumerate(counts):
        pid = first_participant + offset
        skill = rng.uniform(0.3, 0.95)
        prediction = max(0, int(rng.gauss(100_000, 30_000)))
        starts = sorted(rng.randrange(0, span) for _ in range(k))
        rows: list[list[Any]] = []
        best = -1
        best_key: tuple[int, int] | None = None
        for n, start_s in enumerate(starts, start=1):
            paper_parts = []
            answer_parts = []
            score = 0
            drawn = []
            for entries in bank:
                drawn.extend(rng.sample(entries, 2))
            rng.shuffle(drawn)
            for qid, cids, right, multiple in drawn:
                shown = cids[:]
                rng.shuffle(shown)
                paper_parts.append(f"[{qid},[{shown[0]},{shown[1]},{shown[2]},{shown[3]}]]")
                if rng.random() < skill:
                    chosen = right
                    score += 1
                elif multiple:
                    chosen = [shown[0]] if [shown[0]] != right else [shown[1]]
                else:
                    wrong = [c for c in shown if c != right[0]]
                    chosen = [rng.choice(wrong)]
                answer_parts.append(f'"{qid}": [{", ".join(map(str, chosen))}]')
            started = opens_at + timedelta(seconds=start_s, microseconds=rng.randrange(10**6))
            deadline = started + timedelta(seconds=600)
            if rng.random() < 0.02:
                status = "expired"
                submitted = deadline
                duration = 600_000
            else:
                status = "submitted"
                duration = rng.randint(35_000, 590_000)
                submitted = started + timedelta(milliseconds=duration)
            key = (score, -duration)
            if best_key is None or key > best_key:
                best_key = key
                best = n
            rows.append(
                [
                    pid,
                    n,
                    token(18),
                    started,
                    deadline,
                    submitted,
                    "[" + ", ".join(paper_parts) + "]",
                    "{" + ", ".join(answer_parts) + "}",
                    prediction,
                    status,
                    score,
                    duration,
                ]
            )
        for row in rows:
            counted = row[1] == best
            if sqlite:
                yield (
                    round_id,
                    row[0],
                    row[1],
                    row[2],
                    _sqlite_value(row[3]),
                    _sqlite_value(row[4]),
                    _sqlite_value(row[5]),
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                    row[10],
                    row[11],
                    counted,
                    None,
                )
            else:
                yield (
                    f"{round_id}\t{row[0]}\t{row[1]}\t{row[2]}\t{_ts(row[3])}\t{_ts(row[4])}\t"
                    f"{_ts(row[5])}\t{row[6]}\t{row[7]}\t{row[8]}\t{row[9]}\t{row[10]}\t"
                    f"{row[11]}\t{'t' if counted else 'f'}\t\\N\n"
                )


def _copy_attempts_pg(job: tuple[str, World, list[int], int, datetime, datetime, int]) -> int:
    """Worker: COPY one slice of the attempts over its own connection."""
    url, world, counts, first, opens_at, closes_at, seed = job
    import psycopg

    written = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        columns = ", ".join(ATTEMPT_COLUMNS)
        with cur.copy(f"COPY contests_attempt ({columns}) FROM STDIN") as copy:
            buf = io.StringIO()
            for line in attempt_lines(world, counts, first, opens_at, closes_at, seed, False):
                buf.write(line)
                written += 1
                if written % 5000 == 0:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
    return written


# --- Loading --------------------------------------------------------------------------

Job = TypeVar("Job")


def copy_in_parallel(copy: Callable[[Job], int], jobs: list[Job]) -> int:
    """`copy(job)` for each of `jobs`, in a pool of two spawned processes (each
    opens its own connection); the rows they wrote in all."""
    with get_context("spawn").Pool(2) as pool:
        return sum(pool.map(copy, jobs))


def load_pg(world: World, participants: int, attempts: int, rng: random.Random, t: Timer) -> None:
    from django.db import connection

    from bench import settings as bench_settings
    from danvan.contests.models import Round

    rows = participant_rows(world, participants, rng)
    with connection.cursor() as cursor:
        pg = cursor.cursor  # psycopg cursor under Django's wrapper
        with pg.copy(
            f"COPY contests_participant ({', '.join(PARTICIPANT_COLUMNS)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('contests_participant', 'id'), %s)",
            [participants],
        )
    t.mark(f"participants: {participants:,} rows (COPY)")

    rnd = Round.objects.get(pk=world.closed_round_id)
    counts = attempts_per_participant(participants, attempts, rng)
    half = participants // 2
    jobs = [
        (bench_settings.BENCH_PG_URL, world, counts[:half], 1, rnd.opens_at, rnd.closes_at, 11),
        (
            bench_settings.BENCH_PG_URL,
            world,
            counts[half:],
            half + 1,
            rnd.opens_at,
            rnd.closes_at,
            12,
        ),
    ]
    written = copy_in_parallel(_copy_attempts_pg, jobs)
    t.mark(f"attempts: {written:,} rows (COPY, 2 processes)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    t.mark("VACUUM ANALYZE")


def load_sqlite(
    world: World, participants: int, attempts: int, rng: random.Random, t: Timer
) -> None:
    from django.db import connection, transaction

    from danvan.contests.models import Round

    rows = [
        tuple(_sqlite_value(v) for v in row) for row in participant_rows(world, participants, rng)
    ]
    marks = ", ".join(["%s"] * len(PARTICIPANT_COLUMNS))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO contests_participant ({', '.join(PARTICIPANT_COLUMNS)}) VALUES ({marks})",
            rows,
        )
    t.mark(f"participants: {participants:,} rows (executemany)")
    rnd = Round.objects.get(pk=world.closed_round_id)
    counts = attempts_per_participant(participants, attempts, rng)
    marks = ", ".join(["%s"] * len(ATTEMPT_COLUMNS))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO contests_attempt ({', '.join(ATTEMPT_COLUMNS)}) VALUES ({marks})",
            attempt_lines(world, counts, 1, rnd.opens_at, rnd.closes_at, 11, True),
        )
    t.mark(f"attempts: {attempts:,} rows (executemany)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    t.mark("ANALYZE")


def generate(db: str, preset: str, *, seed: int = 2025) -> dict[str, Any]:
    """Drop, migrate and fill the bench database; return the bench_meta record."""
    setup_env(db, preset)
    from bench import settings as bench_settings

    sizes = PRESETS[preset]
    t = Timer()
    log(f"{db}: preset {preset} {sizes}")
    new_database(db)
    t.mark("database created and migrated")
    rng = random.Random(seed)
    world = build_world(sizes["questions"], rng)
    t.mark(
        f"units ({len(world.area_ids) + 1}), contest, {sizes['questions']:,} questions "
        "× 4 choices, 2 rounds"
    )
    if db == "sqlite":
        load_sqlite(world, sizes["participants"], sizes["attempts"], rng, t)
    else:
        load_pg(world, sizes["participants"], sizes["attempts"], rng, t)
    meta = {
        "version": GENERATOR_VERSION,
        "db": db,
        "preset": preset,
        **sizes,
        "contest_id": world.contest_id,
        "contest_slug": CONTEST_SLUG,
        "closed_round_id": world.closed_round_id,
        "closed_round_number": 1,
        "open_round_id": world.open_round_id,
        "open_round_number": 2,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(t.total, 1),
        "target": bench_settings.BENCH_SQLITE if db == "sqlite" else bench_settings.BENCH_PG_URL,
    }
    write_meta(meta)
    log(f"done in {t.total:.1f} s")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["pg", "sqlite"], default="pg")
    parser.add_argument("--small", action="store_true", help="5k participants, 10k attempts")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="overrides --small")
    args = parser.parse_args(argv)
    preset = args.preset or (
        "small" if args.small else ("sqlite" if args.db == "sqlite" else "full")
    )
    generate(args.db, preset)
    return 0


if __name__ == "__main__":
    sys.exit(main())
