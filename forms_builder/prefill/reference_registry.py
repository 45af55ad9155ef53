"""The bundled reference registry: synthetic, format-valid people and enterprises.

Generated deterministically from a seed (same seed, sizes and package data:
same registry, byte for byte in :meth:`ReferenceRegistry.digest`). Nothing
in it is real: names are random combinations of common name parts, IDs are
random sequences with a consistent structure, addresses are random streets
in real post-2025 communes (``vietnam-provinces``).

Rules every generated value follows (checked over the whole registry by the
tests): 12-digit unique personal IDs whose province code is in
:data:`~forms_builder.identifiers.BIRTH_PROVINCE_CODES`, whose 4th digit
matches sex and century and whose 5th-6th digits are the year of birth;
ethnicity from the 54 groups; communes and provinces from the 34-province
list; enterprise codes of 10 digits, branches ``-001``...; legal
representatives are adults of the registry.

A fixed demo household (:data:`DEMO_CITIZEN_ID` and family) and a demo
enterprise (:data:`DEMO_ENTERPRISE_CODE`) exist whatever the seed.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from vietnam_provinces import Province, VietNamDivisionType, Ward

from forms_builder.identifiers import BIRTH_PROVINCE_CODES, Sex, sex_century_digit
from forms_builder.prefill import registry_vocabulary as vocab
from forms_builder.prefill.model import (
    Address,
    BusinessLine,
    EnterpriseRecord,
    EnterpriseStatus,
    Household,
    HouseholdMember,
    LegalRepresentative,
    PersonRecord,
)

__all__ = [
    "DEFAULT_ENTERPRISES",
    "DEFAULT_PEOPLE",
    "DEFAULT_SEED",
    "DEMO_CITIZEN_ID",
    "DEMO_ENTERPRISE_BRANCH_CODE",
    "DEMO_ENTERPRISE_CODE",
    "DEMO_HOUSEHOLD_HEAD_ID",
    "DEMO_HOUSEHOLD_IDS",
    "REFERENCE_DATE",
    "ReferenceRegistry",
    "generate_registry",
]

DEFAULT_SEED = 20250701
DEFAULT_PEOPLE = 10_000
DEFAULT_ENTERPRISES = 2_000
#: Ages are computed against this fixed date, not today, so the registry stays reproducible.
REFERENCE_DATE = date(2026, 1, 1)
#: Births registered after the merger carry the new provinces' codes.
MERGER_DATE = date(2025, 7, 1)

#: The demo citizen (the example ID of DOMAIN.md): Nguyễn Văn An, male, born 2003,
#: son of the head of a five-person household in Hà Nội, so that a residence form
#: shows a head of household other than the declarant.
DEMO_CITIZEN_ID = "001203012345"
#: The head of the demo household (the demo citizen's father).
DEMO_HOUSEHOLD_HEAD_ID = "001075008642"
#: The whole demo household, head first: (ID, name, date of birth, sex, relation to head).
DEMO_HOUSEHOLD: tuple[tuple[str, str, date, Sex, str], ...] = (
    (DEMO_HOUSEHOLD_HEAD_ID, "Nguyễn Văn Hùng", date(1975, 4, 12), Sex.MALE, "Chủ hộ"),
    ("001178013579", "Trần Thị Lan", date(1978, 9, 5), Sex.FEMALE, "Vợ"),
    (DEMO_CITIZEN_ID, "Nguyễn Văn An", date(2003, 3, 15), Sex.MALE, "Con"),
    ("001308024680", "Nguyễn Ngọc Anh", date(2008, 2, 3), Sex.FEMALE, "Con"),
    ("034150013579", "Lê Thị Hoa", date(1950, 11, 30), Sex.FEMALE, "Mẹ"),
)
DEMO_HOUSEHOLD_IDS: tuple[str, ...] = tuple(m[0] for m in DEMO_HOUSEHOLD)
#: The demo enterprise; its legal representative is the head of the demo household.
DEMO_ENTERPRISE_CODE = "0109990001"
DEMO_ENTERPRISE_BRANCH_CODE = "0109990001-001"
_DEMO_COMMUNE = 70  # Phường Hoàn Kiếm, Thành phố Hà Nội


@dataclass
class ReferenceRegistry:
    """People by personal ID and enterprises by code, in generation order."""

    seed: int
    people: dict[str, PersonRecord] = field(default_factory=dict)
    enterprises: dict[str, EnterpriseRecord] = field(default_factory=dict)

    def digest(self) -> str:
        """SHA-256 over the canonical JSON of every record (determinism checks)."""
        sha = hashlib.sha256()
        records: list[PersonRecord | EnterpriseRecord] = [
            *self.people.values(),
            *self.enterprises.values(),
        ]
        for record in records:
            sha.update(json.dumps(record.to_dict(), sort_keys=True, ensure_ascii=False).encode())
        return sha.hexdigest()


def generate_registry(
    *,
    seed: int = DEFAULT_SEED,
    people: int = DEFAULT_PEOPLE,
    enterprises: int = DEFAULT_ENTERPRISES,
) -> ReferenceRegistry:
    """Generate a registry with at least ``people`` people and ``enterprises`` enterprises.

    Households are generated whole, so the people count may exceed ``people``
    by a few; about one enterprise in ten also gets one or two branches
    (on top of ``enterprises``). Takes about 0.3 s for the default sizes.
    """
    return _Generator(seed).run(people, enterprises)


@dataclass(frozen=True)
class _Commune:
    code: str
    name: str
    rural: bool


@dataclass(frozen=True)
class _Province:
    code: str
    name: str
    birth_code: str
    communes: tuple[_Commune, ...]


def _provinces() -> tuple[_Province, ...]:
    by_province: dict[int, list[_Commune]] = {}
    for ward in Ward.iter_all():
        rural = ward.division_type is not VietNamDivisionType.PHUONG
        commune = _Commune(f"{int(ward.code):05d}", ward.name, rural)
        by_province.setdefault(int(ward.province_code), []).append(commune)
    return tuple(
        _Province(
            f"{int(p.code):02d}", p.name, f"{int(p.code):03d}", tuple(by_province[int(p.code)])
        )
        for p in sorted(Province.iter_all(), key=lambda p: int(p.code))
    )


@dataclass(frozen=True)
class _Member:
    personal_id: str
    full_name: str
    date_of_birth: date
    sex: Sex
    relation: str
    place_of_birth: str


class _Generator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.provinces = _provinces()
        self.province_weights = [3 if p.code in ("01", "79") else 1 for p in self.provinces]
        self.used_ids: set[str] = set(DEMO_HOUSEHOLD_IDS)
        self.registry = ReferenceRegistry(seed=seed)
        families, weights = zip(*vocab.FAMILY_NAMES, strict=True)
        self.families, self.family_weights = families, weights
        # Kinh about 85 %, the other 53 groups share the rest, larger first.
        self.ethnic_weights = [850.0] + [150.0 / (i + 1) / 4.5 for i in range(53)]

    def run(self, people: int, enterprises: int) -> ReferenceRegistry:
        self._add_demo_household()
        while len(self.registry.people) < people:
            self._add_household()
        self._add_demo_enterprise()
        adults = [p for p in self.registry.people.values() if _age(p.date_of_birth) >= 18]
        while sum(1 for e in self.registry.enterprises.values() if not e.parent_code) < enterprises:
            self._add_enterprise(adults)
        return self.registry

    # -- people ---------------------------------------------------------

    def _name(self, sex: Sex, family: str | None = None) -> str:
        family = family or self.rng.choices(self.families, self.family_weights)[0]
        middle: tuple[str, ...]
        given: tuple[str, ...]
        if sex is Sex.MALE:
            middle, given = vocab.MIDDLE_NAMES_MALE, vocab.GIVEN_NAMES_MALE
        else:
            middle, given = vocab.MIDDLE_NAMES_FEMALE, vocab.GIVEN_NAMES_FEMALE
        return f"{family} {self.rng.choice(middle)} {self.rng.choice(given)}"

    def _dob(self, year: int) -> date:
        start = date(year, 1, 1)
        last = min(date(year, 12, 31), REFERENCE_DATE - timedelta(days=1))
        return start + timedelta(days=self.rng.randint(0, (last - start).days))

    def _birth_place(self, home: _Province, born: date) -> tuple[str, str]:
        """(3-digit birth-province code, place of birth) for someone living in ``home``."""
        if born >= MERGER_DATE:
            return home.birth_code, home.name
        if self.rng.random() < 0.7:
            return home.birth_code, BIRTH_PROVINCE_CODES[home.birth_code]
        code = self.rng.choice(tuple(BIRTH_PROVINCE_CODES))
        return code, BIRTH_PROVINCE_CODES[code]

    def _new_id(self, birth_code: str, sex: Sex, born: date) -> str:
        prefix = f"{birth_code}{sex_century_digit(sex, born.year)}{born.year % 100:02d}"
        while True:
            candidate = f"{prefix}{self.rng.randint(0, 999_999):06d}"
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def _member(self, home: _Province, sex: Sex, year: int, relation: str, family: str | None):
        born = self._dob(year)
        code, place = self._birth_place(home, born)
        pid = self._new_id(code, sex, born)
        return _Member(pid, self._name(sex, family), born, sex, relation, place)

    def _address(self, province: _Province) -> Address:
        commune = self.rng.choice(province.communes)
        if commune.rural:
            street = f"Thôn {self.rng.choice(vocab.HAMLET_NAMES)}"
            if self.rng.random() < 0.3:
                street = f"Số {self.rng.randint(1, 200)}, {street}"
        else:
            street = f"Số {self.rng.randint(1, 300)} đường {self.rng.choice(vocab.STREET_NAMES)}"
            if self.rng.random() < 0.4:
                street = f"Số {self.rng.randint(1, 80)}, ngõ {self.rng.randint(1, 400)} " + (
                    f"đường {self.rng.choice(vocab.STREET_NAMES)}"
                )
        return Address(street, commune.code, commune.name, province.code, province.name)

    def _add_household(self) -> None:
        rng = self.rng
        home = rng.choices(self.provinces, self.province_weights)[0]
        head_sex = Sex.MALE if rng.random() < 0.75 else Sex.FEMALE
        head_year = REFERENCE_DATE.year - rng.randint(22, 80)
        head = self._member(home, head_sex, head_year, "Chủ hộ", None)
        members = [head]
        kind = rng.random()
        if kind >= 0.1:  # not a single-person household
            spouse_sex = Sex.FEMALE if head_sex is Sex.MALE else Sex.MALE
            relation = "Vợ" if spouse_sex is Sex.FEMALE else "Chồng"
            spouse_year = head_year + rng.randint(-3, 5) * (1 if head_sex is Sex.MALE else -1)
            spouse_year = min(spouse_year, REFERENCE_DATE.year - 19)
            members.append(self._member(home, spouse_sex, spouse_year, relation, None))
        if kind >= 0.3:  # children
            father = next(m for m in members if m.sex is Sex.MALE)
            father_family = father.full_name.split(" ", 1)[0]
            youngest_parent = max(m.date_of_birth.year for m in members)
            for _ in range(rng.randint(1, 3)):
                year = youngest_parent + rng.randint(20, 38)
                if year >= REFERENCE_DATE.year:
                    continue
                sex = Sex.MALE if rng.random() < 0.51 else Sex.FEMALE
                members.append(self._member(home, sex, year, "Con", father_family))
        if kind >= 0.8:  # a parent of the head lives with them
            sex = Sex.MALE if rng.random() < 0.35 else Sex.FEMALE
            year = max(head_year - rng.randint(20, 35), 1920)
            members.append(self._member(home, sex, year, "Bố" if sex is Sex.MALE else "Mẹ", None))
        permanent = self._address(home)
        ethnicity = rng.choices(vocab.ETHNIC_GROUPS, self.ethnic_weights)[0]
        self._store_household(members, permanent, ethnicity, moved=rng.random() < 0.1)

    def _store_household(
        self, members: list[_Member], permanent: Address, ethnicity: str, *, moved: bool
    ) -> None:
        household_id = f"{permanent.commune_code}{len(self.registry.people):07d}"
        listed = tuple(
            HouseholdMember(m.full_name, m.date_of_birth, m.sex, m.personal_id, m.relation)
            for m in members
        )
        current = permanent
        if moved:
            current = self._address(self.rng.choices(self.provinces, self.province_weights)[0])
        head = members[0]
        for m in members:
            household = Household(
                household_id, head.full_name, head.personal_id, m.relation, listed
            )
            self.registry.people[m.personal_id] = PersonRecord(
                personal_id=m.personal_id,
                full_name=m.full_name,
                date_of_birth=m.date_of_birth,
                sex=m.sex,
                ethnicity=ethnicity,
                nationality="Việt Nam",
                place_of_birth=m.place_of_birth,
                permanent_residence=permanent,
                current_residence=current,
                household=household,
            )

    def _add_demo_household(self) -> None:
        ward = Ward.from_code(_DEMO_COMMUNE)  # type: ignore[arg-type]
        hanoi = next(p for p in self.provinces if p.code == "01")
        address = Address("Số 12, ngõ 34 phố Hàng Bông", "00070", ward.name, "01", hanoi.name)
        members = [
            _Member(pid, name, born, sex, relation, BIRTH_PROVINCE_CODES[pid[:3]])
            for pid, name, born, sex, relation in DEMO_HOUSEHOLD
        ]
        self._store_household(members, address, "Kinh", moved=False)

    # -- enterprises ----------------------------------------------------

    def _new_enterprise_code(self) -> str:
        while True:
            code = f"0{self.rng.randint(100_000_000, 999_999_999)}"
            if code not in self.registry.enterprises and code != DEMO_ENTERPRISE_CODE:
                return code

    def _lines(self) -> tuple[BusinessLine, ...]:
        chosen = self.rng.sample(vocab.BUSINESS_LINES, self.rng.randint(1, 5))
        return tuple(BusinessLine(c, n, main=i == 0) for i, (c, n) in enumerate(chosen))

    def _add_enterprise(self, adults: list[PersonRecord]) -> None:
        rng = self.rng
        form, title = rng.choice(vocab.ENTERPRISE_FORMS)
        brand, sector = rng.choice(vocab.ENTERPRISE_BRANDS), rng.choice(vocab.ENTERPRISE_SECTORS)
        rep = rng.choice(adults)
        status = rng.choices(list(EnterpriseStatus), [88, 6, 2, 4])[0]
        record = EnterpriseRecord(
            enterprise_code=self._new_enterprise_code(),
            name=(f"{form} {sector} {brand}" if rng.random() < 0.6 else f"{form} {brand}").upper(),
            address=self._address(rng.choices(self.provinces, self.province_weights)[0]),
            legal_representative=LegalRepresentative(rep.full_name, rep.personal_id, title),
            business_lines=self._lines(),
            status=status,
            registered_on=date(1995, 1, 1) + timedelta(days=rng.randint(0, 11_000)),
        )
        self.registry.enterprises[record.enterprise_code] = record
        if rng.random() < 0.1:
            for n in range(1, rng.randint(1, 2) + 1):
                self._add_branch(record, n)

    def _add_branch(self, parent: EnterpriseRecord, number: int) -> None:
        address = self._address(self.rng.choices(self.provinces, self.province_weights)[0])
        branch = EnterpriseRecord(
            enterprise_code=f"{parent.enterprise_code}-{number:03d}",
            name=f"CHI NHÁNH {address.province_name.upper()} - {parent.name}",
            address=address,
            legal_representative=parent.legal_representative,
            business_lines=parent.business_lines,
            status=parent.status,
            registered_on=parent.registered_on + timedelta(days=self.rng.randint(30, 2000)),
            parent_code=parent.enterprise_code,
        )
        self.registry.enterprises[branch.enterprise_code] = branch

    def _add_demo_enterprise(self) -> None:
        head = self.registry.people[DEMO_HOUSEHOLD_HEAD_ID]
        lines = (
            BusinessLine("4101", "Xây dựng nhà để ở", main=True),
            BusinessLine("7110", "Hoạt động kiến trúc và tư vấn kỹ thuật có liên quan"),
        )
        rep = LegalRepresentative(head.full_name, head.personal_id, "Giám đốc")
        parent = EnterpriseRecord(
            DEMO_ENTERPRISE_CODE,
            "CÔNG TY TNHH XÂY DỰNG AN KHANG DEMO",
            head.permanent_residence,
            rep,
            lines,
            EnterpriseStatus.ACTIVE,
            date(2016, 5, 20),
        )
        self.registry.enterprises[parent.enterprise_code] = parent
        ward = next(c for p in self.provinces if p.code == "79" for c in p.communes)
        hcm = next(p for p in self.provinces if p.code == "79")
        branch = EnterpriseRecord(
            DEMO_ENTERPRISE_BRANCH_CODE,
            "CHI NHÁNH THÀNH PHỐ HỒ CHÍ MINH - CÔNG TY TNHH XÂY DỰNG AN KHANG DEMO",
            Address("Số 5 đường Lê Lợi", ward.code, ward.name, hcm.code, hcm.name),
            rep,
            lines,
            EnterpriseStatus.ACTIVE,
            date(2020, 8, 1),
            parent_code=DEMO_ENTERPRISE_CODE,
        )
        self.registry.enterprises[branch.enterprise_code] = branch


def _age(born: date) -> int:
    years = REFERENCE_DATE.year - born.year
    return years - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (born.month, born.day))
