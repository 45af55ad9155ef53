"""Records the prefill sources return, and the uniform lookup result.

Records are frozen dataclasses. ``to_dict()`` gives the JSON form that the
HTTP adapters receive, the command line prints and field bindings address
with dotted paths (``permanent_residence.text``, ``household.members``);
``from_dict()`` reads it back and refuses anything malformed
(:class:`MalformedRecordError`), because it may come from a remote service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from forms_builder.identifiers import Sex
from forms_builder.prefill.json_reader import JsonReader

__all__ = [
    "Address",
    "BusinessLine",
    "CitizenRecord",
    "CitizenRecords",
    "EnterpriseRecord",
    "EnterpriseStatus",
    "Household",
    "HouseholdMember",
    "LegalRepresentative",
    "LookupResult",
    "LookupStatus",
    "PersonRecord",
    "Sex",
    "utc_now",
]

RecordT = TypeVar("RecordT")


def utc_now() -> datetime:
    """The current time, timezone-aware (the default clock of every source)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Address:
    """A residence or head-office address in the post-2025 two-level units."""

    street: str
    """House number, street, hamlet (số nhà, đường, thôn/tổ dân phố)."""
    commune_code: str
    """5-digit code of the commune/ward/special zone (xã/phường/đặc khu)."""
    commune_name: str
    province_code: str
    """2-digit code of the province or centrally-run city."""
    province_name: str

    @property
    def text(self) -> str:
        """The address as written on forms: street, commune, province."""
        return ", ".join(p for p in (self.street, self.commune_name, self.province_name) if p)

    def to_dict(self) -> dict[str, Any]:
        return {
            "street": self.street,
            "commune_code": self.commune_code,
            "commune_name": self.commune_name,
            "province_code": self.province_code,
            "province_name": self.province_name,
            "text": self.text,
        }

    @classmethod
    def read(cls, r: JsonReader) -> Address:
        return cls(
            street=r.text("street"),
            commune_code=r.text("commune_code", pattern=r"\d{5}"),
            commune_name=r.text("commune_name"),
            province_code=r.text("province_code", pattern=r"\d{2}"),
            province_name=r.text("province_name"),
        )


@dataclass(frozen=True)
class HouseholdMember:
    """One member of a household as the residence database lists them."""

    full_name: str
    date_of_birth: date
    sex: Sex
    personal_id: str
    relation_to_head: str
    """Quan hệ với chủ hộ: ``Chủ hộ``, ``Vợ``, ``Chồng``, ``Con``, ``Mẹ``..."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex.value,
            "personal_id": self.personal_id,
            "relation_to_head": self.relation_to_head,
        }

    @classmethod
    def read(cls, r: JsonReader) -> HouseholdMember:
        return cls(
            full_name=r.text("full_name"),
            date_of_birth=r.date("date_of_birth"),
            sex=r.enum("sex", Sex),
            personal_id=r.personal_id("personal_id"),
            relation_to_head=r.text("relation_to_head"),
        )


@dataclass(frozen=True)
class Household:
    """The household (hộ gia đình) a person is registered in, seen from that person."""

    household_id: str
    head_name: str
    head_id: str
    relation_to_head: str
    """The looked-up person's relation to the head (``Chủ hộ`` for the head)."""
    members: tuple[HouseholdMember, ...]
    """Every member, the head first."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "household_id": self.household_id,
            "head_name": self.head_name,
            "head_id": self.head_id,
            "relation_to_head": self.relation_to_head,
            "members": [m.to_dict() for m in self.members],
        }

    @classmethod
    def read(cls, r: JsonReader) -> Household:
        return cls(
            household_id=r.text("household_id"),
            head_name=r.text("head_name"),
            head_id=r.personal_id("head_id"),
            relation_to_head=r.text("relation_to_head"),
            members=tuple(HouseholdMember.read(m) for m in r.items("members")),
        )


@dataclass(frozen=True)
class PersonRecord:
    """A person in the population data (cơ sở dữ liệu quốc gia về dân cư)."""

    personal_id: str
    full_name: str
    date_of_birth: date
    sex: Sex
    ethnicity: str
    """One of the 54 ethnic groups (``Kinh``, ``Tày``, ...)."""
    nationality: str
    place_of_birth: str
    permanent_residence: Address
    current_residence: Address
    household: Household | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "personal_id": self.personal_id,
            "full_name": self.full_name,
            "date_of_birth": self.date_of_birth.isoformat(),
            "sex": self.sex.value,
            "ethnicity": self.ethnicity,
            "nationality": self.nationality,
            "place_of_birth": self.place_of_birth,
            "permanent_residence": self.permanent_residence.to_dict(),
            "current_residence": self.current_residence.to_dict(),
            "household": self.household.to_dict() if self.household else None,
        }

    @classmethod
    def from_dict(cls, data: Any) -> PersonRecord:
        """Read the JSON form; raise :class:`MalformedRecordError` when it is not one."""
        r = JsonReader.root(data, "person")
        household = r.optional("household")
        return cls(
            personal_id=r.personal_id("personal_id"),
            full_name=r.text("full_name"),
            date_of_birth=r.date("date_of_birth"),
            sex=r.enum("sex", Sex),
            ethnicity=r.text("ethnicity"),
            nationality=r.text("nationality"),
            place_of_birth=r.text("place_of_birth"),
            permanent_residence=Address.read(r.obj("permanent_residence")),
            current_residence=Address.read(r.obj("current_residence")),
            household=Household.read(household) if household else None,
        )


class EnterpriseStatus(StrEnum):
    """Legal status in the national enterprise registration database."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISSOLVING = "dissolving"
    DISSOLVED = "dissolved"

    @property
    def label_vi(self) -> str:
        return {
            EnterpriseStatus.ACTIVE: "Đang hoạt động",
            EnterpriseStatus.SUSPENDED: "Tạm ngừng kinh doanh",
            EnterpriseStatus.DISSOLVING: "Đang làm thủ tục giải thể",
            EnterpriseStatus.DISSOLVED: "Đã giải thể",
        }[self]


@dataclass(frozen=True)
class LegalRepresentative:
    """The person who represents the enterprise at law."""

    full_name: str
    personal_id: str
    position: str
    """Chức danh: ``Giám đốc``, ``Tổng giám đốc``, ``Chủ tịch Hội đồng quản trị``..."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "personal_id": self.personal_id,
            "position": self.position,
        }

    @classmethod
    def read(cls, r: JsonReader) -> LegalRepresentative:
        return cls(r.text("full_name"), r.personal_id("personal_id"), r.text("position"))


@dataclass(frozen=True)
class BusinessLine:
    """A registered line of business (VSIC 2018 level-4 code and name)."""

    code: str
    name: str
    main: bool = False
    """Whether this is the main line (ngành, nghề kinh doanh chính)."""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "main": self.main}

    @classmethod
    def read(cls, r: JsonReader) -> BusinessLine:
        return cls(r.text("code", pattern=r"\d{4}"), r.text("name"), r.flag("main"))


@dataclass(frozen=True)
class EnterpriseRecord:
    """An enterprise or branch in the national enterprise registration data."""

    enterprise_code: str
    name: str
    address: Address
    legal_representative: LegalRepresentative
    business_lines: tuple[BusinessLine, ...]
    status: EnterpriseStatus
    registered_on: date
    parent_code: str | None = None
    """For a branch: the 10-digit code of the enterprise it belongs to."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "enterprise_code": self.enterprise_code,
            "name": self.name,
            "address": self.address.to_dict(),
            "legal_representative": self.legal_representative.to_dict(),
            "business_lines": [b.to_dict() for b in self.business_lines],
            "status": self.status.value,
            "status_label": self.status.label_vi,
            "registered_on": self.registered_on.isoformat(),
            "parent_code": self.parent_code,
        }

    @classmethod
    def from_dict(cls, data: Any) -> EnterpriseRecord:
        """Read the JSON form; raise :class:`MalformedRecordError` when it is not one."""
        r = JsonReader.root(data, "enterprise")
        return cls(
            enterprise_code=r.enterprise_code("enterprise_code"),
            name=r.text("name"),
            address=Address.read(r.obj("address")),
            legal_representative=LegalRepresentative.read(r.obj("legal_representative")),
            business_lines=tuple(BusinessLine.read(b) for b in r.items("business_lines")),
            status=r.enum("status", EnterpriseStatus),
            registered_on=r.date("registered_on"),
            parent_code=r.optional_text("parent_code"),
        )


@dataclass(frozen=True)
class CitizenRecord:
    """One result of an earlier procedure kept in the citizen's data store."""

    personal_id: str
    name: str
    """What it is, e.g. ``birth_certificate``, ``residence_confirmation``."""
    data: Mapping[str, Any]
    """The JSON content of the result."""
    dossier_code: str
    """The dossier that produced it (provenance)."""
    issued_at: datetime
    """When the result was issued (timezone-aware)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "data": dict(self.data),
            "dossier_code": self.dossier_code,
            "issued_at": self.issued_at.isoformat(),
        }


@dataclass(frozen=True)
class CitizenRecords:
    """Every stored record of one person; the newest of each name counts."""

    personal_id: str
    records: tuple[CitizenRecord, ...] = ()

    def newest(self, name: str) -> CitizenRecord | None:
        """The most recently issued record called ``name``."""
        candidates = [r for r in self.records if r.name == name]
        return max(candidates, key=lambda r: r.issued_at) if candidates else None

    def to_dict(self) -> dict[str, Any]:
        """``{name: data}`` of the newest record of each name (what bindings address)."""
        names = sorted({r.name for r in self.records})
        return {name: dict(self.newest(name).data) for name in names}  # type: ignore[union-attr]

    def provenance(self, path: str) -> str | None:
        """The dossier code a value at ``path`` came from."""
        record = self.newest(path.split(".", 1)[0])
        return record.dossier_code if record else None


class LookupStatus(StrEnum):
    """How a lookup ended. Not found is an answer; unavailable is not."""

    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class LookupResult(Generic[RecordT]):
    """The uniform answer of every source, so a form can say where data came from."""

    source: str
    """Name of the source (``population``, ``enterprise``, ``citizen_store``)."""
    status: LookupStatus
    fetched_at: datetime
    """When the answer (or the failure) was obtained, timezone-aware."""
    record: RecordT | None = None
    reason: str | None = field(default=None)
    """For ``unavailable``: a short technical reason for logs (never personal data)."""

    @property
    def found(self) -> bool:
        return self.status is LookupStatus.FOUND

    @property
    def available(self) -> bool:
        return self.status is not LookupStatus.UNAVAILABLE

    def to_dict(self) -> dict[str, Any]:
        to_dict = getattr(self.record, "to_dict", None)
        record = to_dict() if callable(to_dict) else None
        return {
            "source": self.source,
            "status": self.status.value,
            "fetched_at": self.fetched_at.isoformat(),
            "reason": self.reason,
            "record": record,
        }
