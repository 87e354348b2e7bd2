"""Training of officials: courses and who completed them, all or nothing;
the two training targets against a recount (those who left, who did not
complete, or trained before the plan, not counted); who still needs it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from danvan.core.models import OrgKind, Role
from danvan.core.tests.factories import make_org, make_staff, make_two_communes
from danvan.plans import services
from danvan.plans.indicators import TRAINED_GRASSROOTS, TRAINED_PUBLIC_FACING
from danvan.plans.models import Completion, Course, Official, OfficialClass

pytestmark = pytest.mark.django_db


def official(body: Any, name: str, cls: str = OfficialClass.GRASSROOTS, **more: Any) -> Official:
    values = {"position": "", "left_on": None, **more}
    return services.save_official(
        None, full_name=name, organization=body, official_class=cls, **values
    )


def course(body: Any, starts: date = date(2025, 9, 8)) -> Course:
    return services.create_course(
        title="Tập huấn dân vận", organization=body, starts_on=starts, ends_on=starts, place=""
    )


@pytest.fixture
def place(db: Any) -> Any:
    province, a, b = make_two_communes()
    return type("Place", (), dict(
        province=province, a=a, b=b,
        board=make_org(province, "Ban Dân vận Thành ủy", OrgKind.MOBILISATION_BOARD),
        board_a=make_org(a, "Ban Dân vận Đảng ủy xã An Bình", OrgKind.MOBILISATION_BOARD),
        ubnd_b=make_org(b, "UBND xã Bình Hòa", OrgKind.GOVERNMENT),
    ))  # fmt: skip


def test_completions_all_or_nothing(place: Any) -> None:
    lan = official(place.board_a, "Trần Thị Lan")
    gone = official(place.board_a, "Lê Văn Cũ", left_on=date(2025, 1, 1))
    taught = course(place.board)
    for rows, message in (
        ([], "ít nhất một học viên"),
        ([(lan, True, ""), (lan, True, "")], "chỉ ghi một lần"),
        ([(lan, True, ""), (gone, True, "")], "thôi công tác trước khi mở lớp: Lê Văn Cũ"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.add_completions(taught, rows)
    assert not Completion.objects.exists()
    services.add_completions(taught, [(lan, True, "001/GCN")])
    with pytest.raises(ValidationError, match="Đã có trong lớp: Trần Thị Lan"):
        services.add_completions(taught, [(lan, True, "")])
    with pytest.raises(ValidationError, match="sau ngày bắt đầu"):
        services.create_course(
            title="x", organization=place.board, starts_on=date(2025, 9, 8),
            ends_on=date(2025, 9, 1), place="",
        )  # fmt: skip


def test_the_training_targets_against_a_recount(place: Any) -> None:
    lan = official(place.board_a, "Trần Thị Lan")
    hung = official(place.board_a, "Nguyễn Văn Hùng")
    official(place.board_a, "Lê Văn Cũ", left_on=date(2025, 1, 1))  # left: not counted
    mai = official(place.ubnd_b, "Phạm Thị Mai", OfficialClass.PUBLIC_FACING)
    official(place.ubnd_b, "Võ Văn Tâm", OfficialClass.PUBLIC_FACING)
    services.add_completions(
        course(place.board), [(lan, True, ""), (hung, False, ""), (mai, True, "")]
    )
    grassroots = TRAINED_GRASSROOTS.compute(place.province, None)
    assert (grassroots.done, grassroots.total) == (1, 2)
    assert [(a.name, d, t) for a, d, t in grassroots.parts] == [("Xã An Bình", 1, 2)]
    facing = TRAINED_PUBLIC_FACING.compute(place.province, None)
    assert (facing.done, facing.total) == (1, 2)
    # With a plan from 2026, a course of 2025 is before it: not counted.
    plan = services.create_plan(
        by=None, organization=place.board, number="1", issued_on=date(2026, 1, 1),
        title="Kế hoạch 2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
    )  # fmt: skip
    assert TRAINED_GRASSROOTS.compute(place.province, plan).done == 0
    (row_a,) = [r for r in TRAINED_GRASSROOTS.compute(place.a, None).rows if r.done]
    assert row_a.label == "Trần Thị Lan" and "đã học: Tập huấn dân vận" in row_a.note


def test_who_still_needs_training_and_the_course_page(place: Any, client: Any) -> None:
    lan = official(place.board_a, "Trần Thị Lan")
    official(place.board_a, "Nguyễn Văn Hùng")
    officer = make_staff("bdv.tp", Role.BOARD_ADMIN, area=place.province)
    client.force_login(officer)
    added = client.post(
        reverse("plans_staff:course_add"),
        {"title": "Bồi dưỡng dân vận chính quyền", "organization": place.board.pk,
         "starts_on": "2025-10-13", "ends_on": "2025-10-14", "place": ""},
    )  # fmt: skip
    assert added.status_code == 302
    taught = Course.objects.get()
    done = client.post(
        taught.get_absolute_url(), {"officials": [lan.pk], "completed": "on", "certificate": "7"}
    )
    assert done.status_code == 302 and Completion.objects.get().certificate == "7"
    still = client.get(reverse("plans_staff:official_list"), {"chua": "1"}).content.decode()
    assert "Nguyễn Văn Hùng" in still and "Trần Thị Lan" not in still
