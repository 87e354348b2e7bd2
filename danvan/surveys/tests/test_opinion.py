"""Public-opinion reports: draft → submit (then read-only), scope, the hot
issues (grouping, ranking, trend), follow-up notes, the Word report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from danvan.core.models import Period, PeriodKind, Role
from danvan.core.tests.factories import make_staff
from danvan.surveys import opinion
from danvan.surveys.models import (
    Field,
    FollowUp,
    Mood,
    OpinionReport,
    ReportStatus,
    Spread,
)
from danvan.surveys.tests.factories import Units, make_opinion_report, make_units

pytestmark = pytest.mark.django_db


@dataclass
class World:
    units: Units
    earlier: Period  # Năm 2024
    before: Period  # 6 tháng đầu năm 2025
    period: Period  # 6 tháng cuối năm 2025
    ctv: Any  # collaborator of Xã Phụng Hiệp
    ctv_other: Any  # collaborator of Xã Hòa An
    commune_admin: Any
    board: Any  # board administrator of the province
    viewer: Any


@pytest.fixture
def world() -> World:
    units = make_units()
    earlier = Period.objects.create(
        name="Năm 2024", kind=PeriodKind.YEAR, start=date(2024, 1, 1), end=date(2024, 12, 31)
    )
    before = Period.objects.create(
        name="6 tháng đầu năm 2025",
        kind=PeriodKind.HALF_YEAR,
        start=date(2025, 1, 1),
        end=date(2025, 6, 30),
    )
    period = Period.objects.create(
        name="6 tháng cuối năm 2025",
        kind=PeriodKind.HALF_YEAR,
        start=date(2025, 7, 1),
        end=date(2025, 12, 31),
    )
    return World(
        units=units,
        earlier=earlier,
        before=before,
        period=period,
        ctv=make_staff("dl.ctv", Role.COLLABORATOR, area=units.commune),
        ctv_other=make_staff("dl.ctv.hoaan", Role.COLLABORATOR, area=units.other_commune),
        commune_admin=make_staff("dl.canbo", Role.BOARD_ADMIN, area=units.commune),
        board=make_staff("dl.bdv", Role.BOARD_ADMIN, area=units.province),
        viewer=make_staff("dl.xem", Role.VIEWER, area=units.province),
    )


def report(
    w: World,
    area: Any,
    topic: str,
    *,
    period: Period | None = None,
    author: Any = None,
    proposals: str = "",
    **fields: Any,
) -> OpinionReport:
    """`make_opinion_report` by the commune's collaborator in this period
    (unless `author`, `period` say otherwise)."""
    return make_opinion_report(
        author or w.ctv, period or w.period, area, topic, proposals=proposals, **fields
    )


def form_data(w: World, **overrides: Any) -> dict[str, Any]:
    data = {
        "period": w.period.pk,
        "area": w.units.hamlet.pk,
        "field": Field.LAND,
        "topic": "Bồi thường giải phóng mặt bằng đường tỉnh 927",
        "what_people_say": "Nhiều hộ cho rằng giá bồi thường thấp hơn giá thị trường.",
        "mood": Mood.UPSET,
        "spread": Spread.COMMUNE,
        "proposals": "Đề nghị công khai phương án bồi thường.",
        "action": "draft",
    }
    data.update(overrides)
    return data


# --- Draft, edit, submit -------------------------------------------------------------


def test_collaborator_drafts_edits_then_submits(world: World, client: Any) -> None:
    client.force_login(world.ctv)
    assert client.get(reverse("opinion:report_add")).status_code == 200
    response = client.post(reverse("opinion:report_add"), form_data(world))
    r = OpinionReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("opinion:report_detail", args=[r.pk])
    assert r.status == ReportStatus.DRAFT and r.author == world.ctv and r.submitted_at is None
    assert r.topic_folded == "boi thuong giai phong mat bang duong tinh 927"

    # The draft is the author's alone.
    client.force_login(world.board)
    assert client.get(reverse("opinion:report_detail", args=[r.pk])).status_code == 404
    assert r.topic not in client.get(reverse("opinion:report_list")).content.decode()
    assert opinion.hot_issues(world.period, world.units.province).issues == []

    client.force_login(world.ctv)
    edit = reverse("opinion:report_edit", args=[r.pk])
    assert client.get(edit).status_code == 200
    client.post(edit, form_data(world, topic="Bồi thường   đường tỉnh 927"))
    r.refresh_from_db()
    assert r.topic == "Bồi thường đường tỉnh 927" and r.status == ReportStatus.DRAFT

    submit = reverse("opinion:report_submit", args=[r.pk])
    assert client.get(submit).status_code == 200
    client.post(submit)
    r.refresh_from_db()
    assert r.status == ReportStatus.SUBMITTED and r.submitted_at is not None

    # Read-only from now on.
    response = client.get(edit)
    assert response.status_code == 302
    assert response["Location"] == reverse("opinion:report_detail", args=[r.pk])
    client.post(edit, form_data(world, topic="Đổi tên sau khi gửi"))
    r.refresh_from_db()
    assert r.topic == "Bồi thường đường tỉnh 927"
    detail = client.get(reverse("opinion:report_detail", args=[r.pk])).content.decode()
    assert "Sửa bản nháp" not in detail and "Đã gửi" in detail
    with pytest.raises(ValidationError):
        opinion.save_report(
            world.ctv,
            {**form_data(world), "period": world.period, "area": world.units.hamlet},
            report=r,
        )

    # Now the board sees it.
    client.force_login(world.board)
    assert client.get(reverse("opinion:report_detail", args=[r.pk])).status_code == 200


def test_send_from_the_form_asks_for_confirmation(world: World, client: Any) -> None:
    client.force_login(world.commune_admin)  # board administrators file reports too
    response = client.post(reverse("opinion:report_add"), form_data(world, action="submit"))
    r = OpinionReport.objects.get()
    # Saved as a draft, then the confirmation page: nothing is sent yet.
    assert r.status == ReportStatus.DRAFT and r.author == world.commune_admin
    confirm = reverse("opinion:report_submit", args=[r.pk])
    assert response.status_code == 302 and response["Location"] == confirm
    page = client.get(confirm).content.decode()
    assert "không sửa, không xóa được nữa" in page
    assert "Nhiều hộ cho rằng giá bồi thường thấp hơn giá thị trường." in page  # to review
    assert reverse("opinion:report_edit", args=[r.pk]) in page  # "Sửa lại"
    client.post(confirm)
    r.refresh_from_db()
    assert r.status == ReportStatus.SUBMITTED and r.submitted_at is not None


def test_form_with_errors_keeps_what_was_typed(world: World, client: Any) -> None:
    client.force_login(world.ctv)
    data = form_data(world, action="submit", mood="", topic="Nước sạch ấp Phụng Thạnh")
    response = client.post(reverse("opinion:report_add"), data)
    assert response.status_code == 200
    assert "mood" in response.context["form"].errors
    body = response.content.decode()
    assert 'value="Nước sạch ấp Phụng Thạnh"' in body
    assert "Nhiều hộ cho rằng giá bồi thường thấp hơn giá thị trường." in body
    assert not OpinionReport.objects.exists()


def test_units_offered_are_the_reporters_own(world: World, client: Any) -> None:
    client.force_login(world.ctv)
    response = client.post(
        reverse("opinion:report_add"), form_data(world, area=world.units.other_commune.pk)
    )
    assert response.status_code == 200
    assert "area" in response.context["form"].errors
    assert not OpinionReport.objects.exists()
    choices = {a.pk for a in response.context["form"].fields["area"].queryset}
    assert choices == {world.units.commune.pk, world.units.hamlet.pk, world.units.other_hamlet.pk}
    with pytest.raises(PermissionDenied):
        opinion.save_report(
            world.ctv,
            {**form_data(world), "period": world.period, "area": world.units.other_commune},
        )


def test_who_may_file(world: World, client: Any) -> None:
    client.force_login(world.viewer)
    assert client.get(reverse("opinion:report_add")).status_code == 404
    assert "Viết báo cáo" not in client.get(reverse("opinion:report_list")).content.decode()
    assert not opinion.can_file(world.viewer)
    assert opinion.can_file(world.ctv) and opinion.can_file(world.board)


def test_collaborator_never_sees_another_communes_reports(world: World, client: Any) -> None:
    mine = report(world, world.units.hamlet, "Đường ấp Phụng Thạnh xuống cấp")
    theirs = report(
        world, world.units.other_commune, "Nước sinh hoạt Hòa An", author=world.ctv_other
    )
    client.force_login(world.ctv)
    body = client.get(reverse("opinion:report_list")).content.decode()
    assert mine.topic in body and theirs.topic not in body
    assert client.get(reverse("opinion:report_detail", args=[theirs.pk])).status_code == 404
    client.force_login(world.board)
    body = client.get(reverse("opinion:report_list")).content.decode()
    assert mine.topic in body and theirs.topic in body


def test_report_list_filters(world: World, client: Any) -> None:
    report(world, world.units.hamlet, "Sạt lở bờ sông Cái Côn")
    report(world, world.units.hamlet, "Giá lúa thấp", field=Field.ECONOMY, period=world.before)
    client.force_login(world.board)
    url = reverse("opinion:report_list")
    body = client.get(url, {"tim": "sat lo"}).content.decode()
    assert "Sạt lở bờ sông Cái Côn" in body and "Giá lúa thấp" not in body
    body = client.get(url, {"ky": world.before.pk}).content.decode()
    assert "Sạt lở" not in body and "Giá lúa thấp" in body
    body = client.get(url, {"linh_vuc": Field.ECONOMY}).content.decode()
    assert "Sạt lở" not in body and "Giá lúa thấp" in body


# --- Hot issues -----------------------------------------------------------------------


# The issues of the `issues` fixture.
LANDSLIDE = "Sạt lở bờ sông Cái Côn"
RICE = "Giá lúa thấp"
INSURANCE = "Chính sách bảo hiểm y tế hộ cận nghèo"


@pytest.fixture
def issues(world: World) -> World:
    u = world.units
    # A: three units, one "bức xúc" in a hamlet, one wide "bức xúc" in Hòa An.
    report(
        world,
        u.hamlet,
        LANDSLIDE,
        mood=Mood.UPSET,
        spread=Spread.HAMLET,
        proposals="Đề nghị kè bờ sông đoạn qua ấp Phụng Thạnh.",
    )
    report(world, u.other_hamlet, "sat lo  bo song cai con", mood=Mood.MIXED)
    report(
        world,
        u.other_commune,
        "SẠT LỞ BỜ SÔNG CÁI CÔN",
        mood=Mood.UPSET,
        spread=Spread.WIDE,
        author=world.ctv_other,
        proposals="Di dời các hộ ở sát mép sông.",
    )
    # B: one unit, two reports; its worst report counts.
    report(
        world,
        u.hamlet,
        RICE,
        field=Field.ECONOMY,
        mood=Mood.UPSET,
        spread=Spread.COMMUNE,
        proposals="Hỗ trợ tiêu thụ lúa cho bà con.",
    )
    report(world, u.hamlet, RICE, field=Field.ECONOMY, mood=Mood.AGREE)
    # C: two units, calm.
    report(world, u.hamlet, INSURANCE, field=Field.POLICY, mood=Mood.AGREE)
    report(
        world,
        u.other_commune,
        INSURANCE,
        field=Field.POLICY,
        mood=Mood.AGREE,
        author=world.ctv_other,
    )
    # D: the same words as B in another field: another issue.
    report(world, u.hamlet, RICE, field=Field.SOCIAL, mood=Mood.AGREE)
    # Not counted: a draft, and a report of the previous period.
    report(
        world,
        u.hamlet,
        INSURANCE,
        field=Field.POLICY,
        mood=Mood.UPSET,
        spread=Spread.WIDE,
        submitted=False,
    )
    # The previous period: A once, B three times, C twice.
    before = world.before
    report(world, u.hamlet, LANDSLIDE, period=before)
    for _ in range(3):
        report(world, u.hamlet, RICE, field=Field.ECONOMY, period=before)
    for _ in range(2):
        report(world, u.hamlet, INSURANCE, field=Field.POLICY, period=before)
    # A period older still, ignored by the trend.
    report(world, u.hamlet, "Nước sạch", period=world.earlier)
    return world


def test_previous_period_is_the_latest_of_the_same_kind_ending_before(world: World) -> None:
    assert opinion.previous_period(world.period) == world.before
    # Six months are never compared with a year.
    assert opinion.previous_period(world.before) is None
    assert opinion.previous_period(world.earlier) is None
    year = Period.objects.create(
        name="Năm 2025", kind=PeriodKind.YEAR, start=date(2025, 1, 1), end=date(2025, 12, 31)
    )
    # A year with the year before, never with one of its own halves.
    assert opinion.previous_period(year) == world.earlier


def test_previous_period_with_the_demo_periods(demo: Any) -> None:
    """The demo's periods: "Năm 2024" was compared with its own first half, and
    "6 tháng cuối năm 2025" with the year 2024."""
    by_name = {p.name: p for p in Period.objects.all()}

    def previous(name: str) -> str | None:
        before = opinion.previous_period(by_name[name])
        return before.name if before else None

    assert previous("6 tháng cuối năm 2025") == "6 tháng cuối năm 2024"
    assert previous("6 tháng cuối năm 2024") == "6 tháng đầu năm 2024"
    assert previous("6 tháng đầu năm 2024") is None
    assert previous("Năm 2024") is None


def test_hot_issues_grouped_ranked_with_trend(issues: World) -> None:
    hot = opinion.hot_issues(issues.period, issues.units.province)
    assert hot.previous_period == issues.before
    assert hot.reports == 8 and hot.units == 3
    got = [(i.field, i.topic, i.units, i.reports, i.score, i.trend) for i in hot.issues]
    assert got == [
        # 3 units: (1+3+1) + (1+1+0) + (1+3+3)
        (Field.ENVIRONMENT, "Sạt lở bờ sông Cái Côn", 3, 3, 14, "up"),
        # 1 unit, its worst report: 1+3+2
        (Field.ECONOMY, "Giá lúa thấp", 1, 2, 6, "down"),
        # 2 calm units: 1+1
        (Field.POLICY, "Chính sách bảo hiểm y tế hộ cận nghèo", 2, 2, 2, "same"),
        (Field.SOCIAL, "Giá lúa thấp", 1, 1, 1, "new"),
    ]
    a = hot.issues[0]
    assert a.topic_folded == "sat lo bo song cai con"
    assert a.upset == 2 and a.widest == Spread.WIDE
    assert a.previous == 1 and a.trend_symbol == "↑"
    assert hot.issues[1].trend_symbol == "↓" and hot.issues[3].trend_symbol == "mới"
    assert a.unit_names == ["Ấp Phụng Sơn", "Ấp Phụng Thạnh", "Xã Hòa An"]


def test_hot_issues_of_a_commune_count_only_its_units(issues: World) -> None:
    hot = opinion.hot_issues(issues.period, issues.units.commune)
    top = hot.issues[0]
    assert (top.topic, top.units, top.reports, top.score) == ("Sạt lở bờ sông Cái Côn", 2, 2, 7)
    assert "Xã Hòa An" not in top.unit_names
    policy = next(i for i in hot.issues if i.field == Field.POLICY)
    assert policy.units == 1


def test_hot_issues_page_and_follow_up(issues: World, client: Any) -> None:
    w = issues
    client.force_login(w.board)
    url = reverse("opinion:hot_issues")
    params = {"ky": w.period.pk, "dia_ban": w.units.province.pk}
    body = client.get(url, params).content.decode()
    assert body.index("Sạt lở bờ sông Cái Côn") < body.index("Chính sách bảo hiểm y tế")
    assert "Ghi nhận theo dõi" in body
    assert "Đề nghị kè bờ sông đoạn qua ấp Phụng Thạnh." in body
    follow = reverse("opinion:follow_up")
    query = {**params, "linh_vuc": Field.ENVIRONMENT, "van_de": "sat lo bo song cai con"}
    qs = "?" + "&".join(f"{k}={v}" for k, v in query.items())
    assert client.get(follow + qs).status_code == 200
    response = client.post(
        follow + qs, {"note": "Đã báo cáo Thường trực Thành ủy, chuyển Sở Nông nghiệp khảo sát kè."}
    )
    assert response.status_code == 302
    note = FollowUp.objects.get()
    assert (note.period, note.scope_area, note.field, note.topic_folded, note.author) == (
        w.period,
        w.units.province,
        Field.ENVIRONMENT,
        "sat lo bo song cai con",
        w.board,
    )
    body = client.get(url, params).content.decode()
    assert "Đã theo dõi" in body and "chuyển Sở Nông nghiệp khảo sát kè." in body
    hot = opinion.hot_issues(w.period, w.units.province)
    assert [f.note for f in hot.issues[0].follow_ups] == [note.note]
    assert hot.issues[1].follow_ups == []
    # Noted at the province, shown on the commune's page too.
    assert opinion.hot_issues(w.period, w.units.commune).issues[0].follow_ups == [note]
    # An empty note is refused; an issue nobody raised is not found.
    assert client.post(follow + qs, {"note": "   "}).status_code == 200
    assert FollowUp.objects.count() == 1
    missing = qs.replace("sat+lo", "x").replace("sat lo bo song cai con", "khong co")
    assert client.get(follow + missing).status_code == 404


def test_follow_up_needs_a_manager_of_the_unit(issues: World, client: Any) -> None:
    w = issues
    qs = (
        f"?ky={w.period.pk}&dia_ban={w.units.commune.pk}&linh_vuc={Field.ENVIRONMENT}"
        "&van_de=sat lo bo song cai con"
    )
    for user in (w.ctv, w.viewer, w.ctv_other):
        client.force_login(user)
        assert client.get(reverse("opinion:follow_up") + qs).status_code == 404
        assert client.post(reverse("opinion:follow_up") + qs, {"note": "x"}).status_code == 404
    assert not FollowUp.objects.exists()
    client.force_login(w.ctv)
    body = client.get(reverse("opinion:hot_issues")).content.decode()
    assert "Sạt lở bờ sông Cái Côn" in body and "Ghi nhận theo dõi" not in body
    # The collaborator's page is their commune: nothing from Hòa An.
    assert "Xã Hòa An" not in body
    # A unit out of scope answers 404.
    response = client.get(reverse("opinion:hot_issues"), {"dia_ban": w.units.province.pk})
    assert response.status_code == 404


def test_hot_issues_word_report(issues: World, client: Any) -> None:
    w = issues
    opinion.add_follow_up(
        w.board,
        period=w.period,
        scope_area=w.units.province,
        field=Field.ENVIRONMENT,
        topic_folded="sat lo bo song cai con",
        note="Đã chuyển Sở Nông nghiệp và Môi trường.",
    )
    client.force_login(w.board)
    response = client.get(
        reverse("opinion:hot_issues_docx"), {"ky": w.period.pk, "dia_ban": w.units.province.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO TÌNH HÌNH DƯ LUẬN XÃ HỘI" in text
    assert "6 tháng cuối năm 2025" in text
    assert "III. ĐỀ XUẤT, KIẾN NGHỊ" in text
    assert "Đề nghị kè bờ sông đoạn qua ấp Phụng Thạnh." in text
    assert "Di dời các hộ ở sát mép sông." in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in "\n".join(cells)
    assert "Sạt lở bờ sông Cái Côn" in cells
    assert any("Đã chuyển Sở Nông nghiệp và Môi trường." in c for c in cells)
    assert any(c.startswith("↑") for c in cells)
    assert doc.styles["Normal"].font.name == "Times New Roman"


# --- Topics: suggestions while typing, merging by the board ---------------------------


def test_topic_suggestions_come_from_the_period_in_scope(world: World, client: Any) -> None:
    u = world.units
    report(world, u.hamlet, "Sạt lở bờ sông Cái Côn")
    report(world, u.hamlet, "sat lo bo song cai con")  # the same issue, spelled badly
    report(world, u.hamlet, "Giá lúa thấp", field=Field.ECONOMY, period=world.before)
    report(world, u.hamlet, "Nước sạch", period=world.earlier)  # a year: not compared
    report(world, u.other_commune, "Nước sinh hoạt Hòa An", author=world.ctv_other)
    client.force_login(world.ctv)
    response = client.get(reverse("opinion:report_add"))
    got = [(t.topic, t.reports) for t in response.context["topic_suggestions"]]
    assert got == [("Sạt lở bờ sông Cái Côn", 2), ("Giá lúa thấp", 1)]
    body = response.content.decode()
    assert 'list="goi-y-van-de"' in body and '<datalist id="goi-y-van-de">' in body
    assert '<option value="Sạt lở bờ sông Cái Côn" label="Môi trường · 2 báo cáo">' in body
    assert "Nước sinh hoạt Hòa An" not in body  # another commune's report
    # On a form sent back with an error, the suggestions follow the chosen period.
    response = client.post(
        reverse("opinion:report_add"), form_data(world, period=world.earlier.pk, mood="")
    )
    assert [t.topic for t in response.context["topic_suggestions"]] == ["Nước sạch"]


def merge_url(w: World, field: str, topic: str, scope: Any = None) -> str:
    from urllib.parse import urlencode

    from danvan.core.text import fold

    query = {
        "ky": w.period.pk,
        "dia_ban": (scope or w.units.province).pk,
        "linh_vuc": field,
        "van_de": fold(topic),
    }
    return reverse("opinion:merge_topics") + "?" + urlencode(query)


def test_board_merges_two_topics_after_confirming(world: World, client: Any) -> None:
    from auditlog.models import LogEntry

    u = world.units
    a1 = report(world, u.hamlet, "Sạt lở bờ sông Cái Côn", mood=Mood.UPSET)
    report(world, u.other_hamlet, "Sạt lở bờ sông Cái Côn")
    b = report(world, u.other_commune, "Sạt lở sông Cái Côn", author=world.ctv_other)
    c = report(world, u.other_commune, "Sạt lở sông Cái Côn", period=world.before)
    other = report(world, u.hamlet, "Giá lúa thấp", field=Field.ECONOMY)
    note = FollowUp.objects.create(
        period=world.period,
        scope_area=u.other_commune,
        field=Field.ENVIRONMENT,
        topic_folded="sat lo song cai con",
        note="Đã báo cáo Đảng ủy xã.",
        author=world.board,
    )
    assert len(opinion.hot_issues(world.period, u.province).issues) == 3

    client.force_login(world.board)
    hot = client.get(
        reverse("opinion:hot_issues"), {"ky": world.period.pk, "dia_ban": u.province.pk}
    )
    assert "Gộp vào vấn đề khác" in hot.content.decode()
    url = merge_url(world, Field.ENVIRONMENT, "Sạt lở sông Cái Côn")
    page = client.get(url)
    assert page.status_code == 200
    target = opinion.issue_value(Field.ENVIRONMENT, a1.topic_folded)
    choices = dict(page.context["form"].fields["vao"].choices)
    assert (
        target in choices and opinion.issue_value(Field.ENVIRONMENT, b.topic_folded) not in choices
    )

    # No choice: a message beside the field, nothing changed.
    response = client.post(url, {})
    assert "Hãy chọn vấn đề để gộp vào." in response.content.decode()
    # The first POST only shows what will change.
    response = client.post(url, {"vao": target})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Xác nhận gộp vấn đề" in body and 'name="xac_nhan" value="1"' in body
    b.refresh_from_db()
    assert b.topic == "Sạt lở sông Cái Côn"
    audits = LogEntry.objects.count()
    # Confirmed.
    response = client.post(url, {"vao": target, "xac_nhan": "1"})
    assert response.status_code == 302 and "/van-de-noi-bat/" in response["Location"]
    b.refresh_from_db()
    assert (b.topic, b.topic_folded, b.status) == (
        a1.topic,
        a1.topic_folded,
        ReportStatus.SUBMITTED,
    )
    assert b.what_people_say == "Bà con bàn tán về sạt lở sông cái côn."  # the content stays
    c.refresh_from_db()
    assert c.topic == "Sạt lở sông Cái Côn"  # another period: untouched
    note.refresh_from_db()
    assert note.topic_folded == a1.topic_folded  # the follow-up moved with the issue
    hot_issues = opinion.hot_issues(world.period, u.province).issues
    top = hot_issues[0]
    assert (top.topic, top.units, top.reports) == (a1.topic, 3, 3)
    assert len(hot_issues) == 2 and top.follow_ups == [note]
    # Audited: the report's old topic is in the trail.
    entry = LogEntry.objects.filter(object_pk=str(b.pk), action=LogEntry.Action.UPDATE).latest("pk")
    assert LogEntry.objects.count() == audits + 2  # the report and the note
    assert entry.actor == world.board
    assert entry.changes_dict["topic"] == ["Sạt lở sông Cái Côn", a1.topic]
    # The merged issue is gone: the page answers 404.
    assert client.get(url).status_code == 404
    other.refresh_from_db()
    assert other.topic == "Giá lúa thấp"


def test_merging_topics_takes_a_manager_of_the_unit(world: World, client: Any) -> None:
    u = world.units
    report(world, u.hamlet, "Sạt lở bờ sông Cái Côn")
    b = report(world, u.hamlet, "Sạt lở sông Cái Côn")
    url = merge_url(world, Field.ENVIRONMENT, "Sạt lở sông Cái Côn", scope=u.commune)
    target = opinion.issue_value(Field.ENVIRONMENT, "sat lo bo song cai con")
    for user in (world.ctv, world.viewer, world.ctv_other):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"vao": target, "xac_nhan": "1"}).status_code == 404
    b.refresh_from_db()
    assert b.topic == "Sạt lở sông Cái Côn"
    with pytest.raises(PermissionDenied):
        opinion.merge_topics(
            world.ctv,
            period=world.period,
            scope_area=u.commune,
            source=(Field.ENVIRONMENT, b.topic_folded),
            target=(Field.ENVIRONMENT, "sat lo bo song cai con"),
        )
    client.force_login(world.commune_admin)
    assert client.get(url).status_code == 200


# --- The report list: filter by unit ----------------------------------------------------


def test_report_list_filters_by_unit(world: World, client: Any) -> None:
    u = world.units
    report(world, u.hamlet, "Đường ấp Phụng Thạnh xuống cấp")
    report(world, u.commune, "Chợ xã họp lấn đường")
    report(world, u.other_commune, "Nước sinh hoạt Hòa An", author=world.ctv_other)
    client.force_login(world.board)
    url = reverse("opinion:report_list")
    body = client.get(url, {"dia_ban": u.commune.pk}).content.decode()
    assert "Đường ấp Phụng Thạnh xuống cấp" in body and "Chợ xã họp lấn đường" in body
    assert "Nước sinh hoạt Hòa An" not in body
    body = client.get(url, {"dia_ban": u.other_commune.pk}).content.decode()
    assert "Nước sinh hoạt Hòa An" in body and "Chợ xã họp lấn đường" not in body
    # A collaborator's choices are their own commune; another unit is a 404.
    client.force_login(world.ctv)
    page = client.get(url)
    choices = dict(page.context["form"].fields["dia_ban"].choices)
    assert u.commune.pk in choices and u.other_commune.pk not in choices
    assert client.get(url, {"dia_ban": u.other_commune.pk}).status_code == 404


# --- Deleting a draft ------------------------------------------------------------------


def test_author_deletes_own_draft_after_confirming(world: World, client: Any) -> None:
    from auditlog.models import LogEntry

    draft = report(world, world.units.hamlet, "Bản nháp cần xóa", submitted=False)
    sent = report(world, world.units.hamlet, "Báo cáo đã gửi")
    url = reverse("opinion:report_delete", args=[draft.pk])
    # Someone else's draft: 404, even for the board.
    for user in (world.board, world.ctv_other, world.commune_admin):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert OpinionReport.objects.filter(pk=draft.pk).exists()

    client.force_login(world.ctv)
    detail = client.get(reverse("opinion:report_detail", args=[draft.pk])).content.decode()
    assert url in detail
    page = client.get(url)
    assert page.status_code == 200 and "không khôi phục được" in page.content.decode()
    assert OpinionReport.objects.filter(pk=draft.pk).exists()  # GET changes nothing
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("opinion:report_list")
    assert not OpinionReport.objects.filter(pk=draft.pk).exists()
    assert LogEntry.objects.filter(
        object_pk=str(draft.pk), action=LogEntry.Action.DELETE, actor=world.ctv
    ).exists()

    # A sent report is never deleted.
    response = client.post(reverse("opinion:report_delete", args=[sent.pk]))
    assert response.status_code == 302
    assert OpinionReport.objects.filter(pk=sent.pk).exists()
    with pytest.raises(ValidationError):
        opinion.delete_draft(world.ctv, sent)
