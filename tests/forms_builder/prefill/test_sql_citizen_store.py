"""The citizen data store over real SQLite and PostgreSQL databases migrated with Alembic."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from forms_builder.identifiers import InvalidIdentifierError
from forms_builder.prefill import (
    DEMO_CITIZEN_ID,
    CitizenRecordConflictError,
    LookupStatus,
    PrefillError,
    SqlCitizenDataStore,
)
from storage.db import Database

ISSUED = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


@pytest.fixture
def store(database):
    """The store on SQLite and on a real PostgreSQL server (integration)."""
    return SqlCitizenDataStore(database)


def _put(store, **overrides):
    values = {
        "personal_id": DEMO_CITIZEN_ID,
        "name": "residence_confirmation",
        "data": {"address": "Số 12, ngõ 34 phố Hàng Bông", "members": 5},
        "dossier_code": "000.00.00.H56-260301-0001",
        "issued_at": ISSUED,
    }
    values.update(overrides)
    return store.put_record(**values)


def test_an_empty_store_is_an_answer(store):
    result = store.lookup(DEMO_CITIZEN_ID)
    assert result.status is LookupStatus.FOUND
    assert result.record.records == () and result.record.to_dict() == {}


def test_records_are_kept_with_provenance(store):
    _put(store)
    (record,) = store.lookup(DEMO_CITIZEN_ID).record.records
    assert record.dossier_code == "000.00.00.H56-260301-0001"
    assert record.issued_at == ISSUED
    assert record.data["members"] == 5
    assert store.lookup("001190054321").record.records == ()  # per person


def test_storing_the_same_result_twice_is_idempotent(store):
    first = _put(store)
    again = _put(store, data={"members": 5, "address": "Số 12, ngõ 34 phố Hàng Bông"})
    assert first == again
    assert len(store.lookup(DEMO_CITIZEN_ID).record.records) == 1


def test_other_content_for_the_same_dossier_is_a_conflict(store):
    _put(store)
    with pytest.raises(CitizenRecordConflictError) as info:
        _put(store, data={"members": 6})
    assert info.value.http_status == 409
    records = store.lookup(DEMO_CITIZEN_ID).record.records
    assert [r.data["members"] for r in records] == [5]  # nothing half-stored


def test_the_newest_record_of_a_name_is_what_bindings_see(store):
    _put(store)
    later = datetime(2026, 6, 1, tzinfo=UTC)
    _put(store, dossier_code="D-2", issued_at=later, data={"members": 4})
    records = store.lookup(DEMO_CITIZEN_ID).record
    assert records.to_dict() == {"residence_confirmation": {"members": 4}}
    assert records.provenance("residence_confirmation.members") == "D-2"


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "Birth Certificate"},
        {"dossier_code": ""},
        {"issued_at": datetime(2026, 3, 1)},
        {"data": {"when": datetime(2026, 3, 1, tzinfo=UTC)}},
        {"data": ["not", "an", "object"]},
    ],
)
def test_invalid_records_are_refused(store, overrides):
    with pytest.raises(PrefillError) as info:
        _put(store, **overrides)
    assert info.value.code == "prefill.citizen_record_invalid"
    assert "citizen data store" in info.value.message_en


def test_malformed_personal_id_is_refused(store):
    with pytest.raises(InvalidIdentifierError):
        _put(store, personal_id="001088")
    with pytest.raises(InvalidIdentifierError):
        store.lookup("001088")


def test_a_database_without_the_table_makes_the_store_unavailable(tmp_path, caplog):
    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        result = SqlCitizenDataStore(db).lookup(DEMO_CITIZEN_ID)
    finally:
        db.dispose()
    assert result.status is LookupStatus.UNAVAILABLE
    assert DEMO_CITIZEN_ID not in caplog.text


def test_concurrent_identical_writes_store_one_record(store):
    barrier = threading.Barrier(4)
    results, errors = [], []

    def write() -> None:
        barrier.wait()
        try:
            results.append(_put(store))
        except Exception as exc:  # collected and shown by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len({(r.dossier_code, r.issued_at) for r in results}) == 1
    assert len(store.lookup(DEMO_CITIZEN_ID).record.records) == 1
