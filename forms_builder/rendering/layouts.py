"""Print layouts: which HTML template draws a definition, and what it may ask for.

A definition's ``print_layout.template`` names a layout; its ``places`` bind
fields (by stable id) to the items of the paper form (``item-4``,
``table-11`` with columns ``table-11.col-2`` ...). The layout's template
asks for items by place, so the same template serves every version of a
definition that keeps the official items, whatever its data keys are.
Definitions without a print layout, or naming ``generic``, are printed in
section order with their own labels.

The places each shipped layout understands are listed in ``docs/render.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from forms_builder.model import Field, FieldType, FormDefinition, LocalText, Section
from forms_builder.rendering.errors import LayoutUnknown
from forms_builder.rendering.values import Shown
from forms_builder.vn_formats import date_in_words, is_partial_date

__all__ = ["LAYOUTS", "Layout", "LayoutContext", "resolve_layout"]


@dataclass(frozen=True)
class Layout:
    """One shipped layout: its template file and its variant settings."""

    name: str
    template: str
    """File under ``forms_builder/rendering/templates/``."""
    variant: Mapping[str, Any]
    """Wording that differs between versions of the same paper form."""
    description: str


def _ct01(year: int) -> dict[str, Any]:
    if year >= 2026:
        return {
            "symbol": (
                "Mẫu CT01 ban hành kèm theo Thông tư số 116/2026/TT-BCA",
                "ngày 29 tháng 6 năm 2026 của Bộ trưởng Bộ Công an",
            ),
            "head_note": "2",
            "request_note": "3",
            "guardian_title": "CHA HOẶC MẸ HOẶC NGƯỜI GIÁM HỘ",
            "notes": ("4", "5", "6", "7", "8"),
            "app": "ứng dụng định danh quốc gia",
        }
    return {
        "symbol": (
            "Mẫu CT01 ban hành kèm theo Thông tư số 53/2025/TT-BCA",
            "ngày 01/7/2025 của Bộ trưởng Bộ Công an",
        ),
        "head_note": "",
        "request_note": "2",
        "guardian_title": "CHA, MẸ HOẶC NGƯỜI GIÁM HỘ",
        "notes": ("3", "4", "5", "6", "7"),
        "app": "ứng dụng VNeID",
    }


_CT01_2026 = Layout("ct01-2026", "ct01.html", _ct01(2026), "CT01, Thông tư 116/2026/TT-BCA")
_CT01_2025 = Layout("ct01-2025", "ct01.html", _ct01(2025), "CT01, Thông tư 53/2025/TT-BCA")
_BIRTH = Layout("khai-sinh-2024", "khai-sinh.html", {}, "Tờ khai đăng ký khai sinh, TT 04/2024")
_GPXD = Layout("gpxd-01-2024", "gpxd-01.html", {}, "Mẫu số 01, Phụ lục II, NĐ 175/2024/NĐ-CP")
_GENERIC = Layout("generic", "generic.html", {}, "Any definition, in section order")

LAYOUTS: Mapping[str, Layout] = {
    "ct01": _CT01_2026,
    "ct01-2026": _CT01_2026,
    "ct01-tt116-2026": _CT01_2026,
    "ct01-2025": _CT01_2025,
    "ct01-tt53-2025": _CT01_2025,
    "khai-sinh": _BIRTH,
    "khai-sinh-2024": _BIRTH,
    "gpxd-01": _GPXD,
    "gpxd-01-2024": _GPXD,
    "generic": _GENERIC,
}
"""Every layout name a definition may use (aliases included)."""


def resolve_layout(definition: FormDefinition) -> Layout:
    """The layout ``definition`` asks for; ``generic`` when it names none."""
    if definition.print_layout is None:
        return _GENERIC
    name = definition.print_layout.template
    layout = LAYOUTS.get(name)
    if layout is None:
        known = ", ".join(sorted(LAYOUTS))
        raise LayoutUnknown(
            f"Bố cục in {name!r} của {definition.ref} không có; các bố cục có sẵn: {known}.",
            f"Print layout {name!r} of {definition.ref} does not exist; available: {known}.",
            details={"form": definition.ref, "layout": name},
        )
    return layout


@dataclass(frozen=True)
class LayoutContext:
    """What a template can ask for: values by place, helpers, and the document's extras."""

    definition: FormDefinition
    layout: Layout
    shown: Mapping[str, Shown]
    """Every field by stable id (see :func:`~forms_builder.rendering.values.display_values`)."""
    places: Mapping[str, str]
    """Place -> field id, from the definition's print layout."""
    qr_svg: str | None
    lookup_url: str | None
    dossier_code: str | None
    signed_on: date | None
    """Date printed on the declarant's date line (the submission date)."""

    def slot(self, place: str) -> Shown | None:
        """The field bound to ``place``, or ``None`` when the definition binds none."""
        field_id = self.places.get(place)
        return self.shown.get(field_id) if field_id else None

    def text(self, place: str) -> str:
        """The printed text at ``place`` (empty when unbound or not given)."""
        shown = self.slot(place)
        return shown.text if shown else ""

    def raw(self, place: str) -> Any:
        """The submitted value at ``place``."""
        shown = self.slot(place)
        return shown.raw if shown else None

    def rows(self, place: str) -> list[dict[str, str]]:
        """Rows of the repeat at ``place``, each keyed by column (``col-2`` ...)."""
        shown = self.slot(place)
        if shown is None:
            return []
        prefix = f"{place}."
        columns = {p[len(prefix) :]: fid for p, fid in self.places.items() if p.startswith(prefix)}
        return [
            {col: row[fid].text if fid in row else "" for col, fid in columns.items()}
            for row in shown.rows
        ]

    def digits(self, place: str, count: int = 12) -> list[str]:
        """The value at ``place`` split into ``count`` boxes (blank boxes when empty)."""
        value = "".join(ch for ch in self.text(place) if not ch.isspace())
        cells = list(value[:count])
        return cells + [""] * (count - len(cells))

    def date_parts(self, place: str) -> tuple[str, str, str]:
        """Day, month, year of the date at ``place`` (blanks for missing parts)."""
        raw = self.raw(place)
        if not isinstance(raw, str) or not is_partial_date(raw):
            return ("", "", "")
        parts = raw.split("-")
        year, month, day = parts[0], *(parts[1:] + ["", ""])[:2]
        return (day, month, year)

    def in_words(self, place: str) -> str:
        """The date at ``place`` written in words (``ghi bằng chữ``)."""
        raw = self.raw(place)
        return date_in_words(raw) if isinstance(raw, str) and is_partial_date(raw) else ""

    def unplaced(self) -> list[tuple[LocalText, list[Shown]]]:
        """Answered fields no place prints, by section (the e-form's extra data)."""
        if self.layout.name == "generic":
            return []
        placed = set(self.places.values())
        out = []
        for section in self.definition.sections:
            items = [self.shown[f.id] for f in _data_fields(section) if f.id not in placed]
            items = [s for s in items if not s.empty]
            if items:
                out.append((section.title, items))
        return out

    def sections(self) -> list[tuple[Section, list[Shown]]]:
        """Every section with its top-level fields (the generic layout)."""
        return [(s, [self.shown[f.id] for f in s.fields]) for s in self.definition.sections]


def _data_fields(section: Section) -> list[Field]:
    out: list[Field] = []
    for f in section.fields:
        if f.type == FieldType.GROUP:
            out.extend(f.fields)
        elif f.type != FieldType.SIGNATURE:
            out.append(f)
    return out
