"""The demo programme of inspection and supervision: the city's
mass-mobilisation board checks two communes' bodies in the current half-year
(the previous one in its first weeks); one inspection is concluded with two
recommendations, one done, one overdue; the other is planned."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from danvan.core.demo import DemoError, Writer, demo_home, say
from danvan.core.models import Organization, OrgKind, Period, PeriodKind
from danvan.inspections import services
from danvan.inspections.models import Inspection, Kind, Programme, Recommendation

TITLE = "Chương trình kiểm tra, giám sát việc thực hiện Đề án 08-ĐA/TU"


def _half_year(today: date) -> Period:
    if (today.month in (1, 7)) or (today.month in (2, 8) and today.day < 15):
        today = today.replace(day=1) - timedelta(days=45)  # weeks into a half-year: the last one
    first = today.month <= 6
    start = date(today.year, 1 if first else 7, 1)
    end = date(today.year, 6, 30) if first else date(today.year, 12, 31)
    name = f"6 tháng {'đầu' if first else 'cuối'} năm {today.year}"
    period = Period.objects.filter(start=start, end=end).first()
    if period is None:
        period = Period.objects.create(name=name, kind=PeriodKind.HALF_YEAR, start=start, end=end)
    return period


@transaction.atomic
def load_inspections_demo(stdout: Writer | None = None) -> None:
    if Programme.objects.filter(title=TITLE).exists():
        return
    board, city = demo_home("chương trình kiểm tra mẫu")
    today = timezone.localdate()
    period = _half_year(today)
    programme = services.save_programme(
        Programme(organization=board, period=period, number="05-CTr/BDVTU", title=TITLE,
                  issued_on=period.start + timedelta(days=14))
    )  # fmt: skip
    bodies = list(
        Organization.objects.current()
        .filter(area__path__startswith=city.path, kind__in=(OrgKind.FRONT, OrgKind.FARMERS))
        .exclude(area=city)
        .order_by("path")[:2]
    )
    if len(bodies) < 2:
        raise DemoError("Không tạo được kiểm tra mẫu: chưa có Mặt trận, Hội Nông dân các xã.")
    start = max(period.start + timedelta(days=20), today - timedelta(days=60))
    done = services.save_inspection(
        Inspection(programme=programme, kind=Kind.INSPECTION, inspected=bodies[0],
                   team="Trưởng đoàn: Phó Trưởng Ban Dân vận; 3 thành viên.",
                   starts_on=start, ends_on=start + timedelta(days=2),
                   scope_text="Việc ban hành kế hoạch phối hợp, tuyên truyền cho hội viên.")
    )  # fmt: skip
    done = services.conclude_inspection(
        done,
        findings="Đã ban hành kế hoạch; tổ chức 12 buổi tuyên truyền. Hạn chế: chưa cập nhật "
        "số liệu hội viên được tuyên truyền theo chi hội.",
        conclusions="Cơ bản thực hiện tốt; cần bổ sung sổ theo dõi theo chi hội.",
        concluded_on=start + timedelta(days=5),
    )
    early = services.add_recommendation(
        done, text="Lập sổ theo dõi tuyên truyền theo từng chi hội.",
        deadline=start + timedelta(days=20),
    )  # fmt: skip
    services.settle_recommendation(
        early, done_on=start + timedelta(days=18), result="Đã lập sổ tại 5 chi hội."
    )
    services.add_recommendation(
        done, text="Báo cáo kết quả khắc phục về Ban Dân vận.",
        deadline=min(today - timedelta(days=1), start + timedelta(days=30)),
    )  # fmt: skip
    later = min(period.end, today + timedelta(days=20))
    services.save_inspection(
        Inspection(programme=programme, kind=Kind.SUPERVISION, inspected=bodies[1],
                   team="Trưởng đoàn: Trưởng Ban Dân vận; 2 thành viên.",
                   starts_on=later - timedelta(days=1), ends_on=later,
                   scope_text="Việc tập huấn cán bộ chi hội về kỹ năng dân vận.")
    )  # fmt: skip
    say(stdout, f"Kiểm tra, giám sát mẫu: {Recommendation.objects.count()} kiến nghị.")
