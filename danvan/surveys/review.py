"""The surveys' section of the review report (`core.review`): the surveys of
the unit's bodies whose window meets the period with the responses received in
it, and the public-opinion reports submitted for the reporting periods that lie
in it, with their hot issues (`opinion.hot_issues`, the board's own ranking)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from danvan.core.models import Area, Period
from danvan.core.review import Result, Table, activities_in, listing, number
from danvan.core.text import format_date
from danvan.surveys.models import Response, Survey
from danvan.surveys.opinion import hot_issues

TITLE = "Khảo sát ý kiến, nắm tình hình dư luận xã hội"
HOT_SHOWN = 5


def periods_in(start: date, end: date) -> list[Period]:
    """The reporting periods lying within the dates (a year: its two halves and itself)."""
    return list(Period.objects.filter(start__gte=start, end__lte=end).order_by("start", "end"))


def surveys_review(area: Area, start: date, end: date) -> Result:
    surveys = activities_in(Survey.objects.all(), area, start, end)
    responses = dict(
        Response.objects.filter(
            survey__in=[s.pk for s in surveys], received_on__gte=start, received_on__lte=end
        )
        .values_list("survey")
        .annotate(n=Count("pk"))
        .order_by()
    )
    paragraphs = []
    tables = []
    total = sum(responses.values())
    if surveys:
        titles = [f"“{s.title}”" for s in surveys]
        paragraphs.append(
            f"Tổ chức {number(len(surveys))} cuộc khảo sát trực tuyến ({listing(titles)}), "
            f"nhận được {number(total)} phiếu trả lời của Nhân dân trong kỳ."
        )
        table = Table(
            "Khảo sát trực tuyến",
            ["STT", "Cuộc khảo sát", "Đơn vị tổ chức", "Thời gian", "Phiếu trả lời trong kỳ"],
            widths=[6, 50, 36, 26, 16],
        )
        for i, s in enumerate(surveys, 1):
            when = f"{format_date(s.opens_at)} – {format_date(s.closes_at)}"
            table.rows.append([i, s.title, s.organization.name, when, responses.get(s.pk, 0)])
        table.rows.append(["", "Tổng cộng", "", "", total])
        tables.append(table)
    else:
        paragraphs.append("Trong kỳ, chưa tổ chức cuộc khảo sát trực tuyến nào.")

    reports = 0
    issues_table = Table(
        "Vấn đề dư luận quan tâm",
        [
            "Kỳ báo cáo",
            "Lĩnh vực",
            "Vấn đề",
            "Số báo cáo",
            "Số địa bàn",
            "Báo cáo bức xúc",
            "Mức lan rộng",
            "So với kỳ trước",
        ],
        widths=[24, 24, 44, 12, 12, 14, 20, 26],
    )
    hot_sentences = []
    for period in periods_in(start, end):
        hot = hot_issues(period, area)
        if not hot.reports:
            continue
        reports += hot.reports
        for issue in hot.issues:
            issues_table.rows.append([
                period.name, issue.field_label, issue.topic, issue.reports, issue.units,
                issue.upset, issue.widest_label, issue.trend_text,
            ])  # fmt: skip
        top = [f"{i.topic} ({number(i.reports)} báo cáo)" for i in hot.issues[:HOT_SHOWN]]
        hot_sentences.append(
            f"Kỳ {period.name}: {number(hot.reports)} báo cáo của {number(hot.units)} địa bàn; "
            f"các vấn đề được quan tâm nhiều nhất: {listing(top, HOT_SHOWN)}."
        )
    if reports:
        paragraphs.append(
            f"Lực lượng cộng tác viên dư luận xã hội gửi {number(reports)} báo cáo tình hình "
            "dư luận xã hội, phản ánh kịp thời tâm tư, nguyện vọng của Nhân dân."
        )
        paragraphs.extend(hot_sentences)
        tables.append(issues_table)
    else:
        paragraphs.append("Chưa có báo cáo tình hình dư luận xã hội nào được gửi trong kỳ.")
    upset = sum(int(r[5]) for r in issues_table.rows)
    return Result(
        paragraphs,
        tables,
        {
            "surveys": len(surveys),
            "responses": total,
            "opinion_reports": reports,
            "hot_issues": len(issues_table.rows),
            "upset_reports": upset,
        },
    )
