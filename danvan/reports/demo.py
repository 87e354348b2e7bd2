"""The demo review report: a draft "sơ kết" of the demo city's
mass-mobilisation board for the latest half-year that has begun, with a first
version of its narrative, so `make run` shows one to write and export."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from danvan.core.demo import DemoError, Writer, demo_home
from danvan.core.demo import say as _say
from danvan.core.models import Period, PeriodKind
from danvan.reports import services
from danvan.reports.models import ReviewReport

RESULTS = (
    "Trong kỳ, Ban Dân vận tham mưu cấp ủy lãnh đạo, chỉ đạo thực hiện tốt công tác dân vận; "
    "Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội tích cực đổi mới nội dung, hình thức "
    "tuyên truyền, vận động đoàn viên, hội viên và Nhân dân."
)
SHORTCOMINGS = (
    "Một số cơ sở chưa cập nhật kịp thời số liệu tuyên truyền, tập huấn lên hệ thống.\n"
    "Việc nhân rộng mô hình “Dân vận khéo” ở một số xã còn chậm."
)


def load_reports_demo(stdout: Writer | None = None) -> ReviewReport:
    board, _city = demo_home("báo cáo sơ kết mẫu")
    period = (
        Period.objects.filter(kind=PeriodKind.HALF_YEAR, start__lte=timezone.localdate())
        .latest_first()
        .first()
    )
    if period is None:
        raise DemoError("Không tạo được báo cáo sơ kết mẫu: chưa có kỳ báo cáo 6 tháng nào.")
    existing = ReviewReport.objects.filter(organization=board, period=period).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        report = services.create_report(
            None,
            organization=board,
            period=period,
            party_committee="ĐẢNG BỘ THÀNH PHỐ CẦN THƠ",
            issuer="BAN DÂN VẬN THÀNH ỦY",
            symbol="BC/BDVTU",
            place="Cần Thơ",
            signer_capacity="T/M BAN THƯỜNG VỤ",
            signer_title="Phó Bí thư",
            signer_name="Nguyễn Văn Mẫu",
            recipients="Ban Dân vận Trung ương,\nThường trực Thành ủy,\nLưu Văn phòng.",
        )
        services.save_draft(report, None, results=RESULTS, shortcomings=SHORTCOMINGS)
    _say(stdout, f"Đã tạo báo cáo sơ kết mẫu ({period.name}).")
    return report
