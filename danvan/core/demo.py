"""The demo district: Huyện Phụng Hiệp (Tỉnh Hậu Giang) and its 2025 restructuring.

`load_demo()` builds, in one transaction and through the services (so the audit
log has entries), the pre-2025 unit tree of the district from the facts file
``fixtures_data/phung_hiep_2024.json``, its organisations, member counts for
2024, then records the restructuring of 1/7/2025 (15 communes and towns merged
into 7 communes of Thành phố Cần Thơ; district and province ended), the new
communes' bodies with counts for the first half of 2025, and the demo logins.

It is idempotent: when the demo is already there (a unit with code 934 exists)
nothing is added; only the demo users are made sure of (`danvan.core.demo_users`:
created if missing, password reset, roles granted if missing). Member counts come
from ``random.Random(934)``, so every load gives the same figures.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from PIL import Image, ImageDraw

from danvan.core import images, services
from danvan.core import restructuring as restructure
from danvan.core.demo_users import (
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoLogin,
    ensure_users,
    reset_lockouts,
)
from danvan.core.models import (
    Area,
    Organization,
    OrgKind,
    Period,
    PeriodKind,
)

FACTS_PATH = Path(__file__).resolve().parent / "fixtures_data" / "phung_hiep_2024.json"
DEMO_URL = "http://127.0.0.1:8000/quan-ly/"
DEMO_MARKER_CODE = "934"  # Huyện Phụng Hiệp: present means the demo is loaded
SEED = 934

H1_2024 = "6 tháng đầu năm 2024"
H2_2024 = "6 tháng cuối năm 2024"
YEAR_2024 = "Năm 2024"
H2_2025 = "6 tháng cuối năm 2025"
PERIODS: list[tuple[str, str, date, date]] = [
    (H1_2024, PeriodKind.HALF_YEAR, date(2024, 1, 1), date(2024, 6, 30)),
    # The opinion reports of the former communes (surveys demo): the six months
    # that "6 tháng cuối năm 2025" is compared with.
    (H2_2024, PeriodKind.HALF_YEAR, date(2024, 7, 1), date(2024, 12, 31)),
    (YEAR_2024, PeriodKind.YEAR, date(2024, 1, 1), date(2024, 12, 31)),
    (H2_2025, PeriodKind.HALF_YEAR, date(2025, 7, 1), date(2025, 12, 31)),
]


class Writer(Protocol):
    """Where progress lines go: a text stream or a management command's stdout."""

    def write(self, msg: str, /) -> Any: ...


class DemoError(Exception):
    """The demo cannot be loaded into this database (message in Vietnamese)."""


@dataclass
class DemoResult:
    created: bool
    logins: list[DemoLogin] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (username, what it shows)
    password: str = DEMO_PASSWORD
    url: str = DEMO_URL


@cache
def load_facts() -> dict[str, Any]:
    """The facts file (official units before and after 1/7/2025, demo hamlets)."""
    with FACTS_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def say(stdout: Writer | None, message: str) -> None:
    """A progress line to `stdout`, when there is one."""
    if stdout is not None:
        stdout.write(message + "\n")


_say = say

CITY_CODE = "92"
CITY_ORGANIZER = "Ban Dân vận Thành ủy Cần Thơ"


def demo_home(what: str) -> tuple[Organization, Area]:
    """The body that organises the apps' demos (the city's mass-mobilisation
    board) and the city; `what` ("cuộc thi mẫu") names the demo in the error
    raised when the district demo is not loaded yet."""
    organizer = (
        Organization.objects.filter(name=CITY_ORGANIZER, valid_to__isnull=True)
        .order_by("pk")
        .first()
    )
    city = Area.objects.filter(code=CITY_CODE, valid_to__isnull=True).first()
    if organizer is None or city is None:
        missing = CITY_ORGANIZER if organizer is None else "Thành phố Cần Thơ (mã 92)"
        raise DemoError(
            f"Không tạo được {what}: chưa có “{missing}”. "
            "Hãy nạp dữ liệu mẫu huyện Phụng Hiệp trước (manage.py load_demo)."
        )
    return organizer, city


# --- Public entry points ------------------------------------------------------------


def load_demo(stdout: Writer | None = None) -> DemoResult:
    """Build the demo (once) and make sure the demo logins work. Returns the logins."""
    with transaction.atomic():
        created = not Area.objects.filter(code=DEMO_MARKER_CODE).exists()
        if created:
            _check_free_codes()
            _say(stdout, "Đang nạp dữ liệu mẫu huyện Phụng Hiệp (Hậu Giang)…")
            _Builder().build()
            _say(stdout, "Đã nạp dữ liệu mẫu.")
        else:
            _say(stdout, "Dữ liệu mẫu đã có; chỉ kiểm tra lại các tài khoản mẫu.")
        logins = ensure_users()
    reset_lockouts()
    notes = [(spec.username, spec.note) for spec in DEMO_USERS if spec.note]
    return DemoResult(created=created, logins=logins, notes=notes)


def format_logins(result: DemoResult) -> str:
    """The table of demo logins, in Vietnamese, for the terminal."""
    header = ("Tên đăng nhập", "Họ và tên", "Vai trò", "Phạm vi")
    rows = [(x.username, x.full_name, x.role, x.scope) for x in result.logins]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [
        f"Tài khoản mẫu (mật khẩu chung: {result.password})",
        f"Đăng nhập tại: {result.url}",
        "",
        line(header),
        rule,
        *(line(r) for r in rows),
    ]
    if result.notes:
        out += ["", "Dùng để thử:"]
        out += [f"- {username}: {note}" for username, note in result.notes]
    return "\n".join(out)


# --- Building -----------------------------------------------------------------------


def _demo_codes() -> set[str]:
    facts = load_facts()
    codes = {facts["province"]["code"], facts["district"]["code"]}
    codes |= {c["code"] for c in facts["communes"]}
    codes.add(facts["restructuring_2025"]["province"]["code"])
    return codes


def _check_free_codes() -> None:
    """The pre-2025 units need their codes; refuse when current units hold them."""
    taken = list(
        Area.objects.filter(code__in=_demo_codes(), valid_to__isnull=True)
        .order_by("code")
        .values_list("code", "name")
    )
    if taken:
        listed = ", ".join(f"{code} ({name})" for code, name in taken)
        raise DemoError(
            "Không nạp được dữ liệu mẫu: cơ sở dữ liệu đã có đơn vị đang hoạt động trùng mã "
            f"với dữ liệu mẫu: {listed}. Chỉ nạp dữ liệu mẫu vào một cơ sở dữ liệu mới."
        )


def _short(area: Area) -> tuple[str, str]:
    """("xã", "Phụng Hiệp") for "Xã Phụng Hiệp"; ("thị trấn", "Cây Dương") for a town."""
    name = area.name
    if name.startswith(area.unit_type + " "):
        name = name[len(area.unit_type) + 1 :]
    return area.unit_type.lower(), name


# Commune bodies: kind, name pattern ({lvl} "xã"/"thị trấn", {n} short name).
COMMUNE_BODIES: list[tuple[str, str]] = [
    (OrgKind.PARTY, "Đảng ủy {lvl} {n}"),
    (OrgKind.GOVERNMENT, "UBND {lvl} {n}"),
    (OrgKind.FRONT, "Ủy ban MTTQ {lvl} {n}"),
    (OrgKind.WOMEN, "Hội LHPN {lvl} {n}"),
    (OrgKind.FARMERS, "Hội Nông dân {lvl} {n}"),
    (OrgKind.YOUTH, "Đoàn {lvl} {n}"),
    (OrgKind.VETERANS, "Hội CCB {lvl} {n}"),
]
# Hamlet bodies: kind, name pattern, kind of the commune body they belong to.
HAMLET_BODIES: list[tuple[str, str, str]] = [
    (OrgKind.PARTY_CELL, "Chi bộ ấp {n}", OrgKind.PARTY),
    (OrgKind.FRONT_COMMITTEE, "Ban công tác Mặt trận ấp {n}", OrgKind.FRONT),
    (OrgKind.BRANCH, "Chi hội Phụ nữ ấp {n}", OrgKind.WOMEN),
    (OrgKind.BRANCH, "Chi hội Nông dân ấp {n}", OrgKind.FARMERS),
    (OrgKind.YOUTH_BRANCH, "Chi đoàn ấp {n}", OrgKind.YOUTH),
]
# Upper-level bodies: kind, name; the board sits under the party committee.
DISTRICT_BODIES: list[tuple[str, str]] = [
    (OrgKind.PARTY, "Huyện ủy Phụng Hiệp"),
    (OrgKind.MOBILISATION_BOARD, "Ban Dân vận Huyện ủy Phụng Hiệp"),
    (OrgKind.GOVERNMENT, "Ủy ban nhân dân huyện Phụng Hiệp"),
    (OrgKind.FRONT, "Ủy ban MTTQ Việt Nam huyện Phụng Hiệp"),
    (OrgKind.WOMEN, "Hội LHPN huyện Phụng Hiệp"),
    (OrgKind.FARMERS, "Hội Nông dân huyện Phụng Hiệp"),
    (OrgKind.YOUTH, "Huyện Đoàn Phụng Hiệp"),
    (OrgKind.VETERANS, "Hội Cựu chiến binh huyện Phụng Hiệp"),
    (OrgKind.TRADE_UNION, "Liên đoàn Lao động huyện Phụng Hiệp"),
]
CITY_BODIES: list[tuple[str, str]] = [
    (OrgKind.PARTY, "Thành ủy Cần Thơ"),
    (OrgKind.MOBILISATION_BOARD, "Ban Dân vận Thành ủy Cần Thơ"),
    (OrgKind.GOVERNMENT, "Ủy ban nhân dân thành phố Cần Thơ"),
    (OrgKind.FRONT, "Ủy ban MTTQ Việt Nam thành phố Cần Thơ"),
    (OrgKind.WOMEN, "Hội LHPN thành phố Cần Thơ"),
    (OrgKind.FARMERS, "Hội Nông dân thành phố Cần Thơ"),
    (OrgKind.YOUTH, "Thành Đoàn Cần Thơ"),
    (OrgKind.VETERANS, "Hội Cựu chiến binh thành phố Cần Thơ"),
    (OrgKind.TRADE_UNION, "Liên đoàn Lao động thành phố Cần Thơ"),
]

# Members of each body itself (not of the bodies below it, so that summing a
# subtree counts everyone once). Party bodies count party members; the front
# counts the members of its committee; government bodies and boards get none.
DISTRICT_RANGES: dict[str, tuple[int, int]] = {
    OrgKind.PARTY: (180, 320),
    OrgKind.FRONT: (45, 65),
    OrgKind.WOMEN: (8, 25),
    OrgKind.FARMERS: (8, 25),
    OrgKind.YOUTH: (8, 25),
    OrgKind.VETERANS: (8, 25),
    OrgKind.TRADE_UNION: (1800, 2600),
}
CITY_RANGES: dict[str, tuple[int, int]] = {
    OrgKind.PARTY: (380, 620),
    OrgKind.FRONT: (60, 90),
    OrgKind.WOMEN: (15, 40),
    OrgKind.FARMERS: (15, 40),
    OrgKind.YOUTH: (15, 40),
    OrgKind.VETERANS: (15, 40),
    OrgKind.TRADE_UNION: (3000, 6000),
}
COMMUNE_RANGES: dict[str, tuple[int, int]] = {
    OrgKind.PARTY: (180, 420),
    OrgKind.FRONT: (25, 45),
    OrgKind.WOMEN: (800, 2200),
    OrgKind.FARMERS: (700, 2000),
    OrgKind.YOUTH: (300, 900),
    OrgKind.VETERANS: (300, 450),
}
HAMLET_RANGES: dict[str, tuple[int, int]] = {
    OrgKind.PARTY_CELL: (15, 60),
    OrgKind.FRONT_COMMITTEE: (7, 15),
    OrgKind.BRANCH: (40, 250),
    OrgKind.YOUTH_BRANCH: (40, 120),
}


class _Builder:
    def __init__(self) -> None:
        self.facts = load_facts()
        self.rng = random.Random(SEED)
        self.periods: dict[str, Period] = {}
        self.old: dict[str, Area] = {}  # pre-2025 units by code
        self.commune_bodies: dict[str, dict[str, Organization]] = {}  # code -> kind -> body

    def build(self) -> None:
        self.make_periods()
        self.make_tree()
        district_bodies = self.make_upper_bodies(self.old["934"], DISTRICT_BODIES, DISTRICT_RANGES)
        self.make_commune_and_hamlet_bodies(district_bodies)
        self.restructure_2025()

    # Periods and figures -----------------------------------------------------------

    def make_periods(self) -> None:
        for name, kind, start, end in PERIODS:
            period, _ = Period.objects.get_or_create(
                name=name, defaults={"kind": kind, "start": start, "end": end}
            )
            self.periods[name] = period

    def count_2024(self, org: Organization, low: int, high: int) -> int:
        """First half of 2024 and the whole year (a small drift); returns the year."""
        h1 = self.rng.randint(low, high)
        year = max(0, round(h1 * (1 + self.rng.uniform(-0.02, 0.04))))
        services.set_member_count(org, self.periods[H1_2024], h1)
        services.set_member_count(org, self.periods[YEAR_2024], year)
        return year

    # Unit tree ------------------------------------------------------------------------

    def _add(self, parent: Area | None, unit: dict[str, Any], population: int | None) -> Area:
        return services.add_area(
            parent,
            name=unit["name"],
            code=unit["code"],
            unit_type=unit["unit_type"],
            kind=unit["kind"],
            valid_from=None,
            population=population,
        )

    def make_tree(self) -> None:
        facts = self.facts
        province = self._add(None, facts["province"], facts["province"]["population"])
        total = sum(c["population"] or 0 for c in facts["communes"])
        district = self._add(province, facts["district"], total or None)
        self.old[province.code] = province
        self.old[district.code] = district
        for unit in facts["communes"]:
            self.old[unit["code"]] = self._add(district, unit, unit["population"])
        for code, hamlets in facts["hamlets"]["by_commune"].items():
            commune = self.old[code]
            for h in hamlets:
                services.add_hamlet(
                    commune, name=h["name"], unit_type=h["unit_type"], population=h["population"]
                )

    # Organisations ------------------------------------------------------------------

    def make_upper_bodies(
        self, area: Area, bodies: list[tuple[str, str]], ranges: dict[str, tuple[int, int]]
    ) -> dict[str, Organization]:
        made: dict[str, Organization] = {}
        for kind, name in bodies:
            parent = made[OrgKind.PARTY] if kind == OrgKind.MOBILISATION_BOARD else None
            made[kind] = services.create_organization(
                name=name, kind=kind, area=area, parent=parent
            )
        return made

    def make_commune_and_hamlet_bodies(self, district_bodies: dict[str, Organization]) -> None:
        for kind, (low, high) in DISTRICT_RANGES.items():
            self.count_2024(district_bodies[kind], low, high)
        for unit in self.facts["communes"]:
            commune = self.old[unit["code"]]
            lvl, short = _short(commune)
            bodies: dict[str, Organization] = {}
            for kind, pattern in COMMUNE_BODIES:
                org = services.create_organization(
                    name=pattern.format(lvl=lvl, n=short),
                    kind=kind,
                    area=commune,
                    parent=district_bodies[kind],
                )
                bodies[kind] = org
                if kind in COMMUNE_RANGES:
                    self.count_2024(org, *COMMUNE_RANGES[kind])
            self.commune_bodies[commune.code] = bodies
            for hamlet in Area.objects.get_children(commune).order_by("path"):
                _lvl, hamlet_short = _short(hamlet)
                for kind, pattern, parent_kind in HAMLET_BODIES:
                    org = services.create_organization(
                        name=pattern.format(n=hamlet_short),
                        kind=kind,
                        area=hamlet,
                        parent=bodies[parent_kind],
                    )
                    self.count_2024(org, *HAMLET_RANGES[kind])

    # The restructuring of 1/7/2025 ------------------------------------------------

    def restructure_2025(self) -> None:
        r = self.facts["restructuring_2025"]
        effective_on = date.fromisoformat(r["effective_on"])
        decision = r["decision"]
        city_unit = r["province"]
        city = self._add(None, city_unit, city_unit["population"])
        year = self.periods[YEAR_2024]
        used: list[str] = []
        new_communes: list[tuple[Area, list[Area]]] = []
        for unit in r["communes"]:
            preds = [self.old[code] for code in unit["predecessors"]]
            used.extend(unit["predecessors"])
            restructuring = restructure.merge_areas(
                None,
                preds,
                effective_on=effective_on,
                new_unit=restructure.NewUnit(unit["name"], unit["code"], unit["unit_type"]),
                parent=city,
                decision=decision,
                note=r["note"],
            )
            new = restructuring.successors.get()
            new.population = sum(p.population or 0 for p in preds) or None
            new.save(update_fields=["population"])
            new_communes.append((new, preds))
        expected = sorted(c["code"] for c in self.facts["communes"])
        if sorted(used) != expected:  # the facts file must use each old unit once
            raise DemoError("Tệp dữ liệu mẫu: danh sách đơn vị sáp nhập không khớp 15 xã cũ.")
        for code in (self.facts["district"]["code"], self.facts["province"]["code"]):
            restructure.dissolve_area(
                None,
                self.old[code],
                successor=city,
                effective_on=effective_on,
                decision=decision,
                note=r["note"],
            )
        # Current bodies: the city's, then each new commune's under them.
        city.refresh_from_db()
        city_bodies = self.make_upper_bodies(city, CITY_BODIES, CITY_RANGES)
        h2_2025 = self.periods[H2_2025]
        for kind, (low, high) in CITY_RANGES.items():
            services.set_member_count(city_bodies[kind], h2_2025, self.rng.randint(low, high))
        for new, preds in new_communes:
            lvl, short = _short(new)
            for kind, pattern in COMMUNE_BODIES:
                org = services.create_organization(
                    name=pattern.format(lvl=lvl, n=short),
                    kind=kind,
                    area=new,
                    parent=city_bodies[kind],
                )
                if kind not in COMMUNE_RANGES:
                    continue
                before = sum(
                    self._members(self.commune_bodies[p.code][kind], year.pk) for p in preds
                )
                members = round(before * (1 + self.rng.uniform(-0.01, 0.03)))
                services.set_member_count(org, h2_2025, members)

    @staticmethod
    def _members(org: Organization, period_id: int) -> int:
        row = org.member_counts.filter(period_id=period_id).values_list("members", flat=True)
        return next(iter(row), 0)


__all__ = [
    "DEMO_URL",
    "DemoError",
    "DemoResult",
    "format_logins",
    "load_demo",
    "load_facts",
]


def drawn_photo(rng: random.Random) -> images.Checked:
    """A photo of a hamlet (sky, fields, a road, houses, trees) that the demo
    draws itself (no downloaded image), checked as an upload is."""
    width, height = 1200, 900
    picture = Image.new("RGB", (width, height), (135, 190, 235))
    draw = ImageDraw.Draw(picture)
    horizon = rng.randint(360, 460)
    for y in range(horizon):  # the sky, lighter towards the horizon
        shade = 150 + 90 * y // horizon
        draw.line([(0, y), (width, y)], fill=(shade - 40, shade, 245))
    sun = rng.randint(150, 1050)
    draw.ellipse([sun - 50, 60, sun + 50, 160], fill=(255, 214, 90))
    green = (rng.randint(60, 110), rng.randint(140, 180), rng.randint(50, 90))
    draw.rectangle([0, horizon, width, height], fill=green)
    for row in range(horizon + 30, height, 45):  # rice rows
        draw.line(
            [(0, row), (width, row + 20)], fill=(green[0] - 20, green[1] - 25, green[2]), width=6
        )
    road = rng.randint(450, 750)
    draw.polygon(
        [(road - 30, horizon), (road + 30, horizon), (road + 260, height), (road - 260, height)],
        fill=(196, 180, 150),
    )
    for _ in range(rng.randint(3, 6)):
        x = rng.randint(40, width - 200)
        base = horizon + rng.randint(10, 60)
        wall = (rng.randint(200, 250), rng.randint(190, 235), rng.randint(150, 200))
        draw.rectangle([x, base - 90, x + 140, base], fill=wall)
        draw.polygon(
            [(x - 15, base - 90), (x + 70, base - 150), (x + 155, base - 90)],
            fill=(rng.randint(150, 200), 60, 40),
        )
        draw.rectangle([x + 55, base - 50, x + 85, base], fill=(110, 70, 40))
    for _ in range(rng.randint(4, 9)):
        x = rng.randint(0, width)
        y = horizon + rng.randint(-10, 40)
        draw.rectangle([x - 6, y - 20, x + 6, y + 40], fill=(100, 70, 40))
        draw.ellipse([x - 45, y - 110, x + 45, y - 10], fill=(40, rng.randint(110, 150), 50))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return images.check_image(io.BytesIO(buffer.getvalue()))
