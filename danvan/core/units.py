"""Import the current official units (two levels, from 1/7/2025) of a province.

The list comes from the installed `vietnam-provinces` package (2025.10.1): the
province and its communes, wards and special zones (xã, phường, đặc khu).
Codes are stored as strings, zero-padded: provinces on 2 digits ("01", "92"),
communes on 5 ("00070").

`import_province(code)` is idempotent and all-or-nothing:

* the province is found by its code among current units, or added as a root;
* a current unit of the province with the same code as an official commune is
  updated (name, unit type); an official commune not yet present is added
  under the province, in force from 1/7/2025;
* when a code is held by a current unit outside the province (e.g. a commune
  of the old district whose merger has not been recorded), nothing is written:
  the restructuring must be recorded first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from vietnam_provinces import Province, ProvinceCode, Ward

from danvan.core import services
from danvan.core.models import Area, AreaKind

# The two-level administration (provinces and communes) took effect on this date.
TWO_LEVEL_FROM = date(2025, 7, 1)
MAX_LISTED_CONFLICTS = 20

PROVINCE_TYPES = {"tỉnh": "Tỉnh", "thành phố trung ương": "Thành phố"}
WARD_TYPES = {"xã": "Xã", "phường": "Phường", "đặc khu": "Đặc khu"}


@dataclass(frozen=True)
class OfficialUnit:
    code: str
    name: str
    unit_type: str


@dataclass
class ImportSummary:
    province_code: str
    province_name: str
    added: int = 0  # communes added
    updated: int = 0  # communes already present, brought in line with the official list
    changed: int = 0  # of those, how many had a different name or unit type
    province_created: bool = False

    @property
    def message(self) -> str:
        text = f"Đã thêm {self.added}, cập nhật {self.updated} đơn vị của {self.province_name}."
        if self.province_created:
            text = f"Đã tạo {self.province_name}. " + text
        return text


def province_code_str(code: int) -> str:
    return f"{code:02d}"


def ward_code_str(code: int) -> str:
    return f"{code:05d}"


def unknown_province(code: object) -> ValidationError:
    return ValidationError(
        f"Không tìm thấy tỉnh, thành phố có mã {code} trong danh mục đơn vị hành chính hiện hành.",
        code="unknown_province",
    )


def official_units(code: int) -> tuple[OfficialUnit, list[OfficialUnit]]:
    """The province and its communes from the package, communes sorted by code."""
    try:
        pcode = ProvinceCode(code)
        province = Province.from_code(pcode)
    except ValueError:
        raise unknown_province(code) from None
    ptype = PROVINCE_TYPES.get(province.division_type.value, "Tỉnh")
    pname = province.name
    if not pname.startswith(ptype + " "):
        pname = f"{ptype} {pname}"  # the package gives "Cao Bằng" for a tỉnh
    wards = sorted(Ward.iter_by_province(pcode), key=lambda w: int(w.code))
    return (
        OfficialUnit(province_code_str(int(pcode)), pname, ptype),
        [
            OfficialUnit(
                ward_code_str(int(w.code)),
                w.name,
                WARD_TYPES.get(w.division_type.value, w.division_type.value.capitalize()),
            )
            for w in wards
        ],
    )


def _describe(area: Area) -> str:
    parent = Area.objects.get_parent(area) if area.depth > 1 else None
    where = f", thuộc {parent.name}" if parent is not None else ""
    return f"{area.code} ({area.name}{where})"


@transaction.atomic
def import_province(code: int) -> ImportSummary:
    """Add or update the current units of province `code`; all or nothing."""
    official_province, wards = official_units(code)
    current = Area.objects.filter(valid_to__isnull=True)

    province = current.filter(code=official_province.code).first()
    conflicts: list[Area] = []
    if province is not None and province.kind != AreaKind.PROVINCE:
        conflicts.append(province)
    by_code = {w.code: w for w in wards}
    existing: list[Area] = []
    for area in current.filter(code__in=by_code).order_by("code"):
        inside = (
            province is not None
            and province.kind == AreaKind.PROVINCE
            and area.path.startswith(province.path)
            and area.kind == AreaKind.COMMUNE
        )
        (existing if inside else conflicts).append(area)
    if conflicts:
        listed = [_describe(a) for a in conflicts[:MAX_LISTED_CONFLICTS]]
        more = len(conflicts) - len(listed)
        if more:
            listed.append(f"và {more} mã khác")
        raise ValidationError(
            f"Không nhập được đơn vị của {official_province.name}: các mã sau đang thuộc đơn "
            f"vị đang hoạt động ở nơi khác: {'; '.join(listed)}. Hãy ghi nhận việc sắp xếp "
            "đơn vị hành chính (sáp nhập, giải thể) cho các đơn vị này trước, rồi nhập lại. "
            "Chưa có dữ liệu nào được ghi.",
            code="conflict",
        )

    summary = ImportSummary(official_province.code, official_province.name)
    if province is None:
        province = services.add_area(
            None,
            name=official_province.name,
            code=official_province.code,
            unit_type=official_province.unit_type,
            kind=AreaKind.PROVINCE,
        )
        summary.province_created = True
    elif (province.name, province.unit_type) != (
        official_province.name,
        official_province.unit_type,
    ):
        province.name = official_province.name
        province.unit_type = official_province.unit_type
        province.save(update_fields=["name", "name_folded", "unit_type"])

    for area in existing:
        unit = by_code.pop(area.code)
        summary.updated += 1
        if (area.name, area.unit_type) != (unit.name, unit.unit_type):
            area.name = unit.name
            area.unit_type = unit.unit_type
            area.save(update_fields=["name", "name_folded", "unit_type"])
            summary.changed += 1
    for unit in by_code.values():
        services.add_area(
            province,
            name=unit.name,
            code=unit.code,
            unit_type=unit.unit_type,
            kind=AreaKind.COMMUNE,
            valid_from=TWO_LEVEL_FROM,
        )
        summary.added += 1
    return summary
