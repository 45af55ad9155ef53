"""The bundled reference registry: every value format-valid, deterministic, demo IDs present."""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date

from vietnam_provinces import Province, Ward

from forms_builder.identifiers import (
    BIRTH_PROVINCE_CODES,
    parse_enterprise_code,
    parse_personal_id,
    sex_century_digit,
)
from forms_builder.prefill import (
    DEMO_CITIZEN_ID,
    DEMO_ENTERPRISE_BRANCH_CODE,
    DEMO_ENTERPRISE_CODE,
    DEMO_HOUSEHOLD_HEAD_ID,
    DEMO_HOUSEHOLD_IDS,
    EnterpriseRecord,
    LazyRegistry,
    PersonRecord,
    generate_registry,
)
from forms_builder.prefill.reference_registry import MERGER_DATE, REFERENCE_DATE
from forms_builder.prefill.registry_vocabulary import ETHNIC_GROUPS

PROVINCES = {f"{int(p.code):02d}": p.name for p in Province.iter_all()}
COMMUNES = {f"{int(w.code):05d}": (w.name, f"{int(w.province_code):02d}") for w in Ward.iter_all()}


def test_sizes(registry):
    assert len(registry.people) >= 10_000
    assert sum(1 for e in registry.enterprises.values() if e.parent_code is None) >= 2_000
    assert any(e.parent_code for e in registry.enterprises.values())


def test_54_ethnic_groups():
    assert len(ETHNIC_GROUPS) == 54 == len(set(ETHNIC_GROUPS))


def _check_address(address):
    assert address.province_code in PROVINCES
    assert address.province_name == PROVINCES[address.province_code]
    name, province = COMMUNES[address.commune_code]
    assert (address.commune_name, province) == (name, address.province_code)
    assert address.street


def _check_id_matches(personal_id: str, sex, born: date):
    parsed = parse_personal_id(personal_id, today=REFERENCE_DATE)
    assert parsed.birth_province_code in BIRTH_PROVINCE_CODES
    assert personal_id[3] == sex_century_digit(sex, born.year)
    assert parsed.birth_year == born.year and parsed.sex is sex


def test_every_person_is_format_valid_and_consistent(registry):
    for pid, person in registry.people.items():
        assert pid == person.personal_id
        _check_id_matches(pid, person.sex, person.date_of_birth)
        assert person.date_of_birth < REFERENCE_DATE
        if person.date_of_birth < MERGER_DATE:
            assert person.place_of_birth == BIRTH_PROVINCE_CODES[pid[:3]]
        else:  # registered after the merger: one of the 34 provinces, by its code
            assert person.place_of_birth == PROVINCES[pid[1:3]]
        assert person.ethnicity in ETHNIC_GROUPS
        assert person.nationality == "Việt Nam"
        assert unicodedata.is_normalized("NFC", person.full_name)
        assert len(person.full_name.split()) >= 3
        _check_address(person.permanent_residence)
        _check_address(person.current_residence)


def test_ids_are_unique_and_sequences_spread(registry):
    ids = list(registry.people)
    assert len(ids) == len(set(ids))
    provinces = Counter(pid[:3] for pid in ids)
    assert len(provinces) > 40  # people were born all over the country


def test_households_are_consistent(registry):
    for person in registry.people.values():
        household = person.household
        assert household is not None
        members = {m.personal_id: m for m in household.members}
        assert person.personal_id in members
        assert household.members[0].personal_id == household.head_id
        assert household.members[0].relation_to_head == "Chủ hộ"
        assert members[person.personal_id].relation_to_head == household.relation_to_head
        for member in household.members:
            other = registry.people[member.personal_id]
            assert (other.full_name, other.date_of_birth, other.sex) == (
                member.full_name,
                member.date_of_birth,
                member.sex,
            )
            assert other.permanent_residence == person.permanent_residence
        head = registry.people[household.head_id]
        for member in household.members:
            if member.relation_to_head == "Con":
                assert member.date_of_birth.year - head.date_of_birth.year >= 14


def test_households_have_several_members_on_average(registry):
    sizes = Counter(len(p.household.members) for p in registry.people.values())
    assert sizes[1] < sum(sizes.values()) / 4
    assert max(sizes) >= 5


def test_every_enterprise_is_format_valid(registry):
    for code, enterprise in registry.enterprises.items():
        parsed = parse_enterprise_code(code)
        assert code == enterprise.enterprise_code
        if enterprise.parent_code:
            assert parsed.branch is not None and parsed.base == enterprise.parent_code
            assert enterprise.parent_code in registry.enterprises
        else:
            assert parsed.branch is None
        rep = enterprise.legal_representative
        person = registry.people[rep.personal_id]
        assert person.full_name == rep.full_name
        assert (REFERENCE_DATE - person.date_of_birth).days >= 18 * 365
        assert enterprise.business_lines and enterprise.business_lines[0].main
        assert sum(line.main for line in enterprise.business_lines) == 1
        _check_address(enterprise.address)


def test_demo_citizen_lives_in_a_household_of_several(registry):
    citizen = registry.people[DEMO_CITIZEN_ID]
    assert citizen.full_name == "Nguyễn Văn An"
    assert citizen.household.relation_to_head == "Con"
    assert citizen.household.head_id == DEMO_HOUSEHOLD_HEAD_ID
    assert tuple(m.personal_id for m in citizen.household.members) == DEMO_HOUSEHOLD_IDS
    assert len(DEMO_HOUSEHOLD_IDS) >= 4
    assert registry.enterprises[DEMO_ENTERPRISE_CODE].legal_representative.personal_id == (
        DEMO_HOUSEHOLD_HEAD_ID
    )
    assert registry.enterprises[DEMO_ENTERPRISE_BRANCH_CODE].parent_code == DEMO_ENTERPRISE_CODE


def test_same_seed_same_registry_other_seed_other_registry(registry):
    assert generate_registry(seed=registry.seed).digest() == registry.digest()
    small = generate_registry(seed=7, people=500, enterprises=50)
    assert generate_registry(seed=7, people=500, enterprises=50).digest() == small.digest()
    other = generate_registry(seed=8, people=500, enterprises=50)
    assert other.digest() != small.digest()
    assert DEMO_CITIZEN_ID in other.people  # fixed whatever the seed
    assert set(other.people) & set(small.people) == set(DEMO_HOUSEHOLD_IDS)


def test_records_round_trip_through_json(registry):
    for record in list(registry.people.values())[:200]:
        assert PersonRecord.from_dict(record.to_dict()) == record
    for record in list(registry.enterprises.values())[:200]:
        assert EnterpriseRecord.from_dict(record.to_dict()) == record


def test_the_registry_is_generated_once_per_process_and_can_be_warmed_up() -> None:
    small = {"seed": 7, "people": 50, "enterprises": 5}
    thread = LazyRegistry(**small).warm_up()
    thread.join(30)
    assert not thread.is_alive()
    assert LazyRegistry(**small).get() is LazyRegistry(**small).get()
    assert LazyRegistry(**small).get() is not LazyRegistry(seed=8, people=50, enterprises=5).get()
