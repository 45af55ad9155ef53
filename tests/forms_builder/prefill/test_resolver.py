"""The resolver: concurrent lookups within a budget, notices, provenance, locked checks."""

from __future__ import annotations

import logging
import time
import unicodedata
from datetime import UTC, datetime

import pytest

from forms_builder.prefill import (
    DEMO_CITIZEN_ID,
    DEMO_ENTERPRISE_CODE,
    DEMO_HOUSEHOLD_HEAD_ID,
    BindingError,
    BundledEnterpriseSource,
    BundledPersonSource,
    FieldBinding,
    HttpEnterpriseSource,
    HttpPersonSource,
    HttpSourceConfig,
    LockedValueChangedError,
    NoticeKind,
    OnUnavailable,
    PrefillResolver,
    SourceFailure,
    SourceUnavailableError,
    check_locked_values,
)

CT01 = (
    FieldBinding("ho_ten", "population", "full_name", locked=True),
    FieldBinding("ngay_sinh", "population", "date_of_birth", locked=True),
    FieldBinding("noi_thuong_tru", "population", "permanent_residence.text"),
    FieldBinding("chu_ho", "population", "household.head_name"),
    FieldBinding("thanh_vien", "population", "household.members"),
    FieldBinding("ten_dn", "enterprise", "name", subject="enterprise"),
)


@pytest.fixture
def resolver(lazy_registry, citizen_store):
    sources = {
        "population": BundledPersonSource(lazy_registry),
        "enterprise": BundledEnterpriseSource(lazy_registry),
        "citizen_store": citizen_store,
    }
    resolver = PrefillResolver(sources, budget_seconds=2.0)
    yield resolver
    resolver.close()


@pytest.fixture
def slow_resolver(lazy_registry, fake_service, citizen_store):
    """Population over HTTP from a service that takes 2 s to answer; budget 0.3 s."""
    fake_service.faults.delay_seconds = 2.0
    config = HttpSourceConfig(fake_service.url, token=fake_service.token, timeout_seconds=5)
    sources = {
        "population": HttpPersonSource(config),
        "enterprise": BundledEnterpriseSource(lazy_registry),
        "citizen_store": citizen_store,
    }
    resolver = PrefillResolver(sources, budget_seconds=0.3)
    yield resolver
    resolver.close()


SUBJECTS = {"applicant": DEMO_CITIZEN_ID, "enterprise": DEMO_ENTERPRISE_CODE}


def test_ct01_fields_are_prefilled_with_their_source(resolver, registry):
    result = resolver.resolve(CT01, SUBJECTS)
    person = registry.people[DEMO_CITIZEN_ID]
    assert result.notices == ()
    assert not result.blocked
    assert result.value("ho_ten") == person.full_name
    assert result.value("ngay_sinh") == "2003-03-15"
    assert result.value("noi_thuong_tru") == person.permanent_residence.text
    assert result.value("chu_ho") == registry.people[DEMO_HOUSEHOLD_HEAD_ID].full_name
    assert result.value("chu_ho") == "Nguyễn Văn Hùng"
    assert len(result.value("thanh_vien")) == len(person.household.members)
    assert result.value("ten_dn") == registry.enterprises[DEMO_ENTERPRISE_CODE].name
    item = result.values["ho_ten"]
    assert (item.source, item.locked) == ("population", True)
    assert not result.values["noi_thuong_tru"].locked
    assert item.fetched_at.tzinfo is not None


def test_a_slow_source_does_not_delay_beyond_the_budget(slow_resolver, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        result = slow_resolver.resolve(CT01, SUBJECTS)
    elapsed = time.monotonic() - started
    assert elapsed < 1.0  # the service needs 2 s; the budget is 0.3 s
    assert result.value("ten_dn")  # the healthy source still filled its field
    (notice,) = result.notices
    assert (notice.source, notice.kind, notice.blocking) == (
        "population",
        NoticeKind.UNAVAILABLE,
        False,
    )
    assert set(notice.fields) == {"ho_ten", "ngay_sinh", "noi_thuong_tru", "chu_ho", "thanh_vien"}
    assert "Bạn có thể tự nhập" in notice.message_vi
    assert "no answer within 0.3s" in caplog.text
    assert DEMO_CITIZEN_ID not in caplog.text


def test_each_source_has_its_own_budget(fake_service, citizen_store):
    fake_service.faults.delays = {"people": 2.0, "enterprises": 0.3}
    config = HttpSourceConfig(fake_service.url, token=fake_service.token, timeout_seconds=5)
    sources = {
        "population": HttpPersonSource(config),
        "enterprise": HttpEnterpriseSource(config),
        "citizen_store": citizen_store,
    }
    resolver = PrefillResolver(sources, budget_seconds=1.5, source_budgets={"population": 0.2})
    try:
        started = time.monotonic()
        result = resolver.resolve(CT01, SUBJECTS)
        elapsed = time.monotonic() - started
    finally:
        resolver.close()
    assert elapsed < 1.2  # waited for the enterprise (0.3 s), not for the population (2 s)
    assert result.value("ten_dn")
    assert [(n.source, n.kind) for n in result.notices] == [("population", NoticeKind.UNAVAILABLE)]


def test_block_policy_blocks_submission_but_the_form_still_opens(slow_resolver):
    bindings = (
        FieldBinding("ho_ten", "population", "full_name", on_unavailable=OnUnavailable.BLOCK),
    )
    result = slow_resolver.resolve(bindings, SUBJECTS)
    assert result.blocked
    assert result.values == {}
    assert "thử lại" in result.notices[0].message_vi


def test_not_found_gives_a_calm_notice(resolver):
    result = resolver.resolve(CT01[:1], {"applicant": "001088999999"})
    (notice,) = result.notices
    assert notice.kind is NoticeKind.NOT_FOUND and not notice.blocking
    assert "Không tìm thấy" in notice.message_vi


def test_a_malformed_subject_id_is_a_notice_not_a_crash(resolver):
    result = resolver.resolve(CT01[:1], {"applicant": "12345"})
    assert result.notices[0].kind is NoticeKind.UNAVAILABLE


def test_every_failed_lookup_is_reported_to_the_observer(fake_service, lazy_registry):
    """Timeouts, refusals and errors each reach ``on_source_failure``; hits and misses do not."""
    heard: list[tuple[str, SourceFailure]] = []
    config = HttpSourceConfig(fake_service.url, token=fake_service.token, retries=0)
    sources = {
        "population": HttpPersonSource(config),
        "enterprise": BundledEnterpriseSource(lazy_registry),
    }
    resolver = PrefillResolver(
        sources, budget_seconds=1.0, on_source_failure=lambda *call: heard.append(call)
    )
    try:
        resolver.resolve(CT01, SUBJECTS)
        resolver.resolve(CT01[:1], {"applicant": "001088999999"})  # not found: no failure
        assert heard == []
        fake_service.faults.fail_first = fake_service.faults.requests + 1  # the next one: 503
        resolver.resolve(CT01[:1], SUBJECTS)
        fake_service.faults.delay_seconds = 3.0
        resolver.resolve(CT01[:1], SUBJECTS)
        resolver.resolve(CT01[-1:], {"enterprise": "12"})  # malformed code: the source raises
    finally:
        resolver.close()
    assert heard == [
        ("population", SourceFailure.UNAVAILABLE),
        ("population", SourceFailure.TIMEOUT),
        ("enterprise", SourceFailure.ERROR),
    ]


def test_bindings_without_a_subject_yet_are_skipped(resolver):
    mother = FieldBinding("me_ho_ten", "population", "full_name", subject="mother")
    result = resolver.resolve((mother,), {"applicant": DEMO_CITIZEN_ID})
    assert result.values == {} and result.notices == ()


def test_a_missing_path_leaves_the_field_empty(resolver):
    binding = FieldBinding("x", "population", "household.members.99.full_name")
    result = resolver.resolve((binding,), SUBJECTS)
    assert result.values == {} and result.notices == ()


def test_unknown_source_is_a_binding_error(resolver):
    with pytest.raises(BindingError) as info:
        resolver.resolve((FieldBinding("x", "land_registry", "owner"),), SUBJECTS)
    assert info.value.details["source"] == "land_registry"


def test_citizen_store_values_carry_their_dossier(resolver, citizen_store):
    citizen_store.put_record(
        personal_id="001215067890",
        name="birth_certificate",
        data={"child_name": "Nguyễn Minh Khang", "place_of_birth": "Bệnh viện Phụ sản Hà Nội"},
        dossier_code="000.00.00.H56-150912-0001",
        issued_at=datetime(2015, 9, 12, 2, 0, tzinfo=UTC),
    )
    binding = FieldBinding("noi_sinh", "citizen_store", "birth_certificate.place_of_birth")
    result = resolver.resolve((binding,), {"applicant": "001215067890"})
    item = result.values["noi_sinh"]
    assert item.value == "Bệnh viện Phụ sản Hà Nội"
    assert (item.source, item.provenance) == ("citizen_store", "000.00.00.H56-150912-0001")


def test_locked_values_unchanged_pass_even_in_decomposed_unicode(resolver, registry):
    person = registry.people[DEMO_CITIZEN_ID]
    submitted = {
        "ho_ten": unicodedata.normalize("NFD", person.full_name),
        "ngay_sinh": person.date_of_birth,  # a date object compares with its ISO text
        "noi_thuong_tru": "edited: not locked, not checked",
    }
    check = check_locked_values(resolver, CT01, SUBJECTS, submitted)
    assert check.ok and check.changed == () and check.unverified == ()
    check.raise_if_refused()


def test_a_tampered_locked_value_is_refused(resolver):
    submitted = {"ho_ten": "Nguyễn Văn Bình", "ngay_sinh": "2003-03-15"}
    check = check_locked_values(resolver, CT01, SUBJECTS, submitted)
    assert not check.ok
    (change,) = check.changed
    assert (change.field, change.submitted, change.current) == (
        "ho_ten",
        "Nguyễn Văn Bình",
        "Nguyễn Văn An",
    )
    with pytest.raises(LockedValueChangedError) as info:
        check.raise_if_refused()
    assert info.value.http_status == 409 and info.value.details["fields"] == ["ho_ten"]


def test_a_source_change_after_opening_is_detected(resolver, citizen_store):
    binding = FieldBinding("noi_sinh", "citizen_store", "birth_certificate.place", locked=True)
    subjects = {"applicant": "001319024680"}

    def keep(place: str, dossier: str, day: int) -> None:
        citizen_store.put_record(
            personal_id="001319024680",
            name="birth_certificate",
            data={"place": place},
            dossier_code=dossier,
            issued_at=datetime(2019, 2, day, tzinfo=UTC),
        )

    keep("Hà Nội", "D-1", 5)
    opened = resolver.resolve((binding,), subjects)
    assert check_locked_values(resolver, (binding,), subjects, {"noi_sinh": "Hà Nội"}).ok
    keep("Thành phố Hà Nội", "D-2", 20)  # a correction issued later
    check = check_locked_values(
        resolver, (binding,), subjects, {"noi_sinh": opened.value("noi_sinh")}
    )
    assert [c.current for c in check.changed] == ["Thành phố Hà Nội"]


def test_unverifiable_locked_values_follow_their_policy(slow_resolver):
    manual = FieldBinding("ho_ten", "population", "full_name", locked=True)
    check = check_locked_values(
        slow_resolver, (manual,), SUBJECTS, {"ho_ten": "typed"}, budget_seconds=0.2
    )
    assert check.ok and check.unverified == (manual,)
    block = FieldBinding(
        "ho_ten", "population", "full_name", locked=True, on_unavailable=OnUnavailable.BLOCK
    )
    check = check_locked_values(
        slow_resolver, (block,), SUBJECTS, {"ho_ten": "typed"}, budget_seconds=0.2
    )
    assert not check.ok
    with pytest.raises(SourceUnavailableError):
        check.raise_if_refused()


@pytest.mark.parametrize(
    "data",
    [
        {"source": "population"},
        {"source": "population", "path": "full_name", "lockd": True},
        {"source": "population", "path": "full_name", "on_unavailable": "wait"},
        {"source": "population", "path": "full name"},
    ],
)
def test_malformed_bindings_are_refused(data):
    with pytest.raises(BindingError):
        FieldBinding.from_dict("ho_ten", data)


def test_binding_from_definition_json():
    binding = FieldBinding.from_dict(
        "ho_ten",
        {"source": "population", "path": "full_name", "locked": True, "on_unavailable": "block"},
    )
    assert binding == FieldBinding(
        "ho_ten", "population", "full_name", locked=True, on_unavailable=OnUnavailable.BLOCK
    )
