"""Validators for Vietnamese phone numbers and citizen ID numbers (CCCD).

All errors are :class:`django.core.exceptions.ValidationError` with a Vietnamese message
and a stable ``code``.  The plain functions :func:`validate_phone` and
:func:`cccd_validator` can be used directly in ``validators=[...]`` of model and form
fields (they are module-level functions, so migrations can serialise them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

import phonenumbers
from django.core.exceptions import ValidationError

from danvan.core.text import VN_TZ, fold

__all__ = [
    "CCCD_CENTURY_START",
    "CCCD_PROVINCE_CODES",
    "CccdInfo",
    "Sex",
    "cccd_validator",
    "normalize_cccd",
    "normalize_phone",
    "parse_cccd",
    "validate_cccd",
    "validate_phone",
]

Sex = Literal["male", "female"]

# ---------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------

PHONE_INVALID_MESSAGE = (
    "Số điện thoại không hợp lệ. Vui lòng nhập số điện thoại Việt Nam, ví dụ 0912 345 678."
)


def normalize_phone(value: str) -> str:
    """Validate a Vietnamese phone number and return it in national format, digits only.

    Accepts the usual ways of writing a number: ``"0912 345 678"``, ``"0912.345.678"``,
    ``"+84912345678"``, ``"84912345678"``, ``"0084 912 345 678"``.  Mobile and landline
    numbers are both accepted when ``phonenumbers`` considers them valid for Việt Nam.

    >>> normalize_phone("+84 912 345 678")
    '0912345678'
    >>> normalize_phone("024 3823 4567")
    '02438234567'
    """
    error = ValidationError(PHONE_INVALID_MESSAGE, code="invalid_phone")
    if not isinstance(value, str) or not value.strip():
        raise error
    try:
        number = phonenumbers.parse(value.strip(), "VN")
    except phonenumbers.NumberParseException:
        raise error from None
    if number.country_code != 84 or not phonenumbers.is_valid_number_for_region(number, "VN"):
        raise error
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return re.sub(r"\D", "", national)


def validate_phone(value: str) -> None:
    """Django validator: refuse anything that is not a valid Vietnamese phone number."""
    normalize_phone(value)


# ---------------------------------------------------------------------------
# CCCD (căn cước công dân, 12-digit citizen ID)
# ---------------------------------------------------------------------------

# Province/city code of the place of birth registration: digits 1-3 of a CCCD
# (Thông tư 07/2016/TT-BCA, the 63 provinces before the 2025 merger).
CCCD_PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Digit 4 = sex and century of birth: even digits male, odd female;
# 0/1 -> 1900s, 2/3 -> 2000s, 4/5 -> 2100s, 6/7 -> 2200s, 8/9 -> 1800s.
CCCD_CENTURY_START: dict[int, int] = {0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 1800}

CCCD_FORMAT_MESSAGE = "Số CCCD phải gồm đúng 12 chữ số."
CCCD_PROVINCE_MESSAGE = "Ba chữ số đầu của số CCCD (mã tỉnh nơi đăng ký khai sinh) không hợp lệ."
CCCD_FUTURE_MESSAGE = (
    "Chữ số thứ 4 đến thứ 6 của số CCCD cho biết năm sinh %(year)s, "
    "là năm chưa tới. Vui lòng kiểm tra lại số CCCD."
)
CCCD_BIRTH_YEAR_MESSAGE = (
    "Số CCCD không khớp với năm sinh đã khai: số CCCD cho biết năm sinh %(cccd_year)s, "
    "nhưng năm sinh đã khai là %(birth_year)s."
)
CCCD_SEX_MESSAGE = (
    "Số CCCD không khớp với giới tính đã khai: chữ số thứ 4 của số CCCD cho biết "
    "giới tính %(cccd_sex)s, nhưng giới tính đã khai là %(declared_sex)s."
)

_SEX_LABELS: dict[Sex, str] = {"male": "nam", "female": "nữ"}
_SEX_ALIASES: dict[str, Sex] = {
    "male": "male",
    "m": "male",
    "nam": "male",
    "female": "female",
    "f": "female",
    "nu": "female",  # "nữ" after folding
}

_CCCD_SEPARATORS_RE = re.compile(r"[\s.\-]+")


@dataclass(frozen=True)
class CccdInfo:
    """Facts encoded in a CCCD number."""

    number: str  # the 12 digits, separators removed
    province_code: str  # digits 1-3
    province_name: str
    sex: Sex  # from digit 4
    birth_year_century_start: int  # from digit 4: 1800, 1900, 2000, 2100 or 2200
    birth_year_suffix: int  # digits 5-6: last two digits of the birth year
    serial: str  # digits 7-12

    @property
    def birth_year(self) -> int:
        """Full year of birth, e.g. 1985."""
        return self.birth_year_century_start + self.birth_year_suffix


def normalize_cccd(value: str) -> str:
    """Remove spaces, dots and hyphens from a CCCD as typed (no validation)."""
    return _CCCD_SEPARATORS_RE.sub("", value)


def _today() -> date:
    return datetime.now(VN_TZ).date()


def parse_cccd(value: str, *, today: date | None = None) -> CccdInfo:
    """Check the format of a CCCD number and decode it.

    Spaces, dots and hyphens are ignored.  Raises :class:`ValidationError` with code
    ``cccd_format`` (not exactly 12 digits), ``cccd_province`` (unknown province code)
    or ``cccd_future_birth_year`` (digits 4-6 give a birth year after ``today``).

    >>> info = parse_cccd("079 085 012345")
    >>> (info.province_name, info.sex, info.birth_year)
    ('Hồ Chí Minh', 'male', 1985)
    """
    if not isinstance(value, str):
        raise ValidationError(CCCD_FORMAT_MESSAGE, code="cccd_format")
    number = normalize_cccd(value)
    if len(number) != 12 or not (number.isascii() and number.isdigit()):
        raise ValidationError(CCCD_FORMAT_MESSAGE, code="cccd_format")

    province_code = number[:3]
    province_name = CCCD_PROVINCE_CODES.get(province_code)
    if province_name is None:
        raise ValidationError(CCCD_PROVINCE_MESSAGE, code="cccd_province")

    sex_century = int(number[3])
    info = CccdInfo(
        number=number,
        province_code=province_code,
        province_name=province_name,
        sex="male" if sex_century % 2 == 0 else "female",
        birth_year_century_start=CCCD_CENTURY_START[sex_century // 2],
        birth_year_suffix=int(number[4:6]),
        serial=number[6:],
    )
    if info.birth_year > (today or _today()).year:
        raise ValidationError(
            CCCD_FUTURE_MESSAGE, code="cccd_future_birth_year", params={"year": info.birth_year}
        )
    return info


def _normalize_sex(sex: str) -> Sex | None:
    folded = fold(sex)
    if not folded:
        return None
    try:
        return _SEX_ALIASES[folded]
    except KeyError:
        raise ValueError(
            f"Unknown sex value {sex!r}: expected one of 'male'/'female', 'nam'/'nữ', 'M'/'F'."
        ) from None


def validate_cccd(
    value: str,
    birth_date: date | None = None,
    sex: str | None = None,
    *,
    today: date | None = None,
) -> CccdInfo:
    """Validate a CCCD number, optionally against the declared birth date and sex.

    ``sex`` may be ``"male"``/``"female"``, ``"nam"``/``"nữ"`` or ``"M"``/``"F"``
    (case-insensitive); ``None`` or ``""`` skips the check.  Returns the decoded
    :class:`CccdInfo`.  If both the birth year and the sex contradict the number, both
    errors are raised together (codes ``cccd_birth_year_mismatch`` and
    ``cccd_sex_mismatch``).
    """
    info = parse_cccd(value, today=today)
    errors: list[ValidationError] = []
    if birth_date is not None and birth_date.year != info.birth_year:
        errors.append(
            ValidationError(
                CCCD_BIRTH_YEAR_MESSAGE,
                code="cccd_birth_year_mismatch",
                params={"cccd_year": info.birth_year, "birth_year": birth_date.year},
            )
        )
    declared_sex = _normalize_sex(sex) if sex is not None else None
    if declared_sex is not None and declared_sex != info.sex:
        errors.append(
            ValidationError(
                CCCD_SEX_MESSAGE,
                code="cccd_sex_mismatch",
                params={
                    "cccd_sex": _SEX_LABELS[info.sex],
                    "declared_sex": _SEX_LABELS[declared_sex],
                },
            )
        )
    if errors:
        raise ValidationError(errors)
    return info


def cccd_validator(value: str) -> None:
    """Django field validator: format check of a CCCD number only."""
    parse_cccd(value)
