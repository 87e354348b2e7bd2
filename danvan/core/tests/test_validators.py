"""Tests for danvan.core.validators (pure unit tests, no database)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from danvan.core.validators import (
    CCCD_PROVINCE_CODES,
    CccdInfo,
    cccd_validator,
    normalize_phone,
    parse_cccd,
    validate_cccd,
    validate_phone,
)

TODAY = date(2025, 6, 1)

PHONE_MESSAGE = (
    "Số điện thoại không hợp lệ. Vui lòng nhập số điện thoại Việt Nam, ví dụ 0912 345 678."
)
CCCD_FORMAT_MESSAGE = "Số CCCD phải gồm đúng 12 chữ số."
CCCD_PROVINCE_MESSAGE = "Ba chữ số đầu của số CCCD (mã tỉnh nơi đăng ký khai sinh) không hợp lệ."


def codes(exc: pytest.ExceptionInfo[ValidationError]) -> list[str | None]:
    return [e.code for e in exc.value.error_list]


# ---------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------


class TestPhone:
    @pytest.mark.parametrize(
        "raw",
        [
            "0912345678",
            "0912 345 678",
            "0912.345.678",
            "0912-345-678",
            "+84912345678",
            "+84 912 345 678",
            "(+84) 912-345-678",
            "84912345678",
            "0084912345678",
            "  0912 345 678  ",
        ],
    )
    def test_mobile_formats_normalise_to_same_value(self, raw: str) -> None:
        assert normalize_phone(raw) == "0912345678"
        validate_phone(raw)  # does not raise

    @pytest.mark.parametrize("raw", ["024 3823 4567", "+84 24 3823 4567", "842438234567"])
    def test_landline(self, raw: str) -> None:
        assert normalize_phone(raw) == "02438234567"

    @pytest.mark.parametrize(
        "raw",
        [
            "",
            "   ",
            "abc",
            "12345",
            "0123456789",  # old 11-digit-era prefix, not valid any more
            "091234567",  # one digit short
            "09123456789",  # one digit too many
            "+1 650 253 0000",  # valid, but not Vietnamese
            "+33 1 42 68 53 00",
            "0912 345 67x",
        ],
    )
    def test_invalid(self, raw: str) -> None:
        with pytest.raises(ValidationError) as exc:
            normalize_phone(raw)
        assert exc.value.messages == [PHONE_MESSAGE]
        assert codes(exc) == ["invalid_phone"]
        with pytest.raises(ValidationError):
            validate_phone(raw)

    @given(
        st.sampled_from(["90", "91", "93", "94", "96", "97", "98", "32", "35", "70", "77", "86"]),
        st.text(alphabet="0123456789", min_size=7, max_size=7),
        st.sampled_from(["0{}", "+84{}", "84{}", "0084{}", "+84 {}", "(0{})"]),
        st.sampled_from(["", " ", ".", "-"]),
    )
    def test_mobile_property(self, prefix: str, rest: str, template: str, sep: str) -> None:
        nsn = prefix + rest
        spaced = sep.join([nsn[:3], nsn[3:6], nsn[6:]])
        result = normalize_phone(template.format(spaced))
        assert result == "0" + nsn
        assert normalize_phone(result) == result


# ---------------------------------------------------------------------------
# CCCD
# ---------------------------------------------------------------------------

CENTURY_DIGIT = {1900: 0, 2000: 2, 2100: 4, 2200: 6, 1800: 8}


def make_cccd(province: str, sex: str, year: int, serial: str) -> str:
    digit = CENTURY_DIGIT[year // 100 * 100] + (1 if sex == "female" else 0)
    return f"{province}{digit}{year % 100:02d}{serial}"


provinces = st.sampled_from(sorted(CCCD_PROVINCE_CODES))
sexes = st.sampled_from(["male", "female"])
birth_dates = st.dates(min_value=date(1800, 1, 1), max_value=TODAY)
serials = st.text(alphabet="0123456789", min_size=6, max_size=6)


class TestProvinceCodes:
    def test_table(self) -> None:
        assert len(CCCD_PROVINCE_CODES) == 63
        assert len(set(CCCD_PROVINCE_CODES.values())) == 63
        assert all(len(c) == 3 and c.isdigit() for c in CCCD_PROVINCE_CODES)
        assert CCCD_PROVINCE_CODES["001"] == "Hà Nội"
        assert CCCD_PROVINCE_CODES["048"] == "Đà Nẵng"
        assert CCCD_PROVINCE_CODES["079"] == "Hồ Chí Minh"
        assert CCCD_PROVINCE_CODES["092"] == "Cần Thơ"
        assert CCCD_PROVINCE_CODES["093"] == "Hậu Giang"
        assert CCCD_PROVINCE_CODES["096"] == "Cà Mau"
        for unused in ["000", "003", "005", "078", "081", "090", "097", "099"]:
            assert unused not in CCCD_PROVINCE_CODES


class TestParseCccd:
    def test_example(self) -> None:
        info = parse_cccd("079085012345", today=TODAY)
        assert info == CccdInfo(
            number="079085012345",
            province_code="079",
            province_name="Hồ Chí Minh",
            sex="male",
            birth_year_century_start=1900,
            birth_year_suffix=85,
            serial="012345",
        )
        assert info.birth_year == 1985

    @pytest.mark.parametrize(
        ("digit", "sex", "year"),
        [
            ("0", "male", 1985),
            ("1", "female", 1985),
            ("2", "male", 2005),
            ("3", "female", 2005),
            ("8", "male", 1885),
            ("9", "female", 1885),
        ],
    )
    def test_sex_and_century_digit(self, digit: str, sex: str, year: int) -> None:
        number = f"094{digit}{year % 100:02d}000001"
        info = parse_cccd(number, today=TODAY)
        assert (info.sex, info.birth_year, info.province_name) == (sex, year, "Sóc Trăng")

    @pytest.mark.parametrize(
        ("digit", "century"), [("4", 2100), ("5", 2100), ("6", 2200), ("7", 2200)]
    )
    def test_far_future_centuries(self, digit: str, century: int) -> None:
        number = f"001{digit}05000001"
        with pytest.raises(ValidationError) as exc:
            parse_cccd(number, today=TODAY)
        assert codes(exc) == ["cccd_future_birth_year"]
        info = parse_cccd(number, today=date(century + 10, 1, 1))
        assert info.birth_year == century + 5
        assert info.sex == ("male" if int(digit) % 2 == 0 else "female")

    def test_future_year_in_current_century(self) -> None:
        with pytest.raises(ValidationError) as exc:
            parse_cccd("001226000001", today=TODAY)  # born 2026
        assert codes(exc) == ["cccd_future_birth_year"]
        assert "2026" in exc.value.messages[0]
        assert parse_cccd("001226000001", today=date(2026, 1, 1)).birth_year == 2026

    @pytest.mark.parametrize(
        "raw", ["079 085 012 345", "079.085.012.345", " 079085012345 ", "079-085-012345"]
    )
    def test_separators_ignored(self, raw: str) -> None:
        assert parse_cccd(raw, today=TODAY).number == "079085012345"

    @pytest.mark.parametrize(
        "raw",
        [
            "",
            "07908501234",  # 11 digits
            "0790850123456",  # 13 digits
            "07908501234a",
            "O79085012345",  # letter O instead of zero
            "٠٧٩٠٨٥٠١٢٣٤٥",  # Arabic-Indic digits
            "+79085012345",
        ],
    )
    def test_bad_format(self, raw: str) -> None:
        with pytest.raises(ValidationError) as exc:
            parse_cccd(raw, today=TODAY)
        assert exc.value.messages == [CCCD_FORMAT_MESSAGE]
        assert codes(exc) == ["cccd_format"]

    @given(provinces, sexes, birth_dates, serials)
    def test_roundtrip(self, province: str, sex: str, born: date, serial: str) -> None:
        number = make_cccd(province, sex, born.year, serial)
        info = parse_cccd(number, today=TODAY)
        assert info.number == number
        assert info.province_code == province
        assert info.province_name == CCCD_PROVINCE_CODES[province]
        assert info.sex == sex
        assert info.birth_year == born.year
        assert info.birth_year_century_start == born.year // 100 * 100
        assert info.birth_year_suffix == born.year % 100
        assert info.serial == serial
        assert validate_cccd(number, born, sex, today=TODAY) == info
        assert validate_cccd(number, born, today=TODAY) == info
        assert validate_cccd(number, today=TODAY) == info
        cccd_validator(number)  # does not raise

    @given(provinces, sexes, birth_dates, serials, st.integers(1800, TODAY.year))
    def test_other_birth_year_refused(
        self, province: str, sex: str, born: date, serial: str, other_year: int
    ) -> None:
        assume(other_year != born.year)
        number = make_cccd(province, sex, born.year, serial)
        with pytest.raises(ValidationError) as exc:
            validate_cccd(number, date(other_year, born.month, 1), sex, today=TODAY)
        assert codes(exc) == ["cccd_birth_year_mismatch"]
        message = exc.value.messages[0]
        assert message.startswith("Số CCCD không khớp với năm sinh đã khai: ")
        assert str(born.year) in message
        assert str(other_year) in message

    @given(provinces, sexes, birth_dates, serials)
    def test_other_sex_refused(self, province: str, sex: str, born: date, serial: str) -> None:
        number = make_cccd(province, sex, born.year, serial)
        other = "female" if sex == "male" else "male"
        with pytest.raises(ValidationError) as exc:
            validate_cccd(number, born, other, today=TODAY)
        assert codes(exc) == ["cccd_sex_mismatch"]
        assert exc.value.messages[0].startswith("Số CCCD không khớp với giới tính đã khai")

    @given(st.text(alphabet="0123456789", max_size=20).filter(lambda s: len(s) != 12))
    def test_wrong_length_refused(self, number: str) -> None:
        with pytest.raises(ValidationError) as exc:
            parse_cccd(number, today=TODAY)
        assert codes(exc) == ["cccd_format"]
        with pytest.raises(ValidationError):
            cccd_validator(number)

    @given(
        provinces,
        sexes,
        birth_dates,
        serials,
        st.integers(0, 11),
        st.characters(blacklist_categories=["Nd", "Zs", "Cc"], blacklist_characters=".-"),
    )
    def test_non_digit_refused(
        self, province: str, sex: str, born: date, serial: str, pos: int, ch: str
    ) -> None:
        number = make_cccd(province, sex, born.year, serial)
        bad = number[:pos] + ch + number[pos + 1 :]
        with pytest.raises(ValidationError) as exc:
            parse_cccd(bad, today=TODAY)
        assert codes(exc) == ["cccd_format"]

    @given(
        st.integers(0, 999)
        .map(lambda n: f"{n:03d}")
        .filter(lambda c: c not in CCCD_PROVINCE_CODES),
        sexes,
        birth_dates,
        serials,
    )
    def test_unknown_province_refused(
        self, province: str, sex: str, born: date, serial: str
    ) -> None:
        number = make_cccd(province, sex, born.year, serial)
        with pytest.raises(ValidationError) as exc:
            parse_cccd(number, today=TODAY)
        assert exc.value.messages == [CCCD_PROVINCE_MESSAGE]
        assert codes(exc) == ["cccd_province"]
        with pytest.raises(ValidationError):
            cccd_validator(number)


class TestValidateCccd:
    def test_birth_year_message(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_cccd("079085012345", date(1990, 3, 4), today=TODAY)
        assert exc.value.messages == [
            "Số CCCD không khớp với năm sinh đã khai: số CCCD cho biết năm sinh 1985, "
            "nhưng năm sinh đã khai là 1990."
        ]

    def test_century_matters(self) -> None:
        # Same last two digits, wrong century digit: 2005 encoded, 1905 declared.
        with pytest.raises(ValidationError) as exc:
            validate_cccd("079205012345", date(1905, 1, 1), today=TODAY)
        assert codes(exc) == ["cccd_birth_year_mismatch"]
        assert validate_cccd("079205012345", date(2005, 1, 1), today=TODAY).birth_year == 2005

    @pytest.mark.parametrize("sex", ["male", "MALE", "nam", "Nam", "M", "m"])
    def test_male_aliases(self, sex: str) -> None:
        validate_cccd("079085012345", sex=sex, today=TODAY)
        with pytest.raises(ValidationError):
            validate_cccd("079185012345", sex=sex, today=TODAY)

    @pytest.mark.parametrize("sex", ["female", "nữ", "Nữ", "NU", "F"])
    def test_female_aliases(self, sex: str) -> None:
        validate_cccd("079185012345", sex=sex, today=TODAY)
        with pytest.raises(ValidationError) as exc:
            validate_cccd("079085012345", sex=sex, today=TODAY)
        assert exc.value.messages == [
            "Số CCCD không khớp với giới tính đã khai: chữ số thứ 4 của số CCCD cho biết "
            "giới tính nam, nhưng giới tính đã khai là nữ."
        ]

    def test_blank_sex_skips_check(self) -> None:
        assert validate_cccd("079085012345", sex="", today=TODAY).sex == "male"
        assert validate_cccd("079085012345", sex=None, today=TODAY).sex == "male"

    def test_unknown_sex_value_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError):
            validate_cccd("079085012345", sex="x", today=TODAY)

    def test_both_mismatches_reported(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_cccd("079085012345", date(1990, 1, 1), "female", today=TODAY)
        assert codes(exc) == ["cccd_birth_year_mismatch", "cccd_sex_mismatch"]

    def test_format_checked_before_birth_date(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_cccd("12345", date(1990, 1, 1), "male", today=TODAY)
        assert codes(exc) == ["cccd_format"]

    def test_cccd_validator_uses_real_today(self) -> None:
        cccd_validator("001 085 000 001")
        with pytest.raises(ValidationError) as exc:
            cccd_validator("001499000001")  # born 2199
        assert codes(exc) == ["cccd_future_birth_year"]
