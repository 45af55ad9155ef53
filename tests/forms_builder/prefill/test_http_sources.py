"""HTTP adapters against a fake data-sharing service started on loopback."""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests

from forms_builder.identifiers import InvalidIdentifierError
from forms_builder.prefill import (
    DEMO_CITIZEN_ID,
    DEMO_ENTERPRISE_BRANCH_CODE,
    HttpEnterpriseSource,
    HttpPersonSource,
    HttpSourceConfig,
    LookupStatus,
)

TOKEN = "test-token-for-loopback"  # the fake service's token (conftest)

pytestmark = pytest.mark.integration


def _config(url: str, **overrides) -> HttpSourceConfig:
    options = {"token": TOKEN, "timeout_seconds": 2.0, "retries": 2, "backoff_seconds": 0.01}
    options.update(overrides)
    return HttpSourceConfig(base_url=url, **options)


def test_found_person_equals_the_registry_record(fake_service, registry):
    result = HttpPersonSource(_config(fake_service.url)).lookup(DEMO_CITIZEN_ID)
    assert result.status is LookupStatus.FOUND
    assert result.source == "population"
    assert result.record == registry.people[DEMO_CITIZEN_ID]
    assert result.fetched_at.tzinfo is not None
    assert fake_service.faults.auth_headers == [f"Bearer {TOKEN}"]


def test_found_enterprise_branch(fake_service, registry):
    result = HttpEnterpriseSource(_config(fake_service.url)).lookup(DEMO_ENTERPRISE_BRANCH_CODE)
    assert result.found
    assert result.record == registry.enterprises[DEMO_ENTERPRISE_BRANCH_CODE]


def test_404_is_not_found_and_not_retried(fake_service):
    result = HttpPersonSource(_config(fake_service.url)).lookup("001088999999")
    assert result.status is LookupStatus.NOT_FOUND
    assert result.available
    assert fake_service.faults.requests == 1


def test_5xx_is_retried_then_unavailable(fake_service, caplog):
    fake_service.faults.fail_first = 100
    with caplog.at_level(logging.WARNING):
        result = HttpPersonSource(_config(fake_service.url, retries=2)).lookup(DEMO_CITIZEN_ID)
    assert result.status is LookupStatus.UNAVAILABLE
    assert result.reason == "HTTP 503"
    assert fake_service.faults.requests == 3
    assert DEMO_CITIZEN_ID not in caplog.text  # IDs are masked in logs
    assert "001*******45" in caplog.text


def test_a_transient_5xx_recovers_on_retry(fake_service):
    fake_service.faults.fail_first = 1
    fake_service.faults.status = 502
    result = HttpPersonSource(_config(fake_service.url)).lookup(DEMO_CITIZEN_ID)
    assert result.found
    assert fake_service.faults.requests == 2


def test_slow_service_times_out_after_retries(fake_service):
    fake_service.faults.delay_seconds = 1.0
    config = _config(fake_service.url, timeout_seconds=0.2, retries=1)
    started = time.monotonic()
    result = HttpPersonSource(config).lookup(DEMO_CITIZEN_ID)
    elapsed = time.monotonic() - started
    assert result.status is LookupStatus.UNAVAILABLE
    assert result.reason.startswith("timeout")
    assert elapsed < 1.0  # two attempts of 0.2 s, not the service's 1 s each


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "response is not JSON"),
        (b"[]", "malformed record at person"),
        (json.dumps({"personal_id": DEMO_CITIZEN_ID}).encode(), "malformed record at person."),
    ],
)
def test_malformed_answers_are_unavailable_without_retry(fake_service, body, reason):
    fake_service.faults.body = body
    result = HttpPersonSource(_config(fake_service.url)).lookup(DEMO_CITIZEN_ID)
    assert result.status is LookupStatus.UNAVAILABLE
    assert result.reason.startswith(reason)
    assert fake_service.faults.requests == 1


def test_a_record_about_someone_else_is_refused(fake_service, registry):
    other = next(p for p in registry.people.values() if p.personal_id != DEMO_CITIZEN_ID)
    fake_service.faults.body = json.dumps(other.to_dict()).encode()
    result = HttpPersonSource(_config(fake_service.url)).lookup(DEMO_CITIZEN_ID)
    assert result.status is LookupStatus.UNAVAILABLE
    assert result.reason == "the record is about another subject"


def test_wrong_token_is_unavailable_without_retry(fake_service):
    result = HttpPersonSource(_config(fake_service.url, token="wrong")).lookup(DEMO_CITIZEN_ID)
    assert result.status is LookupStatus.UNAVAILABLE
    assert result.reason == "HTTP 401"
    assert fake_service.faults.requests == 1


def test_basic_auth(basic_auth_service):
    config = _config(basic_auth_service, token="", username="registry", password="s3cret")
    assert HttpPersonSource(config).lookup(DEMO_CITIZEN_ID).found
    wrong = _config(basic_auth_service, token="", username="registry", password="nope")
    assert HttpPersonSource(wrong).lookup(DEMO_CITIZEN_ID).reason == "HTTP 401"


def test_nothing_listening_is_unavailable():
    config = _config("http://127.0.0.1:9", retries=1, timeout_seconds=0.5)
    result = HttpPersonSource(config).lookup(DEMO_CITIZEN_ID)
    assert result.status is LookupStatus.UNAVAILABLE
    assert result.reason.startswith("connection failed")


def test_malformed_identifier_is_refused_before_any_request(fake_service):
    with pytest.raises(InvalidIdentifierError):
        HttpPersonSource(_config(fake_service.url)).lookup("12345")
    assert fake_service.faults.requests == 0


def test_config_refuses_non_http_urls():
    with pytest.raises(ValueError):
        HttpSourceConfig(base_url="ftp://registry")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/people/12345", 400),
        ("GET", "/enterprises/0109990001-000", 400),
        ("GET", "/vehicles/0109990001", 404),
        ("GET", "/people", 404),
        ("POST", f"/people/{DEMO_CITIZEN_ID}", 405),
    ],
)
def test_the_reference_service_answers_bad_requests_clearly(fake_service, method, path, status):
    response = requests.request(
        method,
        fake_service.url + path,
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert response.status_code == status
    assert "error" in response.json()
