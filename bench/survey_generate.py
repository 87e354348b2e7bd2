"""Build the survey benchmark dataset: two open anonymous surveys of a province
(one per browser, all questions on one page, 12 questions of mixed kinds), one
with 100,000 responses and one with 1,000,000, in a database of their own
(`danvan_bench_surveys`), so the contest dataset of bench/generate.py is never
touched.

    uv run python bench/survey_generate.py            # 100k + 1M responses (~5 min)
    uv run python bench/survey_generate.py --small    # 2k + 20k, danvan_bench_surveys_small

The database is dropped and created again, migrated, then filled: the unit tree,
the organisation, a staff officer and the surveys through the app's own
services; responses, answers and spent browser tokens with PostgreSQL COPY (the
1M survey from two processes). A `bench_meta` row records what was made, so
bench/survey_run.py reuses it.

Responses are realistic in shape: every respondent names a hamlet (weighted),
an age group and an occupation; choice questions lean one way; agreement,
rating and grid answers follow per-person leanings; 30 % write a short text;
a few pick "Khác" with a text. Responses are spread over the 30 days before
the generation day, in order (answer ids grow with the day, as in real use).
Spent-token hashes of generated responses start with `b0b0`, so a run can tell
them from the ones its own submits add.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 1
PG_URL = "postgres://postgres@127.0.0.1:5432/danvan_bench_surveys"
PRESETS: dict[str, list[int]] = {"full": [100_000, 1_000_000], "small": [2_000, 20_000]}
SPENT_PREFIX = "b0b0"
STAFF_USERNAME = "bench.ketqua"
DAYS = 30

SHORT_TEXTS = [
    "Làm lại cây cầu ở ấp",
    "Nạo vét kênh thủy lợi",
    "Lắp thêm đèn đường",
    "Nâng cấp đường vào trường học",
    "Có thêm sân chơi cho trẻ em",
    "Cấp nước sạch về tận nhà",
    "Giải quyết hồ sơ đất đai nhanh hơn",
    "Tổ chức dạy nghề cho thanh niên",
    "Kiểm tra ô nhiễm ở lò gạch",
    "Hỗ trợ vốn vay cho hộ nghèo",
    "Công khai các khoản đóng góp",
    "Tăng cường tuần tra ban đêm",
]
OTHER_TEXTS = ["Nghe qua nhóm Zalo của ấp", "Do con cháu kể lại", "Xem trên bảng tin của chùa"]


def log(message: str) -> None:
    print(f"[survey-generate] {message}", flush=True)


def setup_env(preset: str) -> None:
    """The bench settings on the survey database (before anything imports them)."""
    from bench import common

    common.app_env("SURVEY", preset, PG_URL)


# --- The questionnaire --------------------------------------------------------------------

# (section, kind, text, options, required)
QUESTIONNAIRE: list[tuple[int, str, str, dict[str, Any], bool]] = [
    (1, "unit", "Ông/bà đang sinh sống ở ấp, khu vực nào?", {}, True),
    (
        1,
        "dropdown",
        "Ông/bà thuộc nhóm tuổi nào?",
        {"choices": ["Dưới 30", "Từ 30 đến 44", "Từ 45 đến 59", "Từ 60 trở lên"]},
        True,
    ),
    (
        1,
        "single",
        "Nghề nghiệp chính của ông/bà?",
        {
            "choices": ["Làm ruộng, làm vườn", "Buôn bán", "Công nhân", "Cán bộ, viên chức"],
            "other": True,
        },
        False,
    ),
    (
        2,
        "single",
        "Ông/bà biết đến chủ trương sắp xếp ấp, khu vực qua kênh nào nhiều nhất?",
        {
            "choices": [
                "Loa phát thanh của ấp",
                "Họp tổ nhân dân",
                "Mạng xã hội",
                "Cán bộ đến nhà",
            ],
            "other": True,
        },
        True,
    ),
    (
        2,
        "multiple",
        "Những việc nào ở địa phương ông/bà thấy cần ưu tiên? (chọn nhiều)",
        {
            "choices": ["Đường giao thông", "Nước sạch", "Việc làm", "Trường học", "An ninh"],
            "other": True,
        },
        True,
    ),
    (2, "agreement", "Thủ tục hành chính ở xã nhanh gọn hơn trước.", {}, True),
    (2, "agreement", "Cán bộ xã lắng nghe ý kiến của Nhân dân.", {}, True),
    (
        2,
        "rating",
        "Ông/bà chấm điểm sự hài lòng với bộ phận một cửa của xã (1 đến 5)?",
        {"min": 1, "max": 5, "min_label": "Rất không hài lòng", "max_label": "Rất hài lòng"},
        True,
    ),
    (
        2,
        "grid",
        "Mức độ đồng ý của ông/bà với các ý sau:",
        {
            "rows": [
                "Cán bộ tiếp dân tận tình",
                "Thông tin được công khai đầy đủ",
                "Ý kiến của người dân được trả lời",
            ]
        },
        True,
    ),
    (
        3,
        "rating",
        "Ông/bà tin tưởng vào việc thực hiện quy chế dân chủ ở cơ sở đến mức nào (1 đến 10)?",
        {"min": 1, "max": 10, "min_label": "Không tin", "max_label": "Rất tin"},
        True,
    ),
    (
        3,
        "single",
        "Ông/bà có sẵn sàng đóng góp ngày công làm đường giao thông nông thôn không?",
        {"choices": ["Có", "Không", "Chưa quyết định"]},
        True,
    ),
    (3, "short_text", "Một điều ông/bà muốn xã làm ngay?", {}, False),
]
SECTIONS = ["Thông tin chung", "Đánh giá của ông/bà", "Ý kiến, đề xuất"]


@dataclass
class Built:
    survey_id: int
    slug: str
    responses: int
    # question ids in questionnaire order
    questions: list[int]


def build_world(rng: random.Random) -> tuple[Any, Any, list[int], list[float], Any]:
    """Province, 10 communes × 6 hamlets, the organisation, a staff officer."""
    from bench import generate as bench_generate
    from danvan.core import services as core
    from danvan.core.models import OrgKind, Role

    province, hamlets = bench_generate.province_tree(
        rng, 10, "Khảo Sát", "4", ("Thạnh Phú", "Phú Lợi", "Long Hòa")
    )
    # How many respondents each hamlet sends, relatively.
    weights = [rng.uniform(0.3, 3.0) for _ in hamlets]
    organization = core.create_organization(
        name="Ban Dân vận Thành ủy Cần Thơ", kind=OrgKind.MOBILISATION_BOARD, area=province
    )
    staff = core.create_staff_user(
        username=STAFF_USERNAME, full_name="Cán bộ xem kết quả", password="bench-mat-khau-1"
    )
    core.grant_role(None, staff, Role.BOARD_ADMIN, area=province)
    return province, organization, hamlets, weights, staff


def build_survey(slug: str, title: str, province: Any, organization: Any, responses: int) -> Built:
    from django.utils import timezone

    from danvan.surveys.models import Mode, OnePer, Question, Section, Survey, SurveyStatus

    now = timezone.now()
    survey = Survey.objects.create(
        title=title,
        slug=slug,
        intro="Ý kiến của ông/bà giúp cấp ủy, chính quyền phục vụ Nhân dân tốt hơn.",
        organization=organization,
        target_area=province,
        mode=Mode.ANONYMOUS,
        one_per=OnePer.BROWSER,
        one_section_per_page=False,
        opens_at=now - timedelta(days=DAYS + 5),
        closes_at=now + timedelta(days=60),
        status=SurveyStatus.PUBLISHED,
    )
    sections = [
        Section.objects.create(survey=survey, position=i + 1, title=title_)
        for i, title_ in enumerate(SECTIONS)
    ]
    ids = []
    for position, (section, kind, text, options, required) in enumerate(QUESTIONNAIRE, start=1):
        q = Question.objects.create(
            survey=survey,
            section=sections[section - 1],
            position=position,
            kind=kind,
            text=text,
            required=required,
            options=options,
        )
        ids.append(q.pk)
    return Built(survey.pk, slug, responses, ids)


# --- Responses ---------------------------------------------------------------------------


def _v(value: Any) -> str:
    """A COPY text field: NULL as \\N."""
    return "\\N" if value is None else str(value)


def _pick(rng: random.Random, weights: list[float]) -> int:
    return rng.choices(range(len(weights)), weights)[0]


def answer_lines(
    built: Built,
    hamlets: list[int],
    hamlet_weights: list[float],
    first_day: date,
    start: int,
    count: int,
    total: int,
    seed: int,
) -> Any:
    """Yield (responses COPY text, answers COPY text, spent COPY text) per chunk of
    responses start..start+count of `total`, days growing with the index."""
    from danvan.core.text import fold

    rng = random.Random(seed)
    q = built.questions
    short = [(t, fold(t)) for t in SHORT_TEXTS]
    other = [(t, fold(t)) for t in OTHER_TEXTS]
    resp_buf, ans_buf, spent_buf = io.StringIO(), io.StringIO(), io.StringIO()
    for i in range(start, start + count):
        rid = f"{rng.getrandbits(128):032x}"
        day = first_day + timedelta(days=i * DAYS // total)
        resp_buf.write(f"{rid}\t{built.survey_id}\t{day.isoformat()}\n")
        spent_buf.write(
            f"{rng.getrandbits(128):032x}\t{built.survey_id}\tbrowser\t"
            f"{SPENT_PREFIX}{rng.getrandbits(240):060x}\n"
        )
        mood = rng.uniform(-1.5, 1.5)  # leaning of this person, on the 5-point scales

        def line(qid: int, choice: Any = None, row: Any = None, number: Any = None,
                 text: str = "", folded: str = "", area: Any = None,
                 _rid: str = rid, _buf: io.StringIO = ans_buf) -> None:  # fmt: skip
            _buf.write(
                f"{_rid}\t{qid}\t{_v(choice)}\t{_v(row)}\t{_v(number)}\t"
                f"{text}\t{folded}\t\\N\t{_v(area)}\n"
            )

        def scale(points: int, _mood: float = mood) -> int:
            centre = (points - 1) / 2 + _mood * (points - 1) / 4
            return min(points - 1, max(0, round(rng.gauss(centre, points / 5))))

        line(q[0], area=hamlets[_pick(rng, hamlet_weights)])
        line(q[1], choice=_pick(rng, [2, 3, 3, 2]))
        if rng.random() < 0.9:
            job = _pick(rng, [5, 2, 2, 1, 0.3])
            if job == 4:
                line(q[2], choice=-1, text="Chạy xe ôm", folded=fold("Chạy xe ôm"))
            else:
                line(q[2], choice=job)
        channel = _pick(rng, [4, 3, 2, 1, 0.2])
        if channel == 4:
            t, f = rng.choice(other)
            line(q[3], choice=-1, text=t, folded=f)
        else:
            line(q[3], choice=channel)
        picked = [c for c, p in enumerate([0.55, 0.45, 0.35, 0.2, 0.25]) if rng.random() < p]
        for c in picked or [rng.randrange(5)]:
            line(q[4], choice=c)
        if rng.random() < 0.01:
            line(q[4], choice=-1, text="Chợ nông thôn", folded=fold("Chợ nông thôn"))
        line(q[5], choice=scale(5))
        line(q[6], choice=scale(5))
        line(q[7], number=f"{scale(5) + 1}.0")
        for r in range(3):
            line(q[8], row=r, choice=scale(5))
        line(q[9], number=f"{scale(10) + 1}.0")
        line(q[10], choice=_pick(rng, [6, 1, 3]))
        if rng.random() < 0.3:
            t, f = rng.choice(short)
            line(q[11], text=t, folded=f)
        if (i - start + 1) % 2000 == 0:
            yield resp_buf.getvalue(), ans_buf.getvalue(), spent_buf.getvalue()
            resp_buf, ans_buf, spent_buf = io.StringIO(), io.StringIO(), io.StringIO()
    yield resp_buf.getvalue(), ans_buf.getvalue(), spent_buf.getvalue()


ANSWER_COLUMNS = "response_id, question_id, choice, row, number, text, text_folded, date, area_id"


def _copy_job(job: tuple[str, Built, list[int], list[float], date, int, int, int, int]) -> int:
    """Worker: COPY a slice of a survey's responses, answers and spent tokens."""
    url, built, hamlets, weights, first_day, start, count, total, seed = job
    import psycopg

    written = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        chunks = answer_lines(built, hamlets, weights, first_day, start, count, total, seed)
        for responses, answers, spent in chunks:
            with cur.copy("COPY surveys_response (id, survey_id, received_on) FROM STDIN") as cp:
                cp.write(responses)
            with cur.copy(f"COPY surveys_answer ({ANSWER_COLUMNS}) FROM STDIN") as cp:
                cp.write(answers)
            with cur.copy(
                "COPY surveys_spenttoken (id, survey_id, kind, token_hash) FROM STDIN"
            ) as cp:
                cp.write(spent)
            conn.commit()
            written += responses.count("\n")
    return written


def generate(preset: str, *, seed: int = 2026) -> dict[str, Any]:
    setup_env(preset)
    from bench import generate as gen
    from bench import settings as bench_settings

    t = gen.Timer()
    sizes = PRESETS[preset]
    log(f"{bench_settings.BENCH_PG_URL}: surveys of {sizes} responses")
    gen.new_database("pg")
    t.mark("database created and migrated")
    rng = random.Random(seed)
    province, organization, hamlets, weights, staff = build_world(rng)
    surveys = [
        build_survey(
            f"bench-khao-sat-{n // 1000}k",
            f"Lấy ý kiến Nhân dân về sắp xếp ấp, khu vực ({n:,} phiếu, benchmark)".replace(
                ",", "."
            ),
            province,
            organization,
            n,
        )
        for n in sizes
    ]
    t.mark(f"units ({len(hamlets)} hamlets), staff, {len(surveys)} surveys × 12 questions")
    first_day = (datetime.now(UTC) + timedelta(hours=7)).date() - timedelta(days=DAYS)
    jobs = []
    for k, built in enumerate(surveys):
        parts = 1 if built.responses < 200_000 else 2
        per = -(-built.responses // parts)
        for p in range(parts):
            start = p * per
            count = min(per, built.responses - start)
            jobs.append(
                (
                    bench_settings.BENCH_PG_URL,
                    built,
                    hamlets,
                    weights,
                    first_day,
                    start,
                    count,
                    built.responses,
                    seed + 10 * k + p,
                )
            )
    from django.db import connection

    connection.close()
    written = gen.copy_in_parallel(_copy_job, jobs)
    t.mark(f"responses: {written:,} with their answers and spent tokens (COPY, 2 processes)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SELECT count(*) FROM surveys_answer")
        answers = cursor.fetchone()[0]
    t.mark(f"VACUUM ANALYZE ({answers:,} answers)")
    meta = {
        "version": GENERATOR_VERSION,
        "kind": "surveys",
        "preset": preset,
        "surveys": [{"id": b.survey_id, "slug": b.slug, "responses": b.responses} for b in surveys],
        "answers": answers,
        "staff_id": staff.pk,
        "generated_on": (first_day + timedelta(days=DAYS)).isoformat(),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(t.total, 1),
        "target": bench_settings.BENCH_PG_URL,
    }
    gen.write_meta(meta)
    log(f"done in {t.total:.1f} s")
    return meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="2k + 20k responses")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    generate("small" if args.small else "full")
    log(f"total {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
