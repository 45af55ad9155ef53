"""``eforms prefill``: person, enterprise, demo IDs, bilingual errors for malformed IDs."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from forms_builder.prefill import DEMO_CITIZEN_ID, DEMO_ENTERPRISE_CODE, DEMO_HOUSEHOLD_HEAD_ID
from portal import create_app
from portal.cli import cli
from portal.services import services
from portal.settings import Settings
from storage.audit import AuditFilter, search_events, verify_chain


@pytest.fixture
def app(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))
    services(app).db.upgrade()
    yield app
    services(app).prefill.close()
    services(app).db.dispose()


def _run(app, *args):
    return CliRunner().invoke(cli, ["prefill", *args], obj=app)


def test_person_prints_the_record_and_household(app):
    result = _run(app, "person", DEMO_CITIZEN_ID)
    assert result.exit_code == 0, result.output
    assert "Nguyễn Văn An" in result.output
    assert "Hộ gia đình / Household" in result.output
    assert "Trần Thị Lan" in result.output  # a household member
    assert "Nguyễn Văn Hùng" in result.output  # the head
    assert "[citizen_store]" in result.output


def test_lookups_are_audited(app):
    _run(app, "person", DEMO_CITIZEN_ID)
    _run(app, "enterprise", DEMO_ENTERPRISE_CODE)
    _run(app, "person", "001088999999")
    with services(app).db.unit_of_work() as session:
        rows, total = search_events(session, AuditFilter(action="prefill.lookup"))
        assert total == 3
        newest = rows[0]
        assert (newest.object_type, newest.object_id, newest.outcome) == (
            "person",
            "001088999999",
            "failure",
        )
        assert newest.details["sources"] == {"population": "not_found", "citizen_store": "found"}
        assert newest.actor.startswith("cli:")
        assert verify_chain(session).ok


def test_nothing_is_shown_without_an_audit_trail(tmp_path):
    app = create_app(Settings(data_dir=tmp_path))  # no migrations: no audit table
    try:
        result = _run(app, "person", DEMO_CITIZEN_ID)
    finally:
        services(app).prefill.close()
    assert result.exit_code == 1
    assert "Nguyễn Văn An" not in result.output
    assert "eforms db upgrade" in result.output


def test_person_json(app):
    result = _run(app, "person", DEMO_CITIZEN_ID, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["population"]["status"] == "found"
    assert data["population"]["record"]["personal_id"] == DEMO_CITIZEN_ID
    assert len(data["population"]["record"]["household"]["members"]) == 5
    assert data["citizen_store"] == {**data["citizen_store"], "status": "found", "record": []}


def test_enterprise(app):
    result = _run(app, "enterprise", DEMO_ENTERPRISE_CODE, "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)["enterprise"]["record"]
    assert record["legal_representative"]["personal_id"] == DEMO_HOUSEHOLD_HEAD_ID
    readable = _run(app, "enterprise", DEMO_ENTERPRISE_CODE)
    assert "Đang hoạt động" in readable.output


def test_not_found_exits_1(app):
    result = _run(app, "person", "001088999999")
    assert result.exit_code == 1
    assert "not found" in result.output


@pytest.mark.parametrize(
    ("args", "vi", "en"),
    [
        (("person", "12345"), "phải gồm đúng 12 chữ số", "must be exactly 12 digits"),
        (("person", "003088012345"), "mã tỉnh", "birth-province code 003"),
        (("enterprise", "0101234567-1"), "Mã số doanh nghiệp", "Enterprise code"),
    ],
)
def test_malformed_identifiers_are_usage_errors_in_both_languages(app, args, vi, en):
    result = _run(app, *args)
    assert result.exit_code == 2
    assert vi in result.output and en in result.output


def test_demo_ids(app):
    result = _run(app, "demo-ids")
    assert DEMO_CITIZEN_ID in result.output and DEMO_ENTERPRISE_CODE in result.output


@pytest.mark.integration
def test_the_http_path_and_an_unavailable_source(tmp_path, fake_service):
    settings = Settings(
        data_dir=tmp_path,
        prefill_population_url=fake_service.url,
        prefill_token=fake_service.token,
        prefill_retries=1,
        prefill_backoff_ms=1,
    )
    app = create_app(settings)
    services(app).db.upgrade()
    try:
        assert _run(app, "person", DEMO_CITIZEN_ID).exit_code == 0
        assert fake_service.faults.requests == 1
        fake_service.faults.fail_first = 100
        result = _run(app, "person", DEMO_CITIZEN_ID)
        assert result.exit_code == 3
        assert "HTTP 503" in result.output
    finally:
        services(app).prefill.close()


def test_settings_refuse_a_non_http_prefill_url(tmp_path):
    from portal.settings import SettingsError

    with pytest.raises(SettingsError) as info:
        Settings.from_env({"EFORMS_PREFILL_POPULATION_URL": "registry.local"})
    assert info.value.details["variable"] == "EFORMS_PREFILL_POPULATION_URL"
    with pytest.raises(SettingsError):
        Settings.from_env({"EFORMS_PREFILL_BUDGET_MS": "0"})
    parsed = Settings.from_env({"EFORMS_PREFILL_TIMEOUT_MS": "1500"})
    assert parsed.prefill_timeout_ms == 1500
