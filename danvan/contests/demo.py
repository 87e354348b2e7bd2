"""The demo contest: "Tìm hiểu Đề án 08-ĐA/TU và Kế hoạch thực hiện trên địa bàn
huyện Phụng Hiệp", run by the Ban Dân vận Thành ủy Cần Thơ over the demo district.

`load_contest_demo()` needs the demo district (``danvan.core.demo.load_demo``)
first. It builds, in one transaction, the contest with its question bank (from
``fixtures_data/de_an_08_questions.json``, taken from the district's plan), three
weekly rounds placed around today (week 1 over, week 2 open, week 3 to come), the
prizes, about 120 made-up participants living in the new communes and their
hamlets, and their attempts, taken and scored through the contest services
(`start_attempt`, `submit_attempt`) at plausible past times.

It is idempotent: when the contest (slug ``tim-hieu-de-an-08-phung-hiep``) exists
it is returned unchanged. Everything chosen here comes from
``random.Random(SEED)``: names, ages, places, how many attempts, when, how long,
which answers are right, the predictions. Only what the services draw themselves
(the questions on each paper, the choice order, tokens) differs between loads;
the scores do not, since each answer is right or wrong by the seeded draw alone.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import nh3
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from danvan.contests import services
from danvan.contests.bank import invalidate_round
from danvan.contests.models import (
    Category,
    Choice,
    CollectiveBasis,
    Contest,
    ContestStatus,
    Counting,
    Occupation,
    Participant,
    Prediction,
    Prize,
    PrizeKind,
    Question,
    Round,
    RoundQuota,
    Sex,
    ShowAnswers,
)
from danvan.core.demo import DemoError, Writer, demo_home
from danvan.core.demo import say as _say
from danvan.core.models import Area, AreaKind, Organization, OrgKind
from danvan.core.text import VN_TZ

BANK_PATH = Path(__file__).resolve().parent / "fixtures_data" / "de_an_08_questions.json"
SLUG = "tim-hieu-de-an-08-phung-hiep"
TITLE = "Tìm hiểu Đề án 08-ĐA/TU và Kế hoạch thực hiện trên địa bàn huyện Phụng Hiệp"
CREATOR_USERNAME = "bdv.cantho"
SEED = 808
PARTICIPANTS = 120
QUESTIONS_PER_ROUND = 10
TIME_LIMIT_SECONDS = 600
MAX_ATTEMPTS = 3
RETENTION_DAYS = 180
# Questions each week draws from each category of the bank, in the bank file's
# order: every week its own part of the plan, so that a week's answers can be
# shown as soon as it closes (no later week can draw those questions).
WEEK_QUOTAS = [
    [10, 0, 0, 0],  # Căn cứ, mục đích và yêu cầu
    [0, 10, 0, 0],  # Mục tiêu và chỉ tiêu
    [0, 0, 5, 5],  # Nhiệm vụ, giải pháp chủ yếu; Tổ chức thực hiện
]
# (number, title, opens: days from today, closes: days from today); rounds open
# and close at 07:00 Việt Nam time.
ROUNDS: list[tuple[int, str, int, int]] = [
    (1, "Tuần thứ nhất", -14, -7),
    (2, "Tuần thứ hai", -2, 5),
    (3, "Tuần thứ ba", 5, 12),
]
ROUND_HOUR = 7
INDIVIDUAL_PRIZES: list[tuple[str, int]] = [
    (PrizeKind.FIRST, 1),
    (PrizeKind.SECOND, 2),
    (PrizeKind.THIRD, 3),
    (PrizeKind.CONSOLATION, 5),
]
COLLECTIVE_PRIZES = 3
RIGHT_RATE = 0.7  # the average participant's chance of answering a question right


@cache
def load_bank_file() -> dict[str, Any]:
    """The question bank file: {"source", "categories": [{"name", "questions": [...]}]}."""
    with BANK_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


# --- The pages ----------------------------------------------------------------------

SUMMARY = (
    "Cuộc thi trắc nghiệm trực tuyến gồm 3 tuần thi, tìm hiểu Đề án số 08-ĐA/TU ngày "
    "16/10/2023 của Ban Chấp hành Đảng bộ tỉnh Hậu Giang và Kế hoạch thực hiện Đề án "
    "trên địa bàn huyện Phụng Hiệp."
)

INTRO_HTML = """
<p>Thực hiện Đề án số 08-ĐA/TU ngày 16/10/2023 của Ban Chấp hành Đảng bộ tỉnh Hậu Giang về
“Nâng cao chất lượng công tác tuyên truyền, vận động đoàn viên, hội viên và nhân dân thực hiện
hiệu quả chủ trương, chính sách của Đảng, Nhà nước trên địa bàn tỉnh Hậu Giang giai đoạn
2023 - 2025 và các năm tiếp theo” và Kế hoạch thực hiện Đề án trên địa bàn huyện Phụng Hiệp,
Ban Dân vận Thành ủy Cần Thơ tổ chức Cuộc thi trực tuyến
<strong>“Tìm hiểu Đề án 08-ĐA/TU và Kế hoạch thực hiện trên địa bàn huyện Phụng Hiệp”</strong>.</p>
<p>Cuộc thi nhằm tuyên truyền sâu rộng chủ trương, đường lối của Đảng, chính sách, pháp luật
của Nhà nước đến cán bộ, đảng viên, đoàn viên, hội viên và Nhân dân; góp phần thực hiện chỉ
tiêu của Kế hoạch: “tổ chức trực tuyến các cuộc thi tìm hiểu về chủ trương, chính sách của
Đảng, Nhà nước”.</p>
<p>Nội dung thi gồm bốn chủ đề: căn cứ, mục đích và yêu cầu; mục tiêu và chỉ tiêu; nhiệm vụ,
giải pháp chủ yếu; tổ chức thực hiện.</p>
<p><em>Đây là cuộc thi mẫu để giới thiệu phần mềm: người dự thi và kết quả là dữ liệu giả
lập.</em></p>
"""

RULES_HTML = f"""
<h3>1. Đối tượng dự thi</h3>
<p>Cán bộ, đảng viên, công chức, viên chức, lực lượng vũ trang, đoàn viên, hội viên, học sinh,
sinh viên và Nhân dân đang sinh sống, học tập, làm việc trên địa bàn Thành phố Cần Thơ.
Thành viên Ban Tổ chức và Tổ Thư ký không tham gia dự thi. Người dự thi khai họ tên, ngày
sinh, giới tính, số điện thoại và nơi ở (xã, ấp); không cần số căn cước công dân.</p>
<h3>2. Thời gian và hình thức thi</h3>
<ul>
<li>Cuộc thi gồm <strong>3 tuần thi</strong>; thời gian mở, đóng của từng tuần được công bố trên
trang cuộc thi.</li>
<li>Mỗi lượt thi gồm <strong>{QUESTIONS_PER_ROUND} câu hỏi trắc nghiệm</strong> được hệ thống
chọn ngẫu nhiên từ ngân hàng câu hỏi. Mỗi tuần thi một phần của Đề án: tuần thứ nhất về căn cứ,
mục đích và yêu cầu; tuần thứ hai về mục tiêu và chỉ tiêu; tuần thứ ba về nhiệm vụ, giải pháp
chủ yếu và tổ chức thực hiện. Có câu chỉ một phương án đúng và câu
nhiều phương án đúng; câu nhiều phương án đúng phải chọn đủ và đúng tất cả mới được điểm.
Mỗi câu đúng được 1 điểm.</li>
<li>Thời gian làm bài mỗi lượt là <strong>{TIME_LIMIT_SECONDS // 60} phút</strong>, tính theo
đồng hồ của hệ thống; hết giờ, bài thi được nộp với các câu đã trả lời.</li>
<li>Mỗi người được dự thi <strong>tối đa {MAX_ATTEMPTS} lượt mỗi tuần</strong>; lượt có điểm cao
nhất được tính để xét giải (bằng điểm thì tính lượt có thời gian làm bài ngắn hơn).</li>
<li>Cuối bài thi có <strong>câu hỏi dự đoán</strong>: “Theo bạn, đợt thi này có bao nhiêu người
tham gia?”.</li>
</ul>
<h3>3. Cách xét giải</h3>
<p>Giải cá nhân của mỗi tuần được xét lần lượt theo thứ tự:</p>
<ol>
<li>Điểm cao hơn;</li>
<li>Dự đoán số người dự thi gần đúng hơn;</li>
<li>Thời gian làm bài ngắn hơn;</li>
<li>Nộp bài sớm hơn.</li>
</ol>
<h3>4. Cơ cấu giải thưởng</h3>
<ul>
<li>Mỗi tuần: 01 giải Nhất, 02 giải Nhì, 03 giải Ba và 05 giải Khuyến khích.</li>
<li>Giải tập thể: {COLLECTIVE_PRIZES:02d} xã có số người dự thi đông nhất trong toàn cuộc thi.</li>
</ul>
<p>Kết quả mỗi tuần được công bố sau khi tuần thi kết thúc; danh sách đoạt giải ghi họ, tên
(tên đệm viết tắt) và nơi ở của người đoạt giải. Đáp án và giải thích của các câu hỏi trong
tuần được hiện ở trang kết quả bài thi ngay khi tuần thi kết thúc.</p>
<h3>5. Bảo vệ dữ liệu cá nhân</h3>
<p>Thông tin cá nhân của người dự thi chỉ được dùng để tổ chức cuộc thi, xét và trao giải;
được lưu trữ <strong>{RETENTION_DAYS} ngày</strong> kể từ ngày cuộc thi kết thúc, sau đó được xóa
hoặc ẩn danh.</p>
"""


def clean_html(html: str) -> str:
    """The pages as stored: sanitised simple HTML, whitespace of the source tidied."""
    return nh3.clean(" ".join(html.split()))


# --- Made-up people -------------------------------------------------------------------

FAMILY_NAMES = (
    ["Nguyễn"] * 8
    + ["Trần"] * 4
    + ["Lê"] * 4
    + ["Phạm"] * 2
    + ["Huỳnh"] * 2
    + ["Võ"] * 2
    + ["Phan", "Trương", "Bùi", "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Lý", "Lâm", "Châu", "Tạ"]
    + ["Đinh", "Mai", "Thái", "Cao"]
)
MIDDLE_MALE = ["Văn", "Văn", "Văn", "Minh", "Quốc", "Thanh", "Hoàng", "Hữu", "Công", "Trọng", "Tấn"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thị Ngọc", "Thị Kim", "Thị Mỹ", "Thu", "Kim", "Bích"]
GIVEN_MALE = [
    "Tâm", "Phúc", "Hùng", "Dũng", "Tài", "Lộc", "Nghĩa", "Khang", "Bảo", "Trí", "Hiếu",
    "Tuấn", "Hải", "Long", "Thắng", "Phong", "Nhân", "Toàn", "Vinh", "Sang", "Khánh", "Đạt",
]  # fmt: skip
GIVEN_FEMALE = [
    "Linh", "Hà", "Hân", "Yến", "Trang", "Thảo", "Nhung", "Hoa", "Lan", "Mai", "Ngân",
    "Diễm", "Tuyết", "Phương", "Thúy", "Trinh", "Vy", "Hằng", "Nhi", "Oanh", "Hạnh", "Xuân",
]  # fmt: skip
ACCESS_LETTERS = list("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")  # no 0/O, 1/I
# How many people each demo commune sends, relative to the others (others: 9).
COMMUNE_WEIGHTS = {"31420": 28, "31393": 20, "31432": 15}


@dataclass
class _Person:
    full_name: str
    sex: str
    birth_date: date
    occupation: str
    phone: str
    area: Area
    commune: Area
    organization: Organization | None
    skill: float


class _Builder:
    def __init__(self, organizer: Organization, city: Area, stdout: Writer | None) -> None:
        self.organizer = organizer
        self.city = city
        self.stdout = stdout
        # Separate streams: the people, the attempt counts and the scores do not
        # depend on the time of day the demo is loaded; only the start times do.
        self.rng = random.Random(SEED)
        self.time_rng = random.Random(SEED + 1)
        self.answer_rng = random.Random(SEED + 2)
        self.now = timezone.now()
        today = timezone.localtime(self.now, VN_TZ).date()
        self.anchor = datetime.combine(today, time(ROUND_HOUR), tzinfo=VN_TZ)
        self.today = today

    # Small seeded helpers: each draws a fixed number of values, so one choice
    # never shifts the draws after it.
    def pick(self, seq: list[Any]) -> Any:
        return seq[int(self.rng.random() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def between(self, low: int, high: int, rng: random.Random | None = None) -> int:
        """An integer in [low, high]."""
        return low + int((rng or self.rng).random() * (high - low + 1))

    # --- Contest, bank, rounds, prizes ------------------------------------------------

    def build(self) -> Contest:
        rounds_at = [
            (
                n,
                title,
                self.anchor + timedelta(days=o),
                self.anchor + timedelta(days=c),
            )
            for n, title, o, c in ROUNDS
        ]
        creator = get_user_model().objects.filter(username=CREATOR_USERNAME).first()
        contest = Contest.objects.create(
            title=TITLE,
            slug=SLUG,
            summary=SUMMARY,
            intro=clean_html(INTRO_HTML),
            rules=clean_html(RULES_HTML),
            organization=self.organizer,
            target_area=self.city,
            starts_at=rounds_at[0][2],
            ends_at=rounds_at[-1][3],
            status=ContestStatus.PUBLISHED,
            require_cccd=False,
            retention_days=RETENTION_DAYS,
            created_by=creator,
        )
        categories = self.make_bank(contest)
        rounds = []
        for number, title, opens_at, closes_at in rounds_at:
            rnd = Round.objects.create(
                contest=contest,
                number=number,
                title=title,
                opens_at=opens_at,
                closes_at=closes_at,
                question_count=QUESTIONS_PER_ROUND,
                time_limit_seconds=TIME_LIMIT_SECONDS,
                max_attempts=MAX_ATTEMPTS,
                counting=Counting.BEST,
                shuffle_choices=True,
                show_answers=ShowAnswers.AFTER_CLOSE,
                prediction=Prediction.PARTICIPANTS,
                prediction_text="Theo bạn, đợt thi này có bao nhiêu người tham gia?",
                tie_break="score,prediction,duration,submitted",
            )
            for category, count in zip(categories, WEEK_QUOTAS[number - 1], strict=True):
                if count:
                    RoundQuota.objects.create(round=rnd, category=category, count=count)
            invalidate_round(rnd)
            for kind, quantity in INDIVIDUAL_PRIZES:
                Prize.objects.create(contest=contest, round=rnd, kind=kind, quantity=quantity)
            rounds.append(rnd)
        Prize.objects.create(
            contest=contest,
            round=None,
            kind=PrizeKind.COLLECTIVE,
            quantity=COLLECTIVE_PRIZES,
            basis=CollectiveBasis.COUNT,
        )
        _say(self.stdout, f"Đã tạo cuộc thi mẫu “{TITLE}” với {len(rounds)} tuần thi.")
        self.take_part(contest, rounds)
        return contest

    def make_bank(self, contest: Contest) -> list[Category]:
        data = load_bank_file()
        if len(data["categories"]) != len(WEEK_QUOTAS[0]):
            raise ValueError("Tệp ngân hàng câu hỏi mẫu phải có đúng 4 chủ đề.")
        categories: list[Category] = []
        choices: list[Choice] = []
        total = 0
        for spec in data["categories"]:
            category = Category.objects.create(contest=contest, name=spec["name"])
            categories.append(category)
            for q in spec["questions"]:
                correct = set(q["correct"])
                question = Question.objects.create(
                    contest=contest,
                    category=category,
                    text=q["text"],
                    multiple=len(correct) > 1,
                    explanation=q["explanation"],
                )
                choices.extend(
                    Choice(question=question, position=i, text=text, correct=i in correct)
                    for i, text in enumerate(q["choices"])
                )
                total += 1
        Choice.objects.bulk_create(choices)
        contest.refresh_from_db(fields=["bank_version"])  # replaced by the database
        _say(self.stdout, f"Đã nạp {total} câu hỏi trong {len(categories)} chủ đề.")
        return categories

    # --- Participants and attempts -------------------------------------------------------

    def places(self) -> list[tuple[Area, list[Area], dict[str, Organization], int]]:
        """Each current commune of the city with its hamlets, bodies and weight."""
        communes = list(
            Area.objects.filter(
                kind=AreaKind.COMMUNE, valid_to__isnull=True, path__startswith=self.city.path
            ).order_by("code")
        )
        if not communes:
            raise DemoError("Thành phố Cần Thơ chưa có xã nào trong dữ liệu mẫu.")
        out = []
        for commune in communes:
            hamlets = list(
                Area.objects.filter(
                    kind=AreaKind.HAMLET, valid_to__isnull=True, path__startswith=commune.path
                ).order_by("path")
            )
            bodies = {
                org.kind: org
                for org in Organization.objects.filter(area=commune, valid_to__isnull=True)
            }
            out.append((commune, hamlets, bodies, COMMUNE_WEIGHTS.get(commune.code, 9)))
        return out

    def person(
        self,
        places: list[tuple[Area, list[Area], dict[str, Organization], int]],
        phones: set[str],
    ) -> _Person:
        rng = self.rng
        female = self.chance(0.52)
        family = self.pick(FAMILY_NAMES)
        if female:
            name = f"{family} {self.pick(MIDDLE_FEMALE)} {self.pick(GIVEN_FEMALE)}"
        else:
            name = f"{family} {self.pick(MIDDLE_MALE)} {self.pick(GIVEN_MALE)}"
        year = self.between(1950, 2008)
        birth = date(year, 1, 1) + timedelta(days=self.between(0, 364))
        age = self.today.year - year
        if age <= 21:
            occupation = Occupation.STUDENT if self.chance(0.8) else Occupation.UNION_MEMBER
        elif age >= 61:
            occupation = self.pick(
                [Occupation.RETIRED] * 9 + [Occupation.FARMER] * 6 + [Occupation.PEOPLE] * 5
            )
        else:
            occupation = self.pick(
                [Occupation.OFFICIAL] * 18
                + [Occupation.UNION_MEMBER] * 22
                + [Occupation.WORKER] * 15
                + [Occupation.FARMER] * 25
                + [Occupation.ARMED_FORCES] * 5
                + [Occupation.PEOPLE] * 15
            )
        commune, hamlets, bodies, _weight = places[-1]
        point = rng.random() * sum(place[3] for place in places)
        for place in places:
            point -= place[3]
            if point < 0:
                commune, hamlets, bodies, _weight = place
                break
        in_hamlet = self.chance(0.65)
        hamlet = self.pick(hamlets) if hamlets else None
        area = hamlet if (in_hamlet and hamlet is not None) else commune
        organization = None
        if occupation == Occupation.UNION_MEMBER:
            if age <= 30:
                kind = OrgKind.YOUTH
            elif female:
                kind = OrgKind.WOMEN
            elif age >= 45 and self.chance(0.4):
                kind = OrgKind.VETERANS
            else:
                kind = OrgKind.FARMERS
            organization = bodies.get(kind)
        while True:
            phone = "09" + "".join(str(int(rng.random() * 10)) for _ in range(8))
            if phone not in phones:
                phones.add(phone)
                break
        skill = RIGHT_RATE + (rng.random() - 0.5) * 0.4  # 0.5 to 0.9
        return _Person(
            full_name=name,
            sex=Sex.FEMALE if female else Sex.MALE,
            birth_date=birth,
            occupation=occupation,
            phone=phone,
            area=area,
            commune=commune,
            organization=organization,
            skill=skill,
        )

    def start_times(self, opens_at: datetime, last_start: datetime, count: int) -> list[datetime]:
        """`count` start times in [opens_at, last_start], in daytime (06:00-22:00)."""
        days = max(1, (last_start - opens_at).days + 1)
        times: list[datetime] = []
        first_day = timezone.localtime(opens_at, VN_TZ).date()
        while len(times) < count:
            day = first_day + timedelta(days=int(self.time_rng.random() * days))
            seconds = 6 * 3600 + int(self.time_rng.random() * 16 * 3600)
            moment = datetime.combine(day, time(0), tzinfo=VN_TZ) + timedelta(seconds=seconds)
            if opens_at <= moment <= last_start:
                times.append(moment)
        return sorted(times)

    def access_codes(self, count: int) -> list[str]:
        """`count` distinct access codes that no participant holds yet."""
        codes: list[str] = []
        while len(codes) < count:
            fresh: list[str] = []
            while len(codes) + len(fresh) < count:
                code = "".join(self.pick(ACCESS_LETTERS) for _ in range(8))
                if code not in codes and code not in fresh:
                    fresh.append(code)
            taken = set(
                Participant.objects.filter(access_code__in=fresh).values_list(
                    "access_code", flat=True
                )
            )
            codes.extend(c for c in fresh if c not in taken)
        return codes

    def answer(
        self, paper: list[list[Any]], right: dict[int, set[int]], skill: float
    ) -> dict[str, list[int]]:
        answers: dict[str, list[int]] = {}
        for qid, cids in paper:
            correct = right[qid]
            is_right = self.answer_rng.random() < skill
            which = self.answer_rng.random()
            if is_right:
                answers[str(qid)] = sorted(correct)
            else:
                wrong = [cid for cid in cids if cid not in correct]
                answers[str(qid)] = [wrong[int(which * len(wrong))]]
        return answers

    def take_part(self, contest: Contest, rounds: list[Round]) -> None:
        places = self.places()
        right: dict[int, set[int]] = {}
        for qid, cid in Choice.objects.filter(question__contest=contest, correct=True).values_list(
            "question_id", "id"
        ):
            right.setdefault(qid, set()).add(cid)
        phones: set[str] = set()
        people = [self.person(places, phones) for _ in range(PARTICIPANTS)]
        codes = self.access_codes(len(people))
        round1, round2 = rounds[0], rounds[1]
        margin = timedelta(seconds=TIME_LIMIT_SECONDS + 60)
        last_start = {
            round1.pk: round1.closes_at - margin,
            round2.pk: min(round2.closes_at, self.now) - margin,
        }
        attempts = 0
        for person, code in zip(people, codes, strict=True):
            # How many attempts in week 1 (1-3) and week 2 (none for some, else 1-2).
            roll = self.rng.random()
            n1 = 1 if roll < 0.45 else 2 if roll < 0.8 else 3
            roll = self.rng.random()
            n2 = 0 if roll < 0.45 else 1 if roll < 0.8 else 2
            plan = [
                (rnd, started)
                for rnd, n in ((round1, n1), (round2, n2))
                for started in self.start_times(rnd.opens_at, last_start[rnd.pk], n)
            ]
            registered = plan[0][1] - timedelta(seconds=self.between(30, 300, self.time_rng))
            participant = Participant.objects.create(
                contest=contest,
                full_name=person.full_name,
                birth_date=person.birth_date,
                sex=person.sex,
                phone=person.phone,
                area=person.area,
                occupation=person.occupation,
                organization=person.organization,
                consent_version=contest.consent_version,
                consented_at=registered,
                access_code=code,
            )
            Participant.objects.filter(pk=participant.pk).update(created_at=registered)
            for k, (rnd, started) in enumerate(plan):
                skill = min(0.97, person.skill + 0.05 * k)  # a little better each time
                attempt = services.start_attempt(rnd, participant, now=started)
                answers = self.answer(attempt.paper, right, skill)
                prediction = self.between(100, 150, self.answer_rng)
                duration = timedelta(
                    seconds=self.between(75, TIME_LIMIT_SECONDS - 40, self.answer_rng)
                )
                services.submit_attempt(attempt.token, answers, prediction, now=started + duration)
                attempts += 1
        _say(self.stdout, f"Đã tạo {len(people)} người dự thi mẫu và {attempts} lượt thi.")


def load_contest_demo(stdout: Writer | None = None) -> Contest:
    """Build the demo contest (once) over the demo district; return it."""
    existing = Contest.objects.filter(slug=SLUG).first()
    if existing is not None:
        _say(stdout, "Cuộc thi mẫu đã có; không tạo thêm.")
        return existing
    organizer, city = demo_home("cuộc thi mẫu")
    with transaction.atomic():
        contest = _Builder(organizer, city, stdout).build()
    _close_past_rounds(contest, stdout)
    return contest


def _close_past_rounds(contest: Contest, stdout: Writer | None) -> None:
    """Rounds already over are closed and their results published, so that the
    demo shows winners and collective standings as well as a live round."""
    from danvan.contests.closing import award_overall, close_round, publish_round

    now = timezone.now()
    for rnd in contest.rounds.filter(status="scheduled", closes_at__lt=now).order_by("number"):
        if now >= rnd.closes_at + timedelta(seconds=rnd.grace_seconds):
            summary = close_round(rnd)
            publish_round(rnd)
            _say(stdout, f"Đã tổng hợp và công bố kết quả {rnd}: {summary.as_dict()}")
    if contest.rounds.filter(status="published").exists():
        award_overall(contest)


__all__ = ["BANK_PATH", "SLUG", "TITLE", "load_bank_file", "load_contest_demo"]
