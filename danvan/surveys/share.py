"""Sharing a survey: its public link, QR codes for posters and Open Graph data for
the preview that Zalo and Facebook show, and the Excel list of invitation codes.

QR codes are made with `segno`: a PNG large enough to print on an A4 poster
(scale 20: each module is 20 px, about 600 px or more for a short link) and an
SVG that scales to any size. Error correction "Q" survives a poster being
creased or partly covered.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from danvan.surveys.models import Survey

PNG_SCALE = 20
SVG_SCALE = 10
BORDER = 4  # quiet zone, in modules (the QR standard asks for 4)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_DESCRIPTION = "Mời ông/bà tham gia khảo sát trực tuyến, góp ý kiến với cấp ủy, chính quyền."


def survey_path(survey: Survey) -> str:
    """The public page of the survey (a path)."""
    try:
        return reverse("surveys:take", args=[survey.slug])
    except NoReverseMatch:  # the public pages are not mounted (yet)
        return f"/khao-sat/{survey.slug}/"


def public_url(survey: Survey, request: HttpRequest) -> str:
    return request.build_absolute_uri(survey_path(survey))


def _qr(url: str) -> segno.QRCode:
    return segno.make(url, error="q", micro=False)


def qr_png(url: str, scale: int = PNG_SCALE) -> bytes:
    out = io.BytesIO()
    _qr(url).save(out, kind="png", scale=scale, border=BORDER, dark="#000000", light="#ffffff")
    return out.getvalue()


def png_size(url: str, scale: int = PNG_SCALE) -> int:
    """The width (= height) in pixels of `qr_png(url)`."""
    return int(_qr(url).symbol_size(scale=scale, border=BORDER)[0])


def qr_svg(url: str, scale: int = SVG_SCALE, title: str = "") -> bytes:
    out = io.BytesIO()
    _qr(url).save(
        out,
        kind="svg",
        scale=scale,
        border=BORDER,
        dark="#000000",
        light="#ffffff",
        xmldecl=True,
        svgns=True,
        title=title or None,
        desc=url,
        unit=None,
    )
    return out.getvalue()


def _describe(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def og_context(survey: Survey, request: HttpRequest) -> dict[str, Any]:
    """What a public survey page puts in its Open Graph and Twitter card tags:
    ``{"title", "description", "image", "url", "type", "site_name", "locale"}``.
    `image` is an absolute URL, or "" when the survey has no share image."""
    image = ""
    if survey.share_image:
        try:
            image = request.build_absolute_uri(survey.share_image.url)
        except ValueError:
            image = ""
    return {
        "title": survey.title,
        "description": _describe(survey.intro) or DEFAULT_DESCRIPTION,
        "image": image,
        "url": public_url(survey, request),
        "type": "website",
        "site_name": getattr(settings, "SITE_NAME", "Dân Vận Số"),
        "locale": "vi_VN",
    }


def codes_xlsx(survey: Survey, codes: list[str], url: str) -> bytes:
    """The invitation codes just generated, one a row, to mail-merge or print."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Mã mời"
    ws.append([survey.title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"Đường dẫn: {url}"])
    ws.append(["Mỗi mã chỉ dùng được một lần. Giữ kín danh sách này."])
    ws.append([])
    ws.append(["STT", "Mã mời", "Đường dẫn khảo sát"])
    for cell in ws[5]:
        cell.font = Font(bold=True)
    for n, code in enumerate(codes, start=1):
        ws.append([n, code, url])
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 60
    for row in ws.iter_rows(min_row=6, max_col=2):
        for cell in row:
            cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A6"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
