"""The demo surveys and public-opinion reports of Thành phố Cần Thơ.

`load_survey_demo()` needs the demo district (``danvan.core.demo.load_demo``)
first. In one transaction it builds, through the survey services:

- an ANONYMOUS survey, one response per browser, from the "doi-thoai" template:
  people rate the dialogues of the heads of the party committees and
  authorities; about 150 responses, each from a made-up browser token;
- an IDENTIFIED survey, one response per phone number, from the "nong-dan"
  template: farmers' needs for Nghị quyết 05-NQ/HU; about 60 responses with
  names, phone numbers and consent;
- public-opinion reports (`danvan.surveys.demo_opinion`): twelve of "6 tháng
  cuối năm 2025" and three of "6 tháng cuối năm 2024".

Both surveys are published, opened five weeks ago and close in 20 days. Both
templates ask the respondent's sex and age band, so the results break down by
them. Responses are stored by `services.submit_response`, so they pass the same
validation as the public form (the anonymous ones are then mixed at once,
`mixing.mix`); they get today's date, and the demo
then spreads them over the days since the survey opened (more in the first
days, a few every day since), so the date filter and the per-day counts have
something to show.

Idempotent: when both survey slugs exist they are returned unchanged; reports
are added only when the period has none of the demo topics. Every choice comes
from ``random.Random(SEED)``, so every load gives the same answers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from danvan.core.demo import DemoError, Writer, demo_home
from danvan.core.demo import say as _say
from danvan.core.models import Area, AreaKind, Organization
from danvan.core.text import VN_TZ
from danvan.surveys import cleaning, logic, mixing, services, tally
from danvan.surveys.builder import AGE_BANDS, create_from_template
from danvan.surveys.demo_opinion import make_reports
from danvan.surveys.models import (
    AGREEMENT_SCALE,
    Kind,
    Mode,
    OnePer,
    Question,
    Respondent,
    Response,
    Survey,
    SurveyStatus,
)

SEED = 505
CREATOR_USERNAME = "bdv.cantho"

DIALOGUE_SLUG = "danh-gia-tiep-xuc-doi-thoai-nguoi-dung-dau-can-tho"
DIALOGUE_TITLE = (
    "Người dân đánh giá công tác tiếp xúc, đối thoại của người đứng đầu cấp ủy, chính quyền"
)
DIALOGUE_RESPONSES = 150
FARMERS_SLUG = "nhu-cau-nong-dan-nghi-quyet-05-nq-hu"
FARMERS_TITLE = (
    "Nhu cầu của nông dân thực hiện Nghị quyết 05-NQ/HU về phát triển nông nghiệp bền vững"
)
FARMERS_RESPONSES = 60
FARMERS_INTRO = (
    "Hội Nông dân tìm hiểu nhu cầu vốn, tập huấn, tiêu thụ sản phẩm của bà con để cụ thể "
    "hóa Nghị quyết 05-NQ/HU về phát triển nông nghiệp bền vững. Phiếu ghi họ tên và số "
    "điện thoại để cán bộ Hội liên hệ hỗ trợ; mất khoảng 5 phút."
)
FARMERS_CONSENT = (
    "Tôi đồng ý để Hội Nông dân và Ban Dân vận lưu họ tên, số điện thoại của tôi cùng phiếu "
    "trả lời, chỉ để liên hệ hỗ trợ theo các nhu cầu tôi đã nêu; không chuyển cho bên khác."
)
OPENED_DAYS_AGO = 35
CLOSES_IN_DAYS = 20
DATES_SEED = SEED + 1  # the days drawn apart from the answers

AGE_WEIGHTS = [18, 30, 32, 20]  # of AGE_BANDS
# Relative weights of the communes (by code) when placing respondents.
COMMUNE_WEIGHTS = {
    "31420": 5,
    "31393": 3,
    "31432": 3,
    "31426": 2,
    "31396": 2,
    "31399": 2,
    "31408": 2,
}


# --- How people answer ----------------------------------------------------------------


@dataclass
class Profile:
    """How a question is answered: `rate` the chance of answering an optional
    question; `weights` for choices (one per choice); `picks` (min, max) choices of
    a multiple question; `other_rate` / `other_texts` for "Khác"; `texts` for text
    questions; `number` draws a number."""

    rate: float = 1.0
    weights: list[float] = field(default_factory=list)
    remember: str = ""  # keep the choice in the person's traits under this name
    picks: tuple[int, int] = (1, 3)
    other_rate: float = 0.0
    other_texts: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    number: Callable[[random.Random, dict[str, Any]], float] | None = None


DIALOGUE_PROFILES: list[Profile] = [
    Profile(),  # hamlet
    Profile(weights=[45, 40, 15]),  # how they followed the dialogue
    Profile(rate=0.93, weights=[52, 48]),  # sex
    Profile(rate=0.9, remember="age"),  # age band: the person's (older: more satisfied)
    Profile(),  # grid: from the person's satisfaction
    Profile(),  # overall rating: the person's satisfaction
    Profile(rate=0.95, weights=[35, 25, 15, 25]),  # complaints resolved?
    Profile(
        rate=0.7,
        texts=[
            "Đường đal ấp bị hư hỏng nặng đã kiến nghị từ đầu năm nhưng chưa thấy sửa chữa. "
            "Mong xã sớm có kế hoạch và thông báo thời gian cụ thể.",
            "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất nộp hơn sáu tháng chưa có kết quả. "
            "Đề nghị cho biết hồ sơ đang vướng ở khâu nào.",
            "Kênh nội đồng bị bồi lắng, mùa khô thiếu nước tưới. Mong được nạo vét trước vụ "
            "Đông Xuân.",
            "Đèn đường tuyến dọc kênh hư lâu ngày, ban đêm đi lại nguy hiểm.",
            "Tiền hỗ trợ giống sau đợt lúa bị sâu bệnh chưa được chi. Mong xã trả lời rõ.",
            "Chưa có nước sạch đến hộ dân cuối ấp; đề nghị kéo đường ống thêm khoảng 500 mét.",
        ],
    ),
    Profile(
        rate=0.85,
        weights=[45, 30, 35, 25, 20, 40],
        picks=(1, 3),
        other_rate=0.06,
        other_texts=[
            "Thủ tục hành chính sau sáp nhập xã",
            "Chính sách cho người cao tuổi",
            "Giá lúa, tiêu thụ nông sản",
        ],
    ),
    Profile(
        rate=0.25,
        texts=[
            "Nên tổ chức đối thoại vào buổi tối hoặc ngày nghỉ để bà con đi làm đồng dự được.",
            "Cảm ơn lãnh đạo xã đã lắng nghe. Mong có thông báo kết quả giải quyết kiến nghị.",
            "Đề nghị phát trực tiếp trên trang của xã để người ở xa cũng theo dõi được.",
            "Nên gửi trước nội dung để người dân chuẩn bị ý kiến.",
            "Buổi đối thoại thiết thực, mong tổ chức thường xuyên hơn.",
            "Sau sáp nhập trụ sở xã xa, mong có điểm tiếp dân ở các ấp.",
            "Thời gian phát biểu hơi ngắn, nhiều người chưa kịp nêu ý kiến.",
        ],
    ),
]


def _area_number(rng: random.Random, person: dict[str, Any]) -> float:
    if person.get("production") == 0:  # rice
        return rng.choice([4, 5, 6, 8, 8, 10, 12, 15, 20, 25, 30, 40])
    return rng.choice([1, 2, 2, 3, 3, 4, 5, 6, 8, 10])


def _loan_number(rng: random.Random, person: dict[str, Any]) -> float:
    return rng.choice([20, 30, 50, 50, 50, 70, 100, 100, 150, 200, 300])


FARMERS_PROFILES: list[Profile] = [
    Profile(),  # hamlet
    Profile(
        weights=[45, 20, 10, 10, 12],
        remember="production",
        other_rate=0.03,
        other_texts=["Trồng mía", "Nuôi ong lấy mật", "Trồng rau màu"],
    ),
    Profile(rate=0.9, number=_area_number),
    Profile(rate=0.95, weights=[68, 32]),  # sex
    Profile(rate=0.95, remember="age"),  # age band
    Profile(
        weights=[60, 45, 40, 50, 20, 25],
        picks=(1, 3),
        other_rate=0.05,
        other_texts=["Hỗ trợ thuê máy gặt đập liên hợp", "Hỗ trợ sấy lúa", "Bảo hiểm nông nghiệp"],
    ),
    Profile(rate=0.85, number=_loan_number),
    Profile(rate=0.95, weights=[55, 25, 20]),
    Profile(rate=0.9, weights=[25, 35, 20, 15, 5]),  # prices stable? mostly not
    Profile(rate=0.9),  # the farmers' branch, 1 to 10
    Profile(
        rate=0.35,
        texts=[
            "Đề nghị có chính sách bình ổn giá phân bón, thuốc bảo vệ thực vật.",
            "Mong Hội liên kết với doanh nghiệp bao tiêu lúa chất lượng cao cho bà con.",
            "Đề nghị nạo vét kênh thủy lợi nội đồng trước mùa khô.",
            "Cần thêm lớp tập huấn sản xuất lúa giảm phát thải theo Đề án 1 triệu héc-ta.",
            "Thủ tục vay vốn Ngân hàng Chính sách xã hội nên đơn giản hơn.",
            "Mong được hỗ trợ chuyển đổi sang trồng cây ăn trái trên đất lúa kém hiệu quả.",
            "Đề nghị xây dựng thêm cống ngăn mặn cho ruộng cuối kênh.",
        ],
    ),
]


class _Respondents:
    """Draws answers for one survey: where people live and how they answer."""

    def __init__(self, rng: random.Random, survey: Survey, profiles: list[Profile]) -> None:
        self.rng = rng
        self.questions = cleaning.ordered_questions(survey)
        self.profiles = profiles
        self.hamlets, self.hamlet_weights = self._hamlets(survey)

    @staticmethod
    def _hamlets(survey: Survey) -> tuple[list[int], list[int]]:
        units = [
            a
            for a in cleaning.unit_choices(survey)
            if a.kind == AreaKind.HAMLET and a.valid_to is None
        ]
        if not units:
            raise DemoError("Thành phố Cần Thơ chưa có ấp nào trong dữ liệu mẫu.")
        communes = {
            a.path: a.code
            for a in Area.objects.filter(kind=AreaKind.COMMUNE, valid_to__isnull=True)
        }
        weights = []
        for hamlet in units:
            code = next((c for p, c in communes.items() if hamlet.path.startswith(p)), "")
            weights.append(COMMUNE_WEIGHTS.get(code, 1))
        return [a.pk for a in units], weights

    def _profile(self, index: int) -> Profile:
        return self.profiles[index] if index < len(self.profiles) else Profile(rate=0.5)

    def _weights(self, profile: Profile, count: int) -> list[float]:
        return profile.weights if len(profile.weights) == count else [1.0] * count

    def answers(self) -> dict[int, Any]:
        rng = self.rng
        age = rng.choices(range(len(AGE_BANDS)), weights=AGE_WEIGHTS)[0]
        mood = 3.45 + 0.15 * age  # older people are a little more satisfied
        person: dict[str, Any] = {
            "age": age,
            "satisfaction": min(5, max(1, round(rng.gauss(mood, 0.95)))),
        }
        raw: dict[int, Any] = {}
        for index, question in enumerate(self.questions):
            condition = question.show_if or {}
            if condition:
                ref = logic.referenced_id(condition)
                if ref not in raw or not logic.condition_holds(condition, raw[ref]):
                    continue
            profile = self._profile(index)
            if not question.required and rng.random() >= profile.rate:
                continue
            value = self._answer(question, profile, person)
            if value is not None:
                raw[question.pk] = value
                if profile.remember and isinstance(value, dict):
                    person[profile.remember] = value.get("choice")
        return raw

    def _answer(self, question: Question, profile: Profile, person: dict[str, Any]) -> Any:
        rng = self.rng
        kind = question.kind
        options = question.options or {}
        choices = list(options.get("choices") or [])
        if kind in (Kind.SINGLE, Kind.DROPDOWN):
            if profile.remember in person:  # drawn with the person (age band)
                return {"choice": person[profile.remember]}
            if options.get("other") and profile.other_texts and rng.random() < profile.other_rate:
                return {"choice": "other", "other": rng.choice(profile.other_texts)}
            weights = self._weights(profile, len(choices))
            return {"choice": rng.choices(range(len(choices)), weights=weights)[0]}
        if kind == Kind.MULTIPLE:
            weights = self._weights(profile, len(choices))
            low, high = profile.picks
            wanted = min(len(choices), rng.randint(low, high))
            picked: list[int] = []
            while len(picked) < wanted:
                i = rng.choices(range(len(choices)), weights=weights)[0]
                if i not in picked:
                    picked.append(i)
            value: dict[str, Any] = {"choices": sorted(picked)}
            if options.get("other") and profile.other_texts and rng.random() < profile.other_rate:
                value["choices"].append("other")
                value["other"] = rng.choice(profile.other_texts)
            return value
        if kind == Kind.RATING:
            low, high = cleaning.rating_bounds(question)
            share = (person["satisfaction"] - 1) / 4  # 0..1
            centre = low + share * (high - low)
            return min(high, max(low, round(rng.gauss(centre, (high - low) / 8))))
        if kind == Kind.AGREEMENT:
            weights = self._weights(profile, len(AGREEMENT_SCALE))
            return rng.choices(range(len(AGREEMENT_SCALE)), weights=weights)[0]
        if kind == Kind.GRID:
            top = len(AGREEMENT_SCALE) - 1
            base = person["satisfaction"] - 1
            return [
                min(top, max(0, round(base + rng.gauss(0.1, 0.8))))
                for _row in options.get("rows") or []
            ]
        if kind == Kind.NUMBER:
            if profile.number is not None:
                number = profile.number(rng, person)
            else:
                number = rng.randint(int(options.get("min") or 0), int(options.get("max") or 10))
            floor, ceiling = options.get("min"), options.get("max")
            if floor is not None:
                number = max(floor, number)
            if ceiling is not None:
                number = min(ceiling, number)
            return number
        if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            return rng.choice(profile.texts) if profile.texts else None
        if kind == Kind.DATE:
            day = timezone.now().astimezone(VN_TZ).date() - timedelta(days=rng.randint(1, 60))
            return day.strftime("%d/%m/%Y")
        if kind == Kind.UNIT:
            return rng.choices(self.hamlets, weights=self.hamlet_weights)[0]
        return None


# --- People of the identified survey ----------------------------------------------------

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Bùi", "Đặng"]
SURNAMES += ["Đỗ", "Ngô", "Dương", "Lý", "Châu", "Lâm", "Tạ", "Hồ"]
MALE_MIDDLE = ["Văn", "Văn", "Hữu", "Minh", "Quốc", "Thanh", "Công", "Hoàng"]
FEMALE_MIDDLE = ["Thị", "Thị", "Thị", "Ngọc", "Thị Kim", "Thị Mỹ", "Thị Thanh"]
MALE_GIVEN = ["Tâm", "Hùng", "Phước", "Lộc", "Tài", "Nghĩa", "Dũng", "Sơn", "Hải", "Thành"]
MALE_GIVEN += ["Khải", "Út", "Bé", "Trung", "Hiếu", "Nhân", "Thiện", "Tuấn"]
FEMALE_GIVEN = ["Lan", "Hồng", "Thu", "Hạnh", "Nga", "Diễm", "Trang", "Loan", "Hương", "Mai"]
FEMALE_GIVEN += ["Xuân", "Cúc", "Phượng", "Thảo", "Nhung", "Tuyết"]
MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098"]


def _full_name(rng: random.Random) -> str:
    if rng.random() < 0.65:
        return f"{rng.choice(SURNAMES)} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


def _phones(rng: random.Random, count: int) -> list[str]:
    phones: list[str] = []
    seen: set[str] = set()
    while len(phones) < count:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**7):07d}"
        if phone not in seen:
            seen.add(phone)
            phones.append(phone)
    return phones


# --- Surveys -----------------------------------------------------------------------------------


def _received_days(count: int) -> list[date]:
    """The day each of `count` responses arrived: from the day the survey opened
    to today, many in the first week (the link went round after the dialogues),
    then fewer, a few every day. Drawn from `DATES_SEED`: the same offsets on
    every load."""
    rng = random.Random(DATES_SEED)
    today = services.today_vn()
    offsets = list(range(OPENED_DAYS_AGO + 1))  # days after opening
    weights = [1.0 + 6.0 * math.exp(-d / 6) for d in offsets]
    return sorted(
        today - timedelta(days=OPENED_DAYS_AGO - d)
        for d in rng.choices(offsets, weights=weights, k=count)
    )


def _spread_over_days(survey: Survey, responses: list[Any]) -> None:
    """Date the demo responses as if they had come in since the survey opened
    (a real response gets the day it arrives). Respondents' consent moves with
    their response."""
    by_day: dict[date, list[Any]] = {}
    for response, day in zip(responses, _received_days(len(responses)), strict=True):
        by_day.setdefault(day, []).append(response.pk)
    for day, ids in by_day.items():
        Response.objects.filter(pk__in=ids).update(received_on=day)
        noon = datetime(day.year, day.month, day.day, 12, 0, tzinfo=VN_TZ)
        Respondent.objects.filter(response_id__in=ids).update(consented_at=noon)
    tally.forget(survey)  # nothing counted yet; keep it so if it ever was


def _open_survey(
    template: str, organizer: Organization, city: Area, user: Any, **fields: Any
) -> Survey:
    """A published survey of the city from `template`, opened `OPENED_DAYS_AGO`."""
    now = timezone.now().replace(second=0, microsecond=0)
    return create_from_template(
        template,
        organization=organizer,
        user=user,
        target_area=city,
        opens_at=now - timedelta(days=OPENED_DAYS_AGO),
        closes_at=now + timedelta(days=CLOSES_IN_DAYS),
        status=SurveyStatus.PUBLISHED,
        **fields,
    )


def _make_dialogue(
    rng: random.Random, organizer: Organization, city: Area, user: Any, stdout: Writer | None
) -> Survey:
    survey = _open_survey(
        "doi-thoai",
        organizer,
        city,
        user,
        title=DIALOGUE_TITLE,
        slug=DIALOGUE_SLUG,
        mode=Mode.ANONYMOUS,
        one_per=OnePer.BROWSER,
    )
    people = _Respondents(rng, survey, DIALOGUE_PROFILES)
    for i in range(DIALOGUE_RESPONSES):
        services.submit_response(survey, people.answers(), browser_token=f"demo-{i}")
    mixing.mix(survey, release_all=True)  # anonymous responses wait to be mixed
    _spread_over_days(survey, list(survey.responses.order_by("pk")))
    _say(stdout, f"Đã tạo khảo sát mẫu “{survey.title}” với {DIALOGUE_RESPONSES} phiếu ẩn danh.")
    return survey


def _make_farmers(
    rng: random.Random, organizer: Organization, city: Area, user: Any, stdout: Writer | None
) -> Survey:
    survey = _open_survey(
        "nong-dan",
        organizer,
        city,
        user,
        title=FARMERS_TITLE,
        slug=FARMERS_SLUG,
        intro=FARMERS_INTRO,
        mode=Mode.IDENTIFIED,
        one_per=OnePer.PHONE,
        consent_text=FARMERS_CONSENT,
    )
    people = _Respondents(rng, survey, FARMERS_PROFILES)
    sent = []
    for phone in _phones(rng, FARMERS_RESPONSES):
        identity = {"full_name": _full_name(rng), "phone": phone, "consent": True}
        sent.append(services.submit_response(survey, people.answers(), identity=identity))
    _spread_over_days(survey, sent)
    _say(
        stdout,
        f"Đã tạo khảo sát mẫu “{survey.title}” với {FARMERS_RESPONSES} phiếu có danh tính.",
    )
    return survey


def load_survey_demo(stdout: Writer | None = None) -> list[Survey]:
    """Build the demo surveys and opinion reports (once); return the two surveys
    (the anonymous dialogue survey, then the identified farmers' survey)."""
    slugs = [DIALOGUE_SLUG, FARMERS_SLUG]
    existing = {s.slug: s for s in Survey.objects.filter(slug__in=slugs)}
    if len(existing) == len(slugs):
        _say(stdout, "Khảo sát mẫu đã có; không tạo thêm.")
        return [existing[s] for s in slugs]
    organizer, city = demo_home("khảo sát mẫu")
    user = get_user_model().objects.filter(username=CREATOR_USERNAME).first()
    rng = random.Random(SEED)
    with transaction.atomic():
        dialogue = existing.get(DIALOGUE_SLUG) or _make_dialogue(rng, organizer, city, user, stdout)
        farmers = existing.get(FARMERS_SLUG) or _make_farmers(rng, organizer, city, user, stdout)
        make_reports(stdout, board_username=CREATOR_USERNAME)
    return [dialogue, farmers]


__all__ = ["DIALOGUE_SLUG", "FARMERS_SLUG", "load_survey_demo"]
