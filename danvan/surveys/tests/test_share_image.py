"""Sharing a survey: the default share image (og:image) drawn from the title
when staff uploaded none, and the invitation codes in Excel (formula-safe, with
a sheet ready for a mail merge)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from danvan.surveys import share
from danvan.surveys.guards import generate_codes
from danvan.surveys.models import OnePer, Survey, SurveyStatus
from danvan.surveys.tests.factories import make_survey

pytestmark = pytest.mark.django_db

TITLE = "Ý kiến Nhân dân về việc sắp xếp ấp, khu vực sau sáp nhập xã"


@pytest.fixture
def survey() -> Survey:
    return make_survey(title=TITLE)


def image_url(body: str) -> str:
    start = body.index('<meta property="og:image" content="') + len(
        '<meta property="og:image" content="'
    )
    return body[start : body.index('"', start)]


def test_public_page_names_the_generated_image(survey: Survey, client: Any) -> None:
    body = client.get(survey.get_absolute_url()).content.decode()
    url = image_url(body)
    path = reverse("surveys:share_image", args=[survey.slug])
    assert url.startswith(f"http://testserver{path}?v=")
    assert '<meta property="og:image:width" content="1200">' in body
    assert '<meta property="og:image:height" content="630">' in body
    assert f'<meta property="og:image:alt" content="Khảo sát ý kiến Nhân dân: {TITLE}">' in body
    assert '<meta name="twitter:card" content="summary_large_image">' in body


def test_the_png_is_1200_by_630_on_the_red_and_cached(
    survey: Survey, client: Any, monkeypatch: Any
) -> None:
    drawn: list[str] = []
    real = share.draw_default_image

    def counting(title: str, organization: str) -> bytes:
        drawn.append(title)
        return real(title, organization)

    monkeypatch.setattr(share, "draw_default_image", counting)
    url = image_url(client.get(survey.get_absolute_url()).content.decode())
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "max-age=86400" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (1200, 630)
    rgb = image.convert("RGB")
    assert rgb.getpixel((10, 10)) == (0xA3, 0x13, 0x1A)  # the site's red
    # Text was drawn: white pixels where the title goes.
    title_band = rgb.crop((80, 160, 1120, 480))
    assert (255, 255, 255) in {c for _n, c in title_band.getcolors(1 << 16) or []}

    # Kept: a second request does not draw it again; a browser gets a 304.
    assert client.get(url).content == response.content
    assert drawn == [TITLE]
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304

    # A new title: a new address and a new image.
    survey.title = "Ý kiến về nước sạch nông thôn"
    survey.save()
    new_url = image_url(client.get(survey.get_absolute_url()).content.decode())
    assert new_url != url
    assert client.get(new_url).content != response.content
    assert drawn == [TITLE, "Ý kiến về nước sạch nông thôn"]


def test_a_font_with_vietnamese_letters_is_used(monkeypatch: Any, tmp_path: Path) -> None:
    assert share._font_file() is not None, "install fonts-dejavu-core"
    # Without any such font the title is drawn without diacritics, never as boxes.
    monkeypatch.setattr(share, "FONT_FILES", (str(tmp_path / "none.ttf"),))
    share._font_file.cache_clear()
    try:
        assert share._font_file() is None
        assert share._shown("Ý kiến Nhân dân về đường") == "Y kien Nhan dan ve duong"
        png = share.draw_default_image(TITLE, "Ban Dân vận")
        assert Image.open(io.BytesIO(png)).size == (1200, 630)
    finally:
        share._font_file.cache_clear()


def test_long_titles_end_with_an_ellipsis() -> None:
    image = Image.new("RGB", (10, 10))
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    _font, lines, size = share._fit(draw, "Rất dài " * 80, 1040, 4)
    assert len(lines) == 4 and lines[-1].endswith("…") and size == 40


def test_drafts_have_no_public_image_and_uploads_win(survey: Survey, client: Any) -> None:
    request = RequestFactory().get("/")
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.DRAFT)
    survey.refresh_from_db()
    assert share.og_context(survey, request)["image"] == ""
    assert client.get(reverse("surveys:share_image", args=[survey.slug])).status_code == 404
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.CLOSED)
    survey.refresh_from_db()
    og = share.og_context(survey, request)
    assert og["generated"] and "/anh-chia-se.png?v=" in og["image"]
    survey.share_image.name = "surveys/anh.png"
    og = share.og_context(survey, request)
    assert og["image"] == "http://testserver/media/surveys/anh.png" and not og["generated"]


def test_codes_workbook_is_formula_safe_and_ready_for_a_mail_merge() -> None:
    survey = make_survey(one_per=OnePer.CODE, title="=1+1 Ý kiến về chợ")
    codes = generate_codes(survey, 3)
    url = "https://danvan.example/khao-sat/cho/"
    wb = load_workbook(io.BytesIO(share.codes_xlsx(survey, codes, url)))
    first = wb["Mã mời"]["A1"]
    assert first.value == "=1+1 Ý kiến về chợ"
    assert first.data_type == "s" and first.quotePrefix  # shown as typed, never run
    rows = list(wb["Mã mời"].iter_rows(min_row=6, values_only=True))
    assert [r[1] for r in rows] == codes

    merge = list(wb[share.MERGE_SHEET].iter_rows(values_only=True))
    assert list(merge[0]) == share.MERGE_HEADERS  # field names on the first row
    assert [r[1] for r in merge[1:]] == codes
    text = merge[1][3]
    assert codes[0] in text and url in text and "“=1+1 Ý kiến về chợ”" in text
    assert text.startswith("Mời ông/bà tham gia khảo sát")
    assert merge[1][4:] == (None, None, None)  # to fill: name, phone, e-mail
