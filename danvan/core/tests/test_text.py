"""Tests for danvan.core.text (pure unit tests, no database)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from danvan.core.text import (
    fold,
    format_date,
    format_datetime,
    search_terms,
    slug_vi,
    vn_sort_key,
    vn_sorted,
)

# ---------------------------------------------------------------------------
# A reference model of the Vietnamese alphabet, written out by hand (not derived from
# Unicode decomposition like the implementation).
# ---------------------------------------------------------------------------

ALPHABET = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
# Each vowel row, in tone order: ngang, huyền, hỏi, ngã, sắc, nặng.
TONE_ROWS = {
    "a": "aàảãáạ",
    "ă": "ăằẳẵắặ",
    "â": "âầẩẫấậ",
    "e": "eèẻẽéẹ",
    "ê": "êềểễếệ",
    "i": "iìỉĩíị",
    "o": "oòỏõóọ",
    "ô": "ôồổỗốộ",
    "ơ": "ơờởỡớợ",
    "u": "uùủũúụ",
    "ư": "ưừửữứự",
    "y": "yỳỷỹýỵ",
}
ASCII_OF = {
    "ă": "a",
    "â": "a",
    "đ": "d",
    "ê": "e",
    "ô": "o",
    "ơ": "o",
    "ư": "u",
}
# lower-case toned character -> (base letter, tone index)
CHAR_INFO: dict[str, tuple[str, int]] = {}
for _base in ALPHABET:
    CHAR_INFO[_base] = (_base, 0)
for _base, _row in TONE_ROWS.items():
    for _tone, _ch in enumerate(_row):
        CHAR_INFO[_ch] = (_base, _tone)
ALL_VN_CHARS = sorted(CHAR_INFO)

CASINGS = [str.lower, str.upper, str.capitalize, str.title]


@st.composite
def vn_words(draw: st.DrawFn, max_letters: int = 5, letters: list[str] | None = None) -> str:
    """A Vietnamese-looking word: base letters with (at most) one tone mark, random case."""
    chars = draw(st.lists(st.sampled_from(letters or ALPHABET), min_size=1, max_size=max_letters))
    tone = draw(st.integers(0, 5))
    vowel_positions = [i for i, c in enumerate(chars) if c in TONE_ROWS]
    if tone and vowel_positions:
        i = draw(st.sampled_from(vowel_positions))
        chars[i] = TONE_ROWS[chars[i]][tone]
    casing = draw(st.sampled_from(CASINGS))
    return casing("".join(chars))


def vn_phrases(
    max_words: int = 3, max_letters: int = 5, letters: list[str] | None = None
) -> st.SearchStrategy[str]:
    words = vn_words(max_letters=max_letters, letters=letters)
    return st.lists(words, min_size=1, max_size=max_words).map(" ".join)


# Vietnamese text with every toned letter, arbitrary case and messy whitespace.
vn_text = st.lists(
    st.one_of(
        st.sampled_from(ALL_VN_CHARS),
        st.sampled_from([c.upper() for c in ALL_VN_CHARS]),
        st.sampled_from([" ", "  ", "\t", "\n", "\u00a0"]),
        st.sampled_from(list("0123456789-,.")),
    ),
    max_size=30,
).map("".join)


def reference_ascii(s: str) -> str:
    out = []
    for ch in s.lower():
        if ch in CHAR_INFO:
            base = CHAR_INFO[ch][0]
            out.append(ASCII_OF.get(base, base))
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def reference_sort_key(phrase: str) -> list[tuple[list[int], int]]:
    """Word by word: (alphabet positions of the base letters, tone of the word)."""
    key = []
    for word in phrase.lower().split():
        positions = [ALPHABET.index(CHAR_INFO[ch][0]) for ch in word]
        tone = max(CHAR_INFO[ch][1] for ch in word)
        key.append((positions, tone))
    return key


def sign(x: int) -> int:
    return (x > 0) - (x < 0)


def cmp(a: object, b: object) -> int:
    return sign((a > b) - (a < b))  # type: ignore[operator]


# ---------------------------------------------------------------------------
# fold
# ---------------------------------------------------------------------------


class TestFold:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("DÂN VẬN Khéo", "dan van kheo"),
            ("Dân vận khéo", "dan van kheo"),
            ("Đồng", "dong"),
            ("đường ĐI", "duong di"),
            ("  Nguyễn \t Thị\n\nÁnh  ", "nguyen thi anh"),
            ("Phường Ngã Bảy", "phuong nga bay"),
            ("Thừa Thiên Huế", "thua thien hue"),
            ("Ấp 10", "ap 10"),
            ("", ""),
            ("   ", ""),
        ],
    )
    def test_examples(self, text: str, expected: str) -> None:
        assert fold(text) == expected

    def test_query_matches_text_any_case_and_diacritics(self) -> None:
        assert fold("dan van kheo") in fold("Phong trào Dân vận khéo năm 2024")
        assert fold("DÂN VẬN") in fold("dân vận khéo")
        assert fold("dan van") == fold("DÂN VẬN")
        assert fold("dong thap") == fold("Đồng Tháp")

    def test_decomposed_input_folds_like_precomposed(self) -> None:
        # "ế" typed as e + circumflex + acute (NFD), as some keyboards/IMEs produce.
        assert fold("Hu\u0065\u0302\u0301") == fold("Huế") == "hue"

    @given(st.text())
    def test_idempotent_on_any_text(self, s: str) -> None:
        assert fold(fold(s)) == fold(s)

    @given(vn_text)
    def test_idempotent_on_vietnamese(self, s: str) -> None:
        assert fold(fold(s)) == fold(s)

    @given(vn_text)
    def test_vietnamese_folds_to_ascii(self, s: str) -> None:
        assert fold(s).isascii()

    @given(vn_text)
    def test_matches_reference_ascii_mapping(self, s: str) -> None:
        assert fold(s) == reference_ascii(s)

    @given(vn_text)
    def test_case_insensitive(self, s: str) -> None:
        assert fold(s.upper()) == fold(s) == fold(s.lower())

    @given(vn_text)
    def test_d_and_dj_equivalent(self, s: str) -> None:
        assert fold(s.replace("d", "đ").replace("D", "Đ")) == fold(s)
        assert fold(s.replace("đ", "d").replace("Đ", "D")) == fold(s)

    @given(st.text())
    def test_whitespace_is_normalised(self, s: str) -> None:
        result = fold(s)
        assert result == result.strip()
        assert "  " not in result
        assert not re.search(r"[^\S ]", result)  # no whitespace other than plain spaces


class TestSearchTerms:
    def test_examples(self) -> None:
        assert search_terms("Dân  Vận KHÉO") == ["dan", "van", "kheo"]
        assert search_terms('  Nguyễn, Văn "ĐỨC" ') == ["nguyen", "van", "duc"]
        assert search_terms("Ấp 10/3") == ["ap", "10/3"]

    @pytest.mark.parametrize("blank", ["", "   ", "\t\n", " , ; "])
    def test_blank(self, blank: str) -> None:
        assert search_terms(blank) == []

    @given(st.text())
    def test_terms_are_folded_single_words(self, q: str) -> None:
        for term in search_terms(q):
            assert term
            assert fold(term) == term
            assert " " not in term

    @given(vn_phrases(max_words=4))
    def test_terms_of_vietnamese_phrase(self, phrase: str) -> None:
        assert search_terms(phrase) == [fold(w) for w in phrase.split()]


# ---------------------------------------------------------------------------
# vn_sort_key
# ---------------------------------------------------------------------------


class TestVnSortKey:
    def test_tones_only_break_ties(self) -> None:
        words = ["Bac", "Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"]
        assert sorted(words, key=vn_sort_key) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ", "Bac"]

    def test_dj_after_every_d_word(self) -> None:
        assert vn_sort_key("Dương") < vn_sort_key("Đông")
        assert vn_sort_key("Dzũng") < vn_sort_key("Đa")
        assert vn_sort_key("Đông") < vn_sort_key("Em")

    def test_vowel_letters_order(self) -> None:
        assert sorted(["Ăn", "Az", "Âm", "Ba", "An"], key=vn_sort_key) == [
            "An",
            "Az",
            "Ăn",
            "Âm",
            "Ba",
        ]
        assert sorted(["Ơn", "Ôm", "Ót", "Phở"], key=vn_sort_key) == ["Ót", "Ôm", "Ơn", "Phở"]
        assert sorted(["Ưng", "Uyên", "Vy"], key=vn_sort_key) == ["Uyên", "Ưng", "Vy"]
        assert vn_sort_key("Eo") < vn_sort_key("Ê")

    def test_word_by_word(self) -> None:
        assert vn_sort_key("An Bình") < vn_sort_key("Ấp 1")
        assert vn_sort_key("Ba Bình") < vn_sort_key("Bà An")
        assert vn_sort_key("Tân") < vn_sort_key("Tân An") < vn_sort_key("Tấn")

    def test_numbers_natural_order(self) -> None:
        assert vn_sorted(["Ấp 10", "Ấp 2", "Ấp 1", "Ấp 1A"]) == ["Ấp 1", "Ấp 1A", "Ấp 2", "Ấp 10"]

    def test_case_insensitive_and_tone_placement(self) -> None:
        assert vn_sort_key("HÒA BÌNH") == vn_sort_key("hòa bình")
        assert vn_sort_key("Hoà") == vn_sort_key("Hòa")
        assert vn_sort_key("Thuỷ") == vn_sort_key("Thủy")

    def test_punctuation_separates_words(self) -> None:
        assert vn_sort_key("Bà Rịa - Vũng Tàu") == vn_sort_key("Bà Rịa Vũng Tàu")

    def test_commune_names(self) -> None:
        names = [
            "Tân Phước Hưng",
            "Thạnh Hòa",
            "Tân Long",
            "Phương Bình",
            "Phụng Hiệp",
            "Long Thạnh",
            "Hòa An",
            "Hiệp Hưng",
            "Đông Phước",
            "Cây Dương",
            "Đại Thành",
            "Búng Tàu",
            "Ấp 10",
            "Tân Bình",
            "Ấp 2",
            "Ấp 1",
            "An Bình",
        ]
        expected = [
            "An Bình",
            "Ấp 1",
            "Ấp 2",
            "Ấp 10",
            "Búng Tàu",
            "Cây Dương",
            "Đại Thành",
            "Đông Phước",
            "Hiệp Hưng",
            "Hòa An",
            "Long Thạnh",
            "Phụng Hiệp",
            "Phương Bình",
            "Tân Bình",
            "Tân Long",
            "Tân Phước Hưng",
            "Thạnh Hòa",
        ]
        assert vn_sorted(names) == expected
        assert vn_sorted(reversed(names)) == expected
        assert vn_sorted(names, reverse=True) == expected[::-1]

    def test_vn_sorted_with_key(self) -> None:
        rows = [{"name": "Đông"}, {"name": "Dương"}, {"name": "Ấp"}]
        assert [r["name"] for r in vn_sorted(rows, key=lambda r: r["name"])] == [
            "Ấp",
            "Dương",
            "Đông",
        ]

    def test_stable_for_equal_keys(self) -> None:
        assert vn_sorted(["an", "An", "AN", "ă"]) == ["an", "An", "AN", "ă"]
        assert vn_sorted(["AN", "an", "An", "ă"]) == ["AN", "an", "An", "ă"]

    @given(vn_phrases(), vn_phrases())
    def test_agrees_with_reference(self, a: str, b: str) -> None:
        assert cmp(vn_sort_key(a), vn_sort_key(b)) == cmp(
            reference_sort_key(a), reference_sort_key(b)
        )

    @given(
        # a small alphabet makes shared prefixes and same-base/different-tone pairs common
        vn_phrases(max_words=2, max_letters=3, letters=["a", "ă", "b", "d", "đ", "o", "ơ"]),
        vn_phrases(max_words=2, max_letters=3, letters=["a", "ă", "b", "d", "đ", "o", "ơ"]),
    )
    def test_agrees_with_reference_dense(self, a: str, b: str) -> None:
        assert cmp(vn_sort_key(a), vn_sort_key(b)) == cmp(
            reference_sort_key(a), reference_sort_key(b)
        )

    @given(st.lists(vn_phrases(max_words=2, max_letters=3), max_size=12))
    def test_sorted_like_reference(self, phrases: list[str]) -> None:
        assert vn_sorted(phrases) == sorted(phrases, key=reference_sort_key)

    @given(
        st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=5),
        st.integers(0, 5),
        st.integers(0, 5),
    )
    def test_tone_order_for_same_base(self, letters: list[str], t1: int, t2: int) -> None:
        vowels = [i for i, c in enumerate(letters) if c in TONE_ROWS]
        if not vowels:
            letters = [*letters, "a"]
            vowels = [len(letters) - 1]
        i = vowels[0]
        w1 = "".join([*letters[:i], TONE_ROWS[letters[i]][t1], *letters[i + 1 :]])
        w2 = "".join([*letters[:i], TONE_ROWS[letters[i]][t2], *letters[i + 1 :]])
        assert cmp(vn_sort_key(w1), vn_sort_key(w2)) == cmp(t1, t2)

    @given(vn_phrases())
    def test_case_never_matters(self, phrase: str) -> None:
        assert vn_sort_key(phrase.upper()) == vn_sort_key(phrase.lower()) == vn_sort_key(phrase)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


class TestFormatDate:
    def test_date(self) -> None:
        assert format_date(date(2024, 1, 5)) == "05/01/2024"
        assert format_date(date(999, 12, 31)) == "31/12/0999"

    def test_none(self) -> None:
        assert format_date(None) == ""
        assert format_datetime(None) == ""

    def test_aware_datetime_converted_to_vietnam(self) -> None:
        # 20:00 UTC on 31 Jan is 03:00 on 1 Feb in Việt Nam (UTC+7).
        dt = datetime(2024, 1, 31, 20, 0, tzinfo=UTC)
        assert format_date(dt) == "01/02/2024"
        assert format_datetime(dt) == "01/02/2024 03:00"

    def test_aware_datetime_other_zone(self) -> None:
        dt = datetime(2024, 3, 10, 23, 59, tzinfo=timezone(timedelta(hours=-5)))
        assert format_datetime(dt) == "11/03/2024 11:59"

    def test_naive_datetime_taken_as_local(self) -> None:
        dt = datetime(2024, 12, 31, 23, 7)
        assert format_date(dt) == "31/12/2024"
        assert format_datetime(dt) == "31/12/2024 23:07"

    # Việt Nam has been on a fixed UTC+7 since 1975.
    @given(
        st.datetimes(
            min_value=datetime(1976, 1, 1),
            max_value=datetime(9999, 12, 30),
            timezones=st.just(UTC),
        )
    )
    def test_datetime_matches_plus_seven(self, dt: datetime) -> None:
        local = dt.replace(tzinfo=None) + timedelta(hours=7)
        assert format_datetime(dt) == local.strftime("%d/%m/") + f"{local.year:04d}" + (
            local.strftime(" %H:%M")
        )
        assert format_date(dt) == format_datetime(dt)[:10]


# ---------------------------------------------------------------------------
# Slugs
# ---------------------------------------------------------------------------


class TestSlugVi:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("Xã Phụng Hiệp", "xa-phung-hiep"),
            ("Phường Đông Hòa", "phuong-dong-hoa"),
            ("  Bà Rịa – Vũng Tàu!! ", "ba-ria-vung-tau"),
            ("Ấp 10/3", "ap-10-3"),
            ("", ""),
            ("!!!", ""),
        ],
    )
    def test_examples(self, text: str, expected: str) -> None:
        assert slug_vi(text) == expected

    def test_max_length(self) -> None:
        assert slug_vi("Thành phố Hồ Chí Minh", max_length=12) == "thanh-pho-ho"
        assert slug_vi("Thành phố Hồ Chí Minh", max_length=11) == "thanh-pho"
        assert slug_vi("Thành phố", max_length=3) == "tha"

    @given(st.text(), st.none() | st.integers(1, 40))
    def test_always_a_clean_slug(self, s: str, max_length: int | None) -> None:
        slug = slug_vi(s, max_length=max_length)
        assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", slug)
        if max_length is not None:
            assert len(slug) <= max_length

    @given(vn_phrases(max_words=4))
    def test_vietnamese_words_become_hyphenated_ascii(self, phrase: str) -> None:
        assert slug_vi(phrase) == "-".join(reference_ascii(w) for w in phrase.split())
