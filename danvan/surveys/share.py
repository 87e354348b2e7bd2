"""Sharing a survey: its public link, QR codes for posters and Open Graph data for
the preview that Zalo and Facebook show, and the Excel list of invitation codes.

QR codes are made with `segno`: a PNG large enough to print on an A4 poster
(scale 20: each module is 20 px, about 600 px or more for a short link) and an
SVG that scales to any size. Error correction "Q" survives a poster being
creased or partly covered.

When staff uploaded no share image, the preview gets one drawn here with Pillow
(`default_image_png`): the survey's title on the site's red, 1200 × 630 as
Zalo and Facebook want, kept in the cache under a digest of what it shows.
"""

from __future__ import annotations

import hashlib
import io
import logging
from functools import cache as memoize
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from PIL import Image, ImageDraw, ImageFont

from danvan.core.excel import safe_cell
from danvan.surveys.models import Survey, SurveyStatus

logger = logging.getLogger(__name__)

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
    ``{"title", "description", "image", "image_width", "image_height",
    "image_alt", "image_type", "generated", "url", "type", "site_name", "locale"}``
    (the tags: templates/public/_og.html). `image` is
    an absolute URL: the uploaded share image, else (once the survey is public)
    the image drawn from its title (`generated`); "" for a draft without one."""
    image, generated = "", False
    if survey.share_image:
        try:
            image = request.build_absolute_uri(survey.share_image.url)
        except ValueError:
            image = ""
    if not image and survey.status in (SurveyStatus.PUBLISHED, SurveyStatus.CLOSED):
        try:
            path = reverse("surveys:share_image", args=[survey.slug])
        except NoReverseMatch:
            path = ""
        if path:
            image = request.build_absolute_uri(f"{path}?v={image_digest(survey)[:12]}")
            generated = True
    return {
        "title": survey.title,
        "description": _describe(survey.intro) or DEFAULT_DESCRIPTION,
        "image": image,
        "image_width": IMAGE_SIZE[0] if generated else None,
        "image_height": IMAGE_SIZE[1] if generated else None,
        "image_alt": f"{IMAGE_KICKER}: {survey.title}" if generated else survey.title,
        "image_type": "image/png" if generated else "",
        "generated": generated,
        "url": public_url(survey, request),
        "type": "website",
        "site_name": getattr(settings, "SITE_NAME", "Dân Vận Số"),
        "locale": "vi_VN",
    }


# --- The default share image -------------------------------------------------------

IMAGE_SIZE = (1200, 630)  # 1.91:1, what Facebook and Zalo show large
IMAGE_KICKER = "Khảo sát ý kiến Nhân dân"
IMAGE_VERSION = "1"  # raise when the drawing changes: new digests, new URLs
IMAGE_TTL = 7 * 24 * 3600
RED, RED_DARK, GOLD, GOLD_LIGHT, WHITE = "#a3131a", "#7a0e13", "#c9a227", "#ffe9a8", "#ffffff"
# Fonts with every Vietnamese letter, looked for in this order (Debian:
# fonts-dejavu-core, fonts-liberation, fonts-noto-core). Without any, the title
# is drawn without diacritics rather than as empty boxes.
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf",
    "/Library/Fonts/Arial Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)


def image_digest(survey: Survey) -> str:
    """A digest of what the default image shows: a new one whenever it changes."""
    site = getattr(settings, "SITE_NAME", "Dân Vận Số")
    org = survey.organization.name if survey.organization_id else ""
    text = "\x1f".join([IMAGE_VERSION, survey.title, org, site])
    return hashlib.sha256(text.encode()).hexdigest()


@memoize
def _font_file() -> str | None:
    configured = getattr(settings, "SHARE_IMAGE_FONT", "")
    for candidate in (configured, *FONT_FILES):
        if candidate and Path(candidate).is_file():
            return candidate
    logger.warning(
        "No font with Vietnamese letters for share images (install fonts-dejavu-core): "
        "titles are drawn without diacritics."
    )
    return None


def _font(size: int) -> Any:
    path = _font_file()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def _shown(text: str) -> str:
    """The text as it can be drawn: without diacritics when no font has them."""
    return text if _font_file() else _unaccent(text)


def _unaccent(text: str) -> str:
    import unicodedata

    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _wrap(draw: Any, text: str, font: Any, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _fit(draw: Any, text: str, width: int, max_lines: int) -> tuple[Any, list[str], int]:
    """The largest font size (64 down to 40 px) at which `text` takes at most
    `max_lines` lines; at the smallest, the last line ends with "…"."""
    for size in range(64, 39, -4):
        font = _font(size)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines:
            return font, lines, size
    lines = lines[:max_lines]
    last = lines[-1]
    while last and draw.textlength(last + "…", font=font) > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = last.rstrip(" ,.;:") + "…"
    return font, lines, size


def _star(draw: Any, cx: float, cy: float, r: float, fill: str) -> None:
    import math

    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.4
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=fill)


def draw_default_image(title: str, organization: str) -> bytes:
    """A 1200 × 630 PNG: the kicker, the title (up to four lines, as large as
    fits), the organisation and the site's name on the site's red."""
    width, height = IMAGE_SIZE
    margin = 80
    image = Image.new("RGB", IMAGE_SIZE, RED)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height - 120, width, height), fill=RED_DARK)
    draw.rectangle((0, height - 126, width, height - 120), fill=GOLD)
    draw.rectangle((margin, 78, margin + 90, 84), fill=GOLD)
    draw.text((margin, 100), _shown(IMAGE_KICKER.upper()), font=_font(32), fill=GOLD_LIGHT)
    font, lines, size = _fit(draw, _shown(title), width - 2 * margin, 4)
    y = 160 + (4 - len(lines)) * size * 0.3
    for line in lines:
        draw.text((margin, y), line, font=font, fill=WHITE)
        y += size * 1.22
    org_font = _font(28)
    org = _shown(organization)
    while org and draw.textlength(org, font=org_font) > width - 2 * margin - 280:
        org = org[:-2].rstrip() + "…"
    draw.text((margin, height - 78), org, font=org_font, fill=WHITE)
    site = _shown(getattr(settings, "SITE_NAME", "Dân Vận Số"))
    site_font = _font(34)
    site_x = width - margin - draw.textlength(site, font=site_font)
    draw.text((site_x, height - 82), site, font=site_font, fill=GOLD_LIGHT)
    _star(draw, site_x - 34, height - 62, 20, GOLD_LIGHT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def default_image_png(survey: Survey) -> tuple[bytes, str]:
    """(PNG, digest) of the survey's default share image, drawn once per digest
    and kept in the cache."""
    digest = image_digest(survey)
    key = f"surveys:share-image:{survey.pk}:{digest}"
    data = cache.get(key)
    if data is None:
        org = survey.organization.name if survey.organization_id else ""
        data = draw_default_image(survey.title, org)
        cache.set(key, data, IMAGE_TTL)
    return data, digest


MERGE_SHEET = "Trộn thư"
MERGE_HEADERS = ["STT", "Mã mời", "Đường dẫn", "Lời mời", "Họ và tên", "Số điện thoại", "Email"]


def invitation_text(survey: Survey, code: str, url: str) -> str:
    """The message sent with one code (SMS, Zalo, e-mail)."""
    return (
        f"Mời ông/bà tham gia khảo sát “{survey.title}” của {survey.organization.name}. "
        f"Vào {url} và nhập mã mời {code} (mỗi mã chỉ dùng được một lần)."
    )


def codes_xlsx(survey: Survey, codes: list[str], url: str) -> bytes:
    """The invitation codes just generated, one a row, to print or to send: the
    first sheet to read and print, the second ("Trộn thư") with its field names
    on the first row, ready for a mail merge (Word, Gmail, Zalo tools): the
    invitation text of each code, and empty columns for the recipients' names,
    phones and e-mails, filled in by the unit. Text that a spreadsheet would
    take for a formula (a title "=...") is written as text."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Mã mời"
    ws.append([safe_cell(ws, survey.title)])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([safe_cell(ws, f"Đường dẫn: {url}")])
    ws.append(["Mỗi mã chỉ dùng được một lần. Giữ kín danh sách này."])
    ws.append([f"Gửi mã theo danh sách: dùng trang “{MERGE_SHEET}” để trộn thư."])
    ws.append(["STT", "Mã mời", "Đường dẫn khảo sát"])
    for cell in ws[5]:
        cell.font = Font(bold=True)
    for n, code in enumerate(codes, start=1):
        ws.append([n, code, safe_cell(ws, url)])
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 60
    for row in ws.iter_rows(min_row=6, max_col=2):
        for cell in row:
            cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A6"

    merge = wb.create_sheet(MERGE_SHEET)
    merge.append(MERGE_HEADERS)
    for cell in merge[1]:
        cell.font = Font(bold=True)
    for n, code in enumerate(codes, start=1):
        text = invitation_text(survey, code, url)
        merge.append([n, code, safe_cell(merge, url), safe_cell(merge, text), None, None, None])
    for col, width in zip("ABCDEFG", (8, 14, 45, 90, 28, 16, 28), strict=True):
        merge.column_dimensions[col].width = width
    merge.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
