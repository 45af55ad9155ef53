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
from dataclasses import dataclass, field
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
    aliases: Mapping[str, str] = field(default_factory=dict)
    """Other place names for the same item (the forms library's names) -> ours."""


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


_CT01_ALIASES = {
    "kinh-gui": "addressee",
    "opinions.col-1": "opinion-head",
    "opinions.col-2": "opinion-owner",
    "opinions.col-2.name": "owner-name",
    "opinions.col-2.personal-id": "owner-id",
    "opinions.col-3": "opinion-guardian",
    "opinions.col-3.name": "guardian-name",
    "opinions.col-3.personal-id": "guardian-id",
}
_BIRTH_ALIASES = {
    "kinh-gui": "addressee",
    **{f"A{i}": f"requester-{p}" for i, p in enumerate(
        ("name", "birth", "residence", "id-document", "relation"), start=1)},
    "B1": "child-name",
    "B2.figures": "child-birth",
    "B2.words": "child-birth-words",
    "B3.sex": "child-sex",
    "B3.ethnicity": "child-ethnicity",
    "B3.nationality": "child-nationality",
    "B4.facility": "child-birthplace",
    "B4": "child-birthplace",
    "B5": "child-origin",
    **{f"{letter}{n}": f"{who}-{p}" for letter, who in (("C", "mother"), ("D", "father"))
       for n, p in ((1, "name"), (3, "residence"), (4, "id-document"))},
    **{f"{letter}2.{p}": f"{who}-{q}" for letter, who in (("C", "mother"), ("D", "father"))
       for p, q in (("year", "birth-year"), ("ethnicity", "ethnicity"),
                    ("nationality", "nationality"))},
    "E.so": "marriage-number",
    "E.quyen-so": "marriage-book",
    "E.dang-ky-ngay": "marriage-date",
    "E.tai": "marriage-place",
    "G.lam-tai": "sign-place",
    "H.co-khong": "copies-requested",
    "H.so-luong": "copies-count",
}  # fmt: skip
_GPXD_ALIASES = {
    "kinh-gui": "addressee",
    "1.ten-chu-dau-tu": "investor-name",
    "1.so-dinh-danh": "investor-id",
    "1.nguoi-dai-dien": "representative",
    "1.chuc-vu": "representative-position",
    "1.so-dinh-danh-dai-dien": "representative-id",
    "1.dia-chi": "investor-address",
    "1.so-dien-thoai": "investor-phone",
    "2.lo-dat-so": "site-lot",
    "2.to-ban-do": "site-map-sheet",
    "2.dien-tich": "site-area",
    "2.dia-chi": "site-address",
    "3.1.ten": "designer-name",
    "3.1.chung-chi": "designer-certificate",
    "3.2.ten": "reviewer-name",
    "3.2.chung-chi": "reviewer-certificate",
    "4.x": "works-type",
    "4.x.cap-cong-trinh": "works-grade",
    "4.x.cot-xay-dung": "works-datum",
    "4.x.khoang-lui": "works-setback",
    "4.x.dien-tich-tang-1": "works-ground-area",
    "4.x.tong-dien-tich-san": "works-floor-area",
    "4.x.chieu-cao": "works-height",
    "4.x.so-tang": "works-storeys",
    "5": "duration-months",
    "6.1": "attachments",
    "6.2": "attachments",
}

_CT01_2026 = Layout(
    "ct01-2026", "ct01.html", _ct01(2026), "CT01, Thông tư 116/2026/TT-BCA", _CT01_ALIASES
)
_CT01_2025 = Layout(
    "ct01-2025", "ct01.html", _ct01(2025), "CT01, Thông tư 53/2025/TT-BCA", _CT01_ALIASES
)
_BIRTH = Layout(
    "khai-sinh-2024", "khai-sinh.html", {}, "Tờ khai đăng ký khai sinh, TT 04/2024", _BIRTH_ALIASES
)
_GPXD = Layout(
    "gpxd-01-2024", "gpxd-01.html", {}, "Mẫu số 01, Phụ lục II, NĐ 175/2024/NĐ-CP", _GPXD_ALIASES
)
_GENERIC = Layout("generic", "generic.html", {}, "Any definition, in section order")

LAYOUTS: Mapping[str, Layout] = {
    "ct01": _CT01_2026,
    "ct01-2026": _CT01_2026,
    "ct01-tt116-2026": _CT01_2026,
    "ct01-2025": _CT01_2025,
    "ct01-tt53-2025": _CT01_2025,
    "khai-sinh": _BIRTH,
    "khai-sinh-2024": _BIRTH,
    "tt04-2024.to-khai-khai-sinh": _BIRTH,
    "gpxd-01": _GPXD,
    "gpxd-01-2024": _GPXD,
    "nd175-2024.mau-01": _GPXD,
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
    places: Mapping[str, tuple[str, ...]]
    """Place -> field ids bound to it (several: the answered ones are joined)."""
    qr_svg: str | None
    lookup_url: str | None
    dossier_code: str | None
    signed_on: date | None
    """Date printed on the declarant's date line (the submission date)."""
    in_words: frozenset[tuple[str, str]] = frozenset()
    """``(place, field id)`` pairs whose date is written in words (``date_in_words``)."""

    def _bound(self, place: str) -> list[Shown]:
        return [self.shown[i] for i in self.places.get(place, ()) if i in self.shown]

    def slot(self, place: str) -> Shown | None:
        """The (first answered) field bound to ``place``, or ``None`` when none is bound."""
        bound = self._bound(place)
        return next((s for s in bound if not s.empty), bound[0] if bound else None)

    def text(self, place: str) -> str:
        """The printed text at ``place``, answers of several fields joined by ``; ``."""
        texts = (
            _words(s.raw) if (place, s.field.id) in self.in_words else s.text
            for s in self._bound(place)
        )
        return "; ".join(dict.fromkeys(t for t in texts if t))

    def raw(self, place: str) -> Any:
        """The submitted value at ``place``."""
        shown = self.slot(place)
        return shown.raw if shown else None

    def rows(self, place: str) -> list[dict[str, str]]:
        """Rows of the repeat at ``place``, each keyed by column (``col-2`` ...).

        The repeat is the field bound to ``place`` or, when only its columns
        are bound, the repeat that holds them.
        """
        prefix = f"{place}."
        columns = {
            p[len(prefix) :]: ids[0] for p, ids in self.places.items() if p.startswith(prefix)
        }
        shown = self.slot(place) or next(
            (
                s
                for s in self.shown.values()
                if s.field.type == FieldType.REPEAT
                and any(c.id in columns.values() for c in s.field.fields)
            ),
            None,
        )
        if shown is None:
            return []
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

    def words(self, place: str) -> str:
        """The date at ``place`` written in words (``ghi bằng chữ``)."""
        return _words(self.raw(place))

    def unplaced(self) -> list[tuple[LocalText, list[Shown]]]:
        """Answered fields no place prints, by section (the e-form's extra data)."""
        if self.layout.name == "generic":
            return []
        placed = {i for ids in self.places.values() for i in ids}
        # A table counts as placed when its columns are.
        placed |= {
            s.field.id
            for s in self.shown.values()
            if s.field.type == FieldType.REPEAT and any(c.id in placed for c in s.field.fields)
        }
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


def _words(raw: Any) -> str:
    return date_in_words(raw) if isinstance(raw, str) and is_partial_date(raw) else ""


def _data_fields(section: Section) -> list[Field]:
    out: list[Field] = []
    for f in section.fields:
        if f.type == FieldType.GROUP:
            out.extend(f.fields)
        elif f.type != FieldType.SIGNATURE:
            out.append(f)
    return out
