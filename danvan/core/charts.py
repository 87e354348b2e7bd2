"""Charts drawn on the server as inline SVG: no JavaScript, small, accessible.

A building block for every app (contest statistics, survey results): three
kinds, `bar_chart` (horizontal bars), `column_chart` (a series) and `histogram`
(a distribution), plus `vn_number` for figures written the Vietnamese way.

Each chart is one `<svg role="img">` with an `aria-label`, a `<title>` and a
`<desc>` giving the figures in words; each bar carries its own `<title>` (a
tooltip on hover). Widths are responsive and mobile first: a 400-unit viewBox,
`width="100%"` and a max-width of about 1.15× the viewBox, so every text (15
units) reads at 12 px at least on a 390 px phone and at most about 17 px on a
desktop. Bar labels go beside the bars when they are short and above them when
they are long.

Text is measured with a real font: the widest of the page's sans-serif fonts
found on the server (DejaVu Sans, then Liberation Sans, Arial; `CHART_FONT` in
the settings names another), through Pillow, so that a label laid out for it
fits in any of the narrower fonts a phone or a desktop draws it with. Without
any of them, a per-character estimate errs on the wide side.
Every piece of text is XML-escaped, so names typed by participants or staff
cannot inject markup. Numbers use the Vietnamese thousands separator (1.234).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
INK = "#1b1b1b"
MUTED = "#4f4f4f"
GRID = "#d9d5cc"
AXIS = "#767676"
BAR = "#a3131a"  # brand red, 7.9:1 on white
WIDTH = 400
FONT_SIZE = 15
SMALL = 15  # axis labels: 12 px on a phone, like the rest
MAX_LABEL = 56  # characters of a bar label before it is shortened with "…"
MAX_SCALE = 1.15
BESIDE = 0.36  # labels narrower than this share of the width go beside the bars


def vn_number(value: float) -> str:
    """1234567 -> "1.234.567"; 12.5 -> "12,5"."""
    if isinstance(value, float) and not value.is_integer():
        whole, frac = f"{value:,.1f}".split(".")
        return whole.replace(",", ".") + "," + frac
    return f"{int(value):,}".replace(",", ".")


def _esc(text: object) -> str:
    return escape(str(text), {'"': "&quot;", "'": "&#x27;"})


def _clip(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


# Where the sans-serif fonts of the page's stack live (regular, bold), widest first.
FONT_FILES = (
    ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("liberation/LiberationSans-Regular.ttf", "liberation/LiberationSans-Bold.ttf"),
    ("liberation2/LiberationSans-Regular.ttf", "liberation2/LiberationSans-Bold.ttf"),
    ("arial.ttf", "arialbd.ttf"),
    ("Arial.ttf", "Arial Bold.ttf"),
)
FONT_DIRS = (
    "/usr/share/fonts/truetype",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts/Supplemental",
    "C:/Windows/Fonts",
)

# The fallback: widths in ems, on the wide side of the common sans-serif fonts.
_NARROW = set("iljI.,:;'!|ìíỉĩịÌÍỈĨỊ ")
_SEMI = set('frtJ()-/[]"')
_WIDE = set("mwMWƯỨỪỬỮỰ%@")


def _estimate(text: str, size: float) -> float:
    ems = 0.0
    for ch in text:
        if ch in _NARROW:
            ems += 0.34
        elif ch in _SEMI:
            ems += 0.45
        elif ch in _WIDE:
            ems += 1.0
        elif ch.isupper():
            ems += 0.77
        else:
            ems += 0.64
    return ems * size


@cache
def _font_file(bold: bool) -> str | None:
    configured = settings.CHART_FONT
    if configured and not bold and Path(configured).is_file():
        return str(configured)
    for pair in FONT_FILES:
        for folder in FONT_DIRS:
            path = Path(folder) / pair[1 if bold else 0]
            if path.is_file():
                return str(path)
    return None


@cache
def _font(size: float, bold: bool) -> Any:
    path = _font_file(bold) or _font_file(False)
    if path is None:
        return None
    try:
        from PIL import ImageFont

        return ImageFont.truetype(path, size=round(size * 4))  # measured at 4x, then scaled
    except OSError:
        return None


def _text_width(text: str, size: float = FONT_SIZE, *, bold: bool = False) -> float:
    """The width of `text` at `size` units in the widest font of the page's stack."""
    font = _font(size, bold)
    if font is None:
        return _estimate(text, size) * (1.08 if bold else 1.0)
    return float(font.getlength(text)) / 4


def _fit(text: str, room: float, size: float = FONT_SIZE) -> str:
    """`text`, shortened with "…" until it is no wider than `room`."""
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def every_day(counts: Sequence[tuple[date, int]], *, longest: int = 400) -> list[tuple[date, int]]:
    """A count per day from the first day to the last, the days without any as 0,
    so that a per-day axis never skips a quiet day (unless the span is longer
    than `longest` days: then the days as given)."""
    if not counts:
        return []
    given = dict(counts)
    first, last = min(given), max(given)
    if (last - first).days >= longest:
        return sorted(given.items())
    return [
        (first + timedelta(days=i), given.get(first + timedelta(days=i), 0))
        for i in range((last - first).days + 1)
    ]


def _fmt(x: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _describe(items: Sequence[tuple[str, int]], unit: str) -> str:
    parts = [f"{label}: {vn_number(value)}{unit}" for label, value in items[:40]]
    more = len(items) - 40
    text = "; ".join(parts)
    return text + (f"; và {more} mục khác." if more > 0 else ".")


def _svg(width: float, height: float, title: str, desc: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{_esc(title)}" viewBox="0 0 {_fmt(width)} {_fmt(height)}" '
        f'width="{_fmt(width * MAX_SCALE)}" preserveAspectRatio="xMinYMin meet" '
        f'font-family="{_esc(FONT)}" font-size="{FONT_SIZE}" fill="{INK}">'
        f"<title>{_esc(title)}</title><desc>{_esc(desc)}</desc>{body}</svg>"
    )


def _empty(title: str, width: float = WIDTH) -> str:
    body = f'<text x="0" y="20" fill="{MUTED}">Chưa có số liệu.</text>'
    return _svg(width, 32, title, "Chưa có số liệu.", body)


def _nice_scale(top: float, ticks: int = 4) -> tuple[int, int]:
    """A round upper bound and a round integer step for the axis."""
    if top <= 0:
        return 1, 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = magnitude
    for m in (1, 2, 2.5, 5, 10):
        step = m * magnitude
        if step >= raw:
            break
    step = max(1, math.ceil(step))
    return step * math.ceil(top / step), step


# --- Horizontal bars ---------------------------------------------------------------


def bar_chart(
    items: Sequence[tuple[str, int]],
    title: str,
    *,
    width: int = WIDTH,
    unit: str = "",
    color: str = BAR,
) -> str:
    """Horizontal bars, one row per item, the value at the end of each bar.
    Short labels sit beside the bars, long ones (place names) above them.
    `unit` is appended to values in the tooltips and the description
    (e.g. " người")."""
    if not items:
        return _empty(title, width)
    labels = [_clip(label) for label, _v in items]
    values = [max(0, int(v)) for _l, v in items]
    value_w = max(_text_width(vn_number(v), bold=True) for v in values) + 8
    widest = max(_text_width(s) for s in labels)
    beside = widest <= width * BESIDE
    if not beside:  # above the bars: as wide as the chart at most
        labels = [_fit(label, width - 4) for label in labels]
    bar_h = 16
    if beside:
        label_w = widest + 10
        row_h, bar_top = 26, 0.0
    else:
        label_w = 0.0
        row_h, bar_top = 46, FONT_SIZE + 5
    plot_w = max(40.0, width - label_w - value_w - 2)
    biggest = max(values) or 1
    parts = []
    for i, (full, label, value) in enumerate(zip(items, labels, values, strict=True)):
        y = 4 + i * row_h + bar_top
        mid = y + bar_h / 2 + FONT_SIZE * 0.35
        w = plot_w * value / biggest
        if value and w < 2:
            w = 2
        if beside:
            text = f'<text x="{_fmt(label_w - 8)}" y="{_fmt(mid)}" text-anchor="end">'
        else:
            text = f'<text x="2" y="{_fmt(y - 6)}">'  # a T or a Y overhangs its origin
        parts.append(
            f"<g><title>{_esc(full[0])}: {vn_number(value)}{_esc(unit)}</title>"
            f"{text}{_esc(label)}</text>"
            f'<rect x="{_fmt(label_w)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{bar_h}" '
            f'rx="2" fill="{_esc(color)}"/>'
            f'<text x="{_fmt(label_w + w + 5)}" y="{_fmt(mid)}" font-weight="700">'
            f"{vn_number(value)}</text></g>"
        )
    height = 4 + len(items) * row_h + (0 if beside else -8)
    axis = (
        f'<line x1="{_fmt(label_w + 0.5)}" y1="0" x2="{_fmt(label_w + 0.5)}" '
        f'y2="{_fmt(height)}" stroke="{AXIS}" stroke-width="1"/>'
        if beside
        else ""
    )
    return _svg(width, height, title, _describe(items, unit), axis + "".join(parts))


# --- Vertical columns --------------------------------------------------------------


def _columns(
    items: Sequence[tuple[str, int]],
    title: str,
    *,
    width: int,
    height: int,
    gap: float,
    tip_prefix: str = "",
    x_title: str,
    y_title: str,
    unit: str,
    color: str,
) -> str:
    if not items:
        return _empty(title, width)
    values = [max(0, int(v)) for _l, v in items]
    y_max, step = _nice_scale(max(values))
    ticks = list(range(0, y_max + 1, step))
    left = max(_text_width(vn_number(t), SMALL) for t in ticks) + 10 + (20 if y_title else 0)
    right, top = 4, 22
    bottom = 26 + (20 if x_title else 0)
    plot_w = width - left - right
    plot_h = height - top - bottom
    slot = plot_w / len(items)
    bar_w = max(1.0, slot * (1 - gap))
    parts: list[str] = []
    for t in ticks:
        y = top + plot_h - plot_h * t / y_max
        parts.append(
            f'<line x1="{_fmt(left)}" y1="{_fmt(y)}" x2="{_fmt(width - right)}" y2="{_fmt(y)}" '
            f'stroke="{GRID if t else AXIS}" stroke-width="1"/>'
            f'<text x="{_fmt(left - 6)}" y="{_fmt(y + 4)}" text-anchor="end" fill="{MUTED}" '
            f'font-size="{SMALL}">{vn_number(t)}</text>'
        )
    label_w = max(_text_width(_clip(label, 12), SMALL) for label, _v in items) + 6
    every = max(1, math.ceil(label_w / slot))
    room = every * slot - 4
    show_values = _text_width(vn_number(max(values)), SMALL, bold=True) <= slot + 2
    for i, ((label, _v), value) in enumerate(zip(items, values, strict=True)):
        x = left + i * slot + (slot - bar_w) / 2
        h = plot_h * value / y_max
        if value and h < 1.5:
            h = 1.5
        y = top + plot_h - h
        cx = left + i * slot + slot / 2
        piece = (
            f"<g><title>{_esc(tip_prefix + label)}: {vn_number(value)}{_esc(unit)}</title>"
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(bar_w)}" height="{_fmt(h)}" '
            f'fill="{_esc(color)}"/>'
        )
        if show_values and value:
            piece += (
                f'<text x="{_fmt(cx)}" y="{_fmt(y - 4)}" text-anchor="middle" font-size="{SMALL}" '
                f'font-weight="700">{vn_number(value)}</text>'
            )
        if i % every == 0:
            shown = _fit(_clip(label, 12), room, SMALL)
            piece += (
                f'<text x="{_fmt(cx)}" y="{_fmt(top + plot_h + 18)}" text-anchor="middle" '
                f'font-size="{SMALL}" fill="{MUTED}">{_esc(shown)}</text>'
            )
        parts.append(piece + "</g>")
    if x_title:
        parts.append(
            f'<text x="{_fmt(left + plot_w / 2)}" y="{_fmt(height - 4)}" text-anchor="middle" '
            f'font-size="{SMALL}" fill="{MUTED}">{_esc(x_title)}</text>'
        )
    if y_title:
        cy = top + plot_h / 2
        parts.append(
            f'<text x="14" y="{_fmt(cy)}" text-anchor="middle" font-size="{SMALL}" fill="{MUTED}" '
            f'transform="rotate(-90 14 {_fmt(cy)})">{_esc(y_title)}</text>'
        )
    described = [(tip_prefix + label, v) for label, v in items]
    return _svg(width, height, title, _describe(described, unit), "".join(parts))


def column_chart(
    items: Sequence[tuple[str, int]],
    title: str,
    *,
    width: int = WIDTH,
    height: int = 240,
    x_title: str = "",
    y_title: str = "",
    unit: str = "",
    color: str = BAR,
) -> str:
    """Vertical columns for a series (e.g. attempts per day, labels "05/01")."""
    return _columns(
        items,
        title,
        width=width,
        height=height,
        gap=0.3,
        x_title=x_title,
        y_title=y_title,
        unit=unit,
        color=color,
    )


def histogram(
    distribution: Sequence[tuple[int, int]],
    title: str,
    *,
    width: int = WIDTH,
    height: int = 240,
    x_title: str = "Điểm",
    y_title: str = "Số người",
    unit: str = " người",
    color: str = BAR,
) -> str:
    """Adjacent columns for a score distribution [(score, count), ...]."""
    items = [(str(score), n) for score, n in distribution]
    return _columns(
        items,
        title,
        width=width,
        height=height,
        gap=0.08,
        tip_prefix=f"{x_title} " if x_title else "",
        x_title=x_title,
        y_title=y_title,
        unit=unit,
        color=color,
    )
