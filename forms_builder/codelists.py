"""Code lists a choice field may name: administrative units, ethnicities, ...

Built-in lists:

- ``provinces``: the 34 provinces and centrally-run cities since 1 July 2025,
  two-digit national codes, from the ``vietnam-provinces`` package.
- ``communes``: the 3,321 communes, wards and special zones (five-digit codes),
  each with its province as parent, from the same package.
- ``ethnicities``: the 54 ethnic groups with the General Statistics Office
  codes ``01`` (Kinh) to ``54`` (Rơ Măm).
- ``nationalities``: ISO 3166-1 alpha-2 territories, names from CLDR (Babel).
- ``relations``, ``sexes``, ``id_document_types``: small lists of ours.
- ``agencies``: filled at run time from the agencies table
  (:meth:`CodeLists.with_list`); empty means any well-formed agency id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

from babel import Locale
from vietnam_provinces import Province, Ward

from forms_builder.model import LocalText, Option

__all__ = ["CodeList", "CodeLists", "default_code_lists"]


@dataclass(frozen=True)
class CodeList:
    """A named, closed list of codes; ``parents`` maps a code to its parent code."""

    name: str
    options: tuple[Option, ...]
    parents: Mapping[str, str] = field(default_factory=dict)
    pattern: str | None = None
    """When ``options`` is empty: the regular expression codes must match instead."""

    def codes(self) -> list[str]:
        """Every code, in list order."""
        return [o.code for o in self.options]


@dataclass(frozen=True)
class CodeLists:
    """The code lists available to definitions, by name."""

    lists: Mapping[str, CodeList]

    def get(self, name: str) -> CodeList | None:
        """The list ``name``, or ``None`` when there is no such list."""
        return self.lists.get(name)

    def names(self) -> list[str]:
        """Every list name, sorted."""
        return sorted(self.lists)

    def with_list(self, code_list: CodeList) -> CodeLists:
        """A copy that has ``code_list`` (replacing one of the same name)."""
        return CodeLists({**self.lists, code_list.name: code_list})

    def with_agencies(self, agencies: Iterable[tuple[str, str, str]]) -> CodeLists:
        """A copy whose ``agencies`` list holds ``(id, name_vi, name_en)`` entries."""
        options = tuple(Option(a, LocalText(vi, en)) for a, vi, en in agencies)
        return self.with_list(CodeList("agencies", options, pattern=_AGENCY_PATTERN))


_AGENCY_PATTERN = r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$"

_ETHNICITIES = (
    "Kinh", "Tày", "Thái", "Hoa", "Khơ-me", "Mường", "Nùng", "Mông", "Dao", "Gia-rai",
    "Ngái", "Ê-đê", "Ba Na", "Xơ-đăng", "Sán Chay", "Cơ-ho", "Chăm", "Sán Dìu", "Hrê",
    "Mnông", "Ra-glai", "Xtiêng", "Bru-Vân Kiều", "Thổ", "Giáy", "Cơ-tu", "Gié-Triêng",
    "Mạ", "Khơ-mú", "Co", "Tà-ôi", "Chơ-ro", "Kháng", "Xinh-mun", "Hà Nhì", "Chu-ru",
    "Lào", "La Chí", "La Ha", "Phù Lá", "La Hủ", "Lự", "Lô Lô", "Chứt", "Mảng",
    "Pà Thẻn", "Cờ Lao", "Cống", "Bố Y", "Si La", "Pu Péo", "Brâu", "Ơ Đu", "Rơ Măm",
)  # fmt: skip

_RELATIONS = (
    ("self", "Bản thân / là chủ hộ", "Self / household head"),
    ("father", "Cha", "Father"),
    ("mother", "Mẹ", "Mother"),
    ("husband", "Chồng", "Husband"),
    ("wife", "Vợ", "Wife"),
    ("child", "Con", "Child"),
    ("grandfather", "Ông", "Grandfather"),
    ("grandmother", "Bà", "Grandmother"),
    ("grandchild", "Cháu", "Grandchild"),
    ("sibling", "Anh, chị, em", "Sibling"),
    ("relative", "Người thân thích khác", "Other relative"),
    ("guardian", "Người giám hộ", "Guardian"),
    ("other", "Khác", "Other"),
)

_SEXES = (("male", "Nam", "Male"), ("female", "Nữ", "Female"))

_ID_DOCUMENTS = (
    ("cccd", "Thẻ căn cước / Căn cước công dân", "Identity card"),
    ("cmnd", "Chứng minh nhân dân", "Former identity card (CMND)"),
    ("passport", "Hộ chiếu", "Passport"),
    ("other", "Giấy tờ hợp lệ thay thế", "Other valid document"),
)

# CLDR pseudo-territories and groupings that are not nationalities.
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


def _small(name: str, rows: tuple[tuple[str, str, str], ...]) -> CodeList:
    return CodeList(name, tuple(Option(c, LocalText(vi, en)) for c, vi, en in rows))


def _provinces() -> CodeList:
    options = tuple(
        Option(f"{int(p.code):02d}", LocalText(p.name, p.name)) for p in Province.iter_all()
    )
    return CodeList("provinces", options)


def _communes() -> CodeList:
    wards = list(Ward.iter_all())
    options = tuple(Option(f"{int(w.code):05d}", LocalText(w.name, w.name)) for w in wards)
    parents = {f"{int(w.code):05d}": f"{int(w.province_code):02d}" for w in wards}
    return CodeList("communes", options, parents)


def _nationalities() -> CodeList:
    vi, en = Locale("vi").territories, Locale("en").territories
    codes = sorted(c for c in vi if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)
    return CodeList(
        "nationalities", tuple(Option(c, LocalText(vi[c], en.get(c, vi[c]))) for c in codes)
    )


def _ethnicities() -> CodeList:
    options = tuple(
        Option(f"{i:02d}", LocalText(name, name)) for i, name in enumerate(_ETHNICITIES, start=1)
    )
    return CodeList("ethnicities", options)


@cache
def default_code_lists() -> CodeLists:
    """The built-in lists (built once per process; they are read-only)."""
    lists = [
        _provinces(),
        _communes(),
        _ethnicities(),
        _nationalities(),
        _small("relations", _RELATIONS),
        _small("sexes", _SEXES),
        _small("id_document_types", _ID_DOCUMENTS),
        CodeList("agencies", (), pattern=_AGENCY_PATTERN),
    ]
    return CodeLists({c.name: c for c in lists})
