"""The demo's public-opinion reports (`make_reports`, called by
`danvan.surveys.demo.load_survey_demo`): twelve submitted reports of "6 tháng
cuối năm 2025" from the new communes (recurring topics, so the hot-issues page
has groups) and three of "6 tháng cuối năm 2024" on the former communes (for
the trend: a period is compared with the previous one of the same kind)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from danvan.core.demo import DemoError, Writer
from danvan.core.demo import say as _say
from danvan.core.models import Area, AreaKind, Period
from danvan.core.text import VN_TZ
from danvan.surveys import opinion
from danvan.surveys.models import Field, Mood, OpinionReport, ReportStatus, Spread

COLLABORATOR_USERNAME = "ctv.phunghiep"
COLLABORATOR_COMMUNE = "31420"  # Xã Phụng Hiệp (new), where ctv.phunghiep reports
PERIOD_NAME = "6 tháng cuối năm 2025"
PREVIOUS_PERIOD_NAME = "6 tháng cuối năm 2024"  # same kind: the trend compares with it

RICE = "Giá lúa thấp, chi phí vật tư cao"
EROSION = "Sạt lở bờ kênh"
MERGER = "Chính sách hỗ trợ sau sáp nhập đơn vị hành chính"


@dataclass(frozen=True)
class ReportSpec:
    commune: str  # code
    field: str
    topic: str
    mood: str
    spread: str
    what_people_say: str
    proposals: str = ""

    def fields(self) -> dict[str, str]:
        """The report's fields but its period and unit (and the commune's code)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "commune"}


REPORTS_2025: list[ReportSpec] = [
    ReportSpec(
        "31420",
        Field.ECONOMY,
        RICE,
        Mood.UPSET,
        Spread.WIDE,
        "Vụ Hè Thu thương lái chỉ mua lúa tươi 5.600 – 5.800 đồng/kg, trong khi giá phân "
        "bón, thuốc bảo vệ thực vật tăng 10 – 15% so với vụ trước. Nhiều hộ trồng lúa ở ấp "
        "Phụng Thạnh, Phụng Sơn cho biết trừ chi phí thì gần như hòa vốn, có hộ lỗ.",
        "Đề nghị thành phố có giải pháp bình ổn giá vật tư nông nghiệp; khuyến khích doanh "
        "nghiệp liên kết bao tiêu lúa cho hợp tác xã.",
    ),
    ReportSpec(
        "31393",
        Field.ECONOMY,
        RICE,
        Mood.UPSET,
        Spread.COMMUNE,
        "Bà con bức xúc vì giá lúa giảm mạnh lúc thu hoạch rộ, thương lái ép giá, chê lúa "
        "ẩm để trừ cân. Chi phí thuê máy gặt và vận chuyển cũng tăng.",
        "Đề nghị Hội Nông dân phối hợp hợp tác xã tổ chức thu mua, sấy lúa tập trung.",
    ),
    ReportSpec(
        "31432",
        Field.ECONOMY,
        RICE,
        Mood.UPSET,
        Spread.COMMUNE,
        "Người trồng lúa phản ánh giá phân bón DAP, Urê tăng liên tục, giá lúa không tăng; "
        "một số hộ bỏ vụ Thu Đông hoặc cho thuê đất.",
        "Mong có vốn vay ưu đãi mua vật tư trả chậm sau thu hoạch.",
    ),
    ReportSpec(
        "31426",
        Field.ECONOMY,
        RICE,
        Mood.UPSET,
        Spread.HAMLET,
        "Ở các ấp giáp kênh xáng, nhiều người cho rằng trồng lúa không còn có lãi, lo thanh "
        "niên bỏ đi làm công nhân ở Bình Dương.",
    ),
    ReportSpec(
        "31420",
        Field.ENVIRONMENT,
        EROSION,
        Mood.UPSET,
        Spread.HAMLET,
        "Bờ kênh Lái Hiếu đoạn qua ấp Phụng Thạnh sạt lở khoảng 40 mét, lấn vào đường đal "
        "và sát nhà dân; người dân lo mất an toàn khi triều cường.",
        "Đề nghị khảo sát, gia cố khẩn cấp và cắm biển cảnh báo.",
    ),
    ReportSpec(
        "31408",
        Field.ENVIRONMENT,
        EROSION,
        Mood.MIXED,
        Spread.FEW,
        "Một số hộ ven kênh phản ánh bờ kênh sạt lở do xuồng máy chạy tốc độ cao; có ý kiến "
        "cho rằng do khai thác cát, chưa thống nhất.",
        "Đề nghị quy định tốc độ tàu, xuồng qua đoạn kênh dân cư.",
    ),
    ReportSpec(
        "31396",
        Field.POLICY,
        MERGER,
        Mood.MIXED,
        Spread.COMMUNE,
        "Cán bộ không chuyên trách ở ấp, xã cũ quan tâm chế độ hỗ trợ khi nghỉ việc sau sắp "
        "xếp; người dân đồng tình chủ trương nhưng lo đi làm thủ tục xa hơn.",
        "Đề nghị sớm công khai chính sách hỗ trợ và bố trí điểm tiếp nhận hồ sơ tại trụ sở cũ.",
    ),
    ReportSpec(
        "31399",
        Field.POLICY,
        MERGER,
        Mood.MIXED,
        Spread.COMMUNE,
        "Người dân hỏi nhiều về việc đổi giấy tờ (căn cước, sổ đỏ, giấy phép kinh doanh) sau "
        "khi đổi tên xã; có thông tin sai lệch trên mạng xã hội rằng phải đổi gấp và mất phí.",
        "Đề nghị tuyên truyền rõ: giấy tờ cũ vẫn còn giá trị, không bắt buộc đổi.",
    ),
    ReportSpec(
        "31408",
        Field.POLICY,
        MERGER,
        Mood.AGREE,
        Spread.HAMLET,
        "Đa số đồng tình việc sáp nhập, bộ máy gọn hơn; một số cán bộ nghỉ theo Nghị định "
        "178 hỏi về thời gian nhận tiền hỗ trợ.",
    ),
    ReportSpec(
        "31399",
        Field.LAND,
        "Chậm cấp giấy chứng nhận quyền sử dụng đất",
        Mood.MIXED,
        Spread.FEW,
        "Một số hộ nộp hồ sơ cấp đổi giấy chứng nhận từ trước khi sáp nhập nhưng chưa nhận "
        "được kết quả, không rõ hồ sơ đang ở đâu.",
        "Đề nghị rà soát, thông báo tiến độ từng hồ sơ.",
    ),
    ReportSpec(
        "31396",
        Field.SOCIAL,
        "Chậm chi trả trợ cấp xã hội cho người cao tuổi",
        Mood.MIXED,
        Spread.HAMLET,
        "Người cao tuổi phản ánh tháng 8, tháng 9 nhận trợ cấp chậm do chuyển đổi dữ liệu "
        "giữa xã cũ và xã mới.",
        "Đề nghị chi trả tại ấp cho người già yếu, đi lại khó khăn.",
    ),
    ReportSpec(
        "31393",
        Field.ORDER,
        "Lừa đảo qua mạng giả danh cán bộ",
        Mood.MIXED,
        Spread.COMMUNE,
        "Xuất hiện các cuộc gọi giả danh cán bộ công an, cán bộ xã yêu cầu cài ứng dụng để "
        "“cập nhật thông tin sau sáp nhập”; một số người đã bị chiếm đoạt tiền.",
        "Đề nghị tăng cường cảnh báo trên loa truyền thanh và nhóm Zalo của ấp.",
    ),
]

# (former commune code, field, topic, mood, spread, what people said)
REPORTS_2024: list[ReportSpec] = [
    ReportSpec(
        "31417",
        Field.ECONOMY,
        RICE,
        Mood.MIXED,
        Spread.COMMUNE,
        "Giá lúa vụ Đông Xuân khá, nhưng cuối năm giá phân bón tăng; bà con lo vụ sau lợi "
        "nhuận giảm.",
    ),
    ReportSpec(
        "31423",
        Field.ECONOMY,
        RICE,
        Mood.MIXED,
        Spread.HAMLET,
        "Nông dân phản ánh chi phí thuê máy gặt và vật tư tăng, giá lúa không ổn định.",
    ),
    ReportSpec(
        "31405",
        Field.ENVIRONMENT,
        EROSION,
        Mood.UPSET,
        Spread.FEW,
        "Sạt lở bờ kênh đoạn gần chợ, hai hộ phải di dời vật dụng; người dân lo mùa mưa.",
        "Đề nghị huyện bố trí kinh phí kè bờ kênh.",
    ),
]


def _user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise DemoError(
            f"Không tạo được báo cáo mẫu: chưa có tài khoản “{username}”. "
            "Hãy nạp dữ liệu mẫu huyện Phụng Hiệp trước (manage.py load_demo)."
        )
    return user


def _period(name: str) -> Period:
    period = Period.objects.filter(name=name).first()
    if period is None:
        raise DemoError(f"Không tạo được báo cáo mẫu: chưa có kỳ “{name}”.")
    return period


def make_reports(stdout: Writer | None, *, board_username: str) -> int:
    """The demo's opinion reports (once: none when the period already has them);
    the board's by the account `board_username`. Returns how many were made."""
    period = _period(PERIOD_NAME)
    if OpinionReport.objects.filter(
        period=period, topic=RICE, status=ReportStatus.SUBMITTED
    ).exists():
        _say(stdout, "Báo cáo dư luận mẫu đã có; không tạo thêm.")
        return 0
    previous = _period(PREVIOUS_PERIOD_NAME)
    board = _user(board_username)
    collaborator = _user(COLLABORATOR_USERNAME)
    communes = {
        a.code: a for a in Area.objects.filter(kind=AreaKind.COMMUNE, valid_to__isnull=True)
    }
    made = 0
    for spec in REPORTS_2025:
        area = communes.get(spec.commune)
        if area is None:
            continue
        author = collaborator if spec.commune == COLLABORATOR_COMMUNE else board
        data = {"period": period, "area": area, **spec.fields()}
        opinion.save_report(author, data, submit=True)
        made += 1
    # The former communes have ended: reports on them are stored directly, dated
    # at the end of 2024 (no one can file on an ended unit through the service).
    when = datetime(2024, 12, 20, 9, 0, tzinfo=VN_TZ)
    for n, spec in enumerate(REPORTS_2024):
        old = Area.objects.filter(code=spec.commune, valid_to__isnull=False).order_by("-pk").first()
        if old is None:
            continue
        report = OpinionReport.objects.create(
            author=board,
            period=previous,
            area=old,
            **spec.fields(),
            status=ReportStatus.SUBMITTED,
            submitted_at=when + timedelta(days=n),
        )
        OpinionReport.objects.filter(pk=report.pk).update(created_at=when + timedelta(days=n))
        made += 1
    _say(stdout, f"Đã tạo {made} báo cáo tình hình dư luận xã hội mẫu.")
    return made
