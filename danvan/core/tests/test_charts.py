"""Chart text measured with a real font, and per-day axes without gaps."""

from __future__ import annotations

from datetime import date

from danvan.core import charts


def test_widths_come_from_a_font_not_a_count_of_letters() -> None:
    # The old guess gave every letter 0.58 em: "Nam" 26 units, narrower than it draws.
    assert charts._text_width("Nam") > 3 * 15 * 0.58 + 4
    assert charts._text_width("iii") < charts._text_width("mmm") / 2
    assert charts._text_width("1.234", bold=True) > charts._text_width("1.234")


def test_a_long_label_is_shortened_to_its_room() -> None:
    label = "Tham gia hợp tác xã, tổ hợp tác và các hình thức liên kết sản xuất"
    fitted = charts._fit(label, 200)
    assert fitted.endswith("…") and charts._text_width(fitted) <= 200
    assert charts._fit("Nam", 200) == "Nam"


def test_every_day_fills_the_quiet_days() -> None:
    counts = [(date(2026, 1, 30), 4), (date(2026, 2, 2), 1)]
    assert charts.every_day(counts) == [
        (date(2026, 1, 30), 4),
        (date(2026, 1, 31), 0),
        (date(2026, 2, 1), 0),
        (date(2026, 2, 2), 1),
    ]
    assert charts.every_day([]) == []
    far = [(date(2020, 1, 1), 1), (date(2026, 1, 1), 2)]
    assert charts.every_day(far, longest=92) == far  # years apart: the days as given


def test_bar_labels_fit_the_chart() -> None:
    label = "Tham gia hợp tác xã, tổ hợp tác và các hình thức liên kết sản xuất khác nữa"
    svg = charts.bar_chart([(label, 3), ("Nam", 5)], "Biểu đồ")
    assert f">{label}</text>" not in svg  # drawn shortened, with "…"
    assert "…</text>" in svg
    assert f"<title>{label}: 3</title>" in svg  # the tooltip keeps it whole
