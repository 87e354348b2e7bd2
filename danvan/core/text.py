"""Vietnamese text helpers: search folding, dictionary sorting, dates and slugs.

Pure Python (no Django models), safe to import anywhere.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any, TypeVar, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q

__all__ = [
    "VN_TZ",
    "clean_json",
    "clean_text",
    "fold",
    "format_date",
    "format_datetime",
    "search_terms",
    "slug_vi",
    "vn_sort_key",
    "vn_sorted",
]

T = TypeVar("T")


def _vn_timezone() -> tzinfo:
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # pragma: no cover - system without tz database
        # Việt Nam has used a fixed UTC+7 offset without DST since 1975.
        return timezone(timedelta(hours=7), "ICT")


VN_TZ: tzinfo = _vn_timezone()

# "đ" has no Unicode decomposition, so it must be mapped by hand.  "ð"/"Ð" (Icelandic eth)
# is a common look-alike typed by mistake for "đ"/"Đ" on some keyboards.
_D_MAP = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


# ---------------------------------------------------------------------------
# Folding for search
# ---------------------------------------------------------------------------


def fold(s: str) -> str:
    """Fold ``s`` for diacritic- and case-insensitive search.

    Lower-cases (``str.casefold``), removes every combining mark after a compatibility
    decomposition (NFKD, so tone marks, breve, circumflex and horn all go), maps
    ``đ``/``Đ`` to ``d``, collapses runs of whitespace to one space and strips.

    >>> fold("DÂN VẬN  Khéo ")
    'dan van kheo'
    >>> fold("Đồng")
    'dong'
    >>> fold("Nguyễn\\tThị   Ánh")
    'nguyen thi anh'
    """
    s = unicodedata.normalize("NFKD", s.translate(_D_MAP)).casefold()
    # casefold() can produce characters that decompose further (e.g. "İ" -> "i̇").
    s = unicodedata.normalize("NFKD", s).translate(_D_MAP)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return " ".join(s.split())


_TERM_PUNCTUATION = string.punctuation + "“”‘’«»…–—"


def search_terms(q: str) -> list[str]:
    """Fold a user query and split it into words.

    Punctuation stuck to the ends of a word (commas, quotes, brackets...) is dropped;
    punctuation inside a word (``"12/3"``, ``"a.b"``) is kept.  Order and duplicates
    are preserved.

    >>> search_terms("  Nguyễn, Văn  \\"ĐỨC\\" ")
    ['nguyen', 'van', 'duc']
    >>> search_terms("   ")
    []
    """
    terms = (word.strip(_TERM_PUNCTUATION) for word in fold(q).split())
    return [t for t in terms if t]


# ---------------------------------------------------------------------------
# Vietnamese dictionary order
# ---------------------------------------------------------------------------

# Vietnamese alphabet, with the Latin letters that are not part of it (f, j, w, z)
# slotted where they sit in the Latin alphabet so foreign names still sort sensibly.
_ALPHABET: tuple[str, ...] = (
    "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l",
    "m", "n", "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
)  # fmt: skip
_LETTER_INDEX: dict[str, int] = {letter: i for i, letter in enumerate(_ALPHABET)}
_UNKNOWN_LETTER_BASE = 1000  # other letters sort after z, by code point

# Combining marks that change the letter itself (ă, â/ê/ô, ơ/ư).
_LETTER_MARKS = frozenset("\u0306\u0302\u031b")
# Tone marks, in dictionary order: ngang (none) < huyền < hỏi < ngã < sắc < nặng.
_TONE_ORDER: dict[str, int] = {
    "\u0300": 1,  # huyền  (grave)
    "\u0309": 2,  # hỏi    (hook above)
    "\u0303": 3,  # ngã    (tilde)
    "\u0301": 4,  # sắc    (acute)
    "\u0323": 5,  # nặng   (dot below)
}

# A token is a run of letters (each possibly followed by stray combining marks) or a run
# of digits; everything else (spaces, hyphens, punctuation) only separates tokens.
_TOKEN_RE = re.compile(r"(?:[^\W\d_][\u0300-\u036f]*)+|\d+")

SortToken = tuple[int, tuple[int, ...], tuple[int, ...]]


def _letter_key(ch: str) -> tuple[int, int]:
    """Return ``(alphabet index, tone)`` for one lower-case letter (NFC, maybe toned)."""
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0]
    letter = base
    tone = 0
    for mark in decomposed[1:]:
        if mark in _LETTER_MARKS:
            letter += mark
        elif mark in _TONE_ORDER:
            tone = _TONE_ORDER[mark]
        # Any other mark (e.g. diaeresis on a foreign name) is ignored.
    letter = unicodedata.normalize("NFC", letter)
    if letter == "ð":
        letter = "đ"
    index = _LETTER_INDEX.get(letter)
    if index is None:
        index = _LETTER_INDEX.get(base, _UNKNOWN_LETTER_BASE + ord(base))
    return index, tone


def _token_key(token: str) -> SortToken:
    if token[0].isdigit():
        return (0, (int(token),), ())
    letters: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", token):
        if unicodedata.combining(ch):
            # A stray combining mark that did not compose with the previous letter.
            if ch in _TONE_ORDER:
                tones.append(_TONE_ORDER[ch])
            continue
        index, tone = _letter_key(ch)
        letters.append(index)
        if tone:
            tones.append(tone)
    return (1, tuple(letters), tuple(tones))


def vn_sort_key(s: str) -> tuple[SortToken, ...]:
    """Sort key putting names in Vietnamese dictionary order.

    Rules, in order of precedence:

    * Strings are compared word by word (like a dictionary: every entry starting with
      "ba" comes before every entry starting with "bà").  Spaces, hyphens and
      punctuation only separate words.
    * Within a word the **base letters** decide first, in the Vietnamese alphabet
      ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y`` (case-insensitive;
      the non-Vietnamese letters f, j, w, z sit at their Latin positions).  So every
      word in "d" precedes every word in "đ", and every "a" word precedes the "ă" words.
    * Only words with identical base letters are then ordered by **tone**:
      ngang < huyền < hỏi < ngã < sắc < nặng.  Old and new tone placement ("Hoà" and
      "Hòa") compare equal.
    * Runs of digits are one word and compare by numeric value ("Ấp 2" < "Ấp 10");
      numbers come before letters.

    Letters like ch, ng, nh, th are treated as sequences of single letters (the usual
    modern convention).  Strings differing only in case get equal keys; ``sorted`` is
    stable, so they keep their input order.

    >>> sorted(["Bac", "Bạ", "Bá", "Bã", "Bả", "Bà", "Ba"], key=vn_sort_key)
    ['Ba', 'Bà', 'Bả', 'Bã', 'Bá', 'Bạ', 'Bac']
    >>> sorted(["Đông", "Dương", "Dung"], key=vn_sort_key)
    ['Dung', 'Dương', 'Đông']
    >>> sorted(["Ăn", "Az", "Ấp 1", "An Bình"], key=vn_sort_key)
    ['An Bình', 'Az', 'Ăn', 'Ấp 1']
    >>> sorted(["Bà An", "Ba Bình"], key=vn_sort_key)  # word by word
    ['Ba Bình', 'Bà An']
    >>> sorted(["Ấp 10", "Ấp 2", "Ấp 1"], key=vn_sort_key)
    ['Ấp 1', 'Ấp 2', 'Ấp 10']
    >>> vn_sort_key("Hoà") == vn_sort_key("HÒA")
    True
    """
    text = unicodedata.normalize("NFC", s).lower()
    return tuple(_token_key(m.group()) for m in _TOKEN_RE.finditer(text))


@overload
def vn_sorted(items: Iterable[str], key: None = None, *, reverse: bool = False) -> list[str]: ...
@overload
def vn_sorted(items: Iterable[T], key: Callable[[T], str], *, reverse: bool = False) -> list[T]: ...
def vn_sorted(
    items: Iterable[Any],
    key: Callable[[Any], str] | None = None,
    *,
    reverse: bool = False,
) -> list[Any]:
    """Return ``items`` sorted in Vietnamese dictionary order (see :func:`vn_sort_key`).

    ``key`` extracts the string to sort by (e.g. ``lambda c: c.name``); without it the
    items themselves must be strings.

    >>> vn_sorted(["Đông Phước", "Hòa An", "Ấp 1", "An Bình"])
    ['An Bình', 'Ấp 1', 'Đông Phước', 'Hòa An']
    """
    if key is None:
        return sorted(items, key=vn_sort_key, reverse=reverse)
    getter = key
    return sorted(items, key=lambda item: vn_sort_key(getter(item)), reverse=reverse)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------


def _to_vn(dt: datetime) -> datetime:
    """Convert an aware datetime to Việt Nam time; naive ones are taken as already local."""
    if dt.tzinfo is not None and dt.tzinfo.utcoffset(dt) is not None:
        return dt.astimezone(VN_TZ)
    return dt


def format_date(d: date | datetime | None) -> str:
    """Format a date as ``dd/mm/yyyy`` ("" for ``None``).

    Aware datetimes are first converted to Asia/Ho_Chi_Minh, so a UTC timestamp late in
    the evening shows the next day's date.

    >>> format_date(date(2024, 1, 5))
    '05/01/2024'
    >>> format_date(datetime(2024, 1, 31, 20, 0, tzinfo=timezone.utc))
    '01/02/2024'
    >>> format_date(None)
    ''
    """
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = _to_vn(d)
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_datetime(dt: datetime | None) -> str:
    """Format a datetime as ``dd/mm/yyyy HH:MM`` in Asia/Ho_Chi_Minh ("" for ``None``).

    Aware datetimes are converted to Việt Nam time; naive ones are assumed to be in
    Việt Nam time already.

    >>> format_datetime(datetime(2024, 1, 31, 20, 5, tzinfo=timezone.utc))
    '01/02/2024 03:05'
    """
    if dt is None:
        return ""
    dt = _to_vn(dt)
    return f"{dt.day:02d}/{dt.month:02d}/{dt.year:04d} {dt.hour:02d}:{dt.minute:02d}"


# ---------------------------------------------------------------------------
# Slugs
# ---------------------------------------------------------------------------

_NON_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug_vi(s: str, max_length: int | None = None) -> str:
    """ASCII slug from Vietnamese text.

    Characters that have no ASCII base letter (other scripts, emoji) are dropped.  With
    ``max_length`` the slug is cut, preferably at a hyphen, and never ends with one.

    >>> slug_vi("Xã Phụng Hiệp")
    'xa-phung-hiep'
    >>> slug_vi("  Bà Rịa – Vũng Tàu!! ")
    'ba-ria-vung-tau'
    >>> slug_vi("Thành phố Hồ Chí Minh", max_length=12)
    'thanh-pho-ho'
    """
    slug = _NON_SLUG_RE.sub("-", fold(s)).strip("-")
    if max_length is not None and len(slug) > max_length:
        cut = slug[:max_length]
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-")
    return slug


def search_folded(qs: Any, text: str, *fields: str) -> Any:
    """`qs` narrowed to the rows where each word of `text`, folded
    (`core.text.fold`: no diacritics, lower case), is within one of `fields`,
    the folded columns searched (e.g. "title_folded")."""
    for term in fold(text).split():
        within = Q()
        for field in fields:
            within |= Q(**{f"{field}__contains": term})
        qs = qs.filter(within)
    return qs


def filter_by_title(items: Iterable[T], q: str) -> list[T]:
    """Items whose `.title` contains every word of `q`, ignoring diacritics and
    case. For short lists (contests, surveys of a unit) filtered in Python."""
    terms = search_terms(q)
    return [item for item in items if all(t in fold(item.title) for t in terms)]  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Cleaning of submitted text
# ---------------------------------------------------------------------------

# C0 and C1 control characters except tab, line feed and carriage return, DEL,
# and lone surrogates (only JSON escapes such as "\ud800" can produce them).
# PostgreSQL refuses NUL in text and surrogates in UTF-8; none of them is text.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(s: str) -> str:
    """``s`` without control characters (tab, line feed and carriage return are
    kept) and lone surrogates: the one cleaning of everything a visitor or a file
    sends (forms through danvan.core.middleware.CleanInputMiddleware, JSON bodies
    through `clean_json`, spreadsheet cells where imports read them).

    >>> clean_text("a\\x00b\\tc\\x1bd")
    'ab\\tcd'
    """
    return CONTROL_RE.sub("", s) if CONTROL_RE.search(s) else s


def clean_json(value: Any) -> Any:
    """A parsed JSON value with `clean_text` applied to every string in it,
    object keys included."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    return value
