"""The hash-chained audit trail detects edits, deletions and insertions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import delete, text, update

from storage.audit import (
    AuditEntry,
    AuditFilter,
    Outcome,
    record_event,
    search_events,
    verify_chain,
)
from storage.db import Database
from storage.schema import AuditEventRow


def _db_with_events(url: str, n: int = 5) -> Database:
    db = Database(url)
    db.upgrade()
    for i in range(n):
        with db.unit_of_work() as session:
            record_event(
                session,
                AuditEntry(
                    actor=f"user{i}",
                    action="test.event",
                    object_type="thing",
                    object_id=str(i),
                    details={"n": i, "text": "Tiếng Việt có dấu"},
                ),
            )
    return db


def test_intact_chain_verifies(database_url: str) -> None:
    db = _db_with_events(database_url)
    with db.unit_of_work() as session:
        report = verify_chain(session)
    assert report.ok and report.events == 5
    db.dispose()


def test_edited_row_is_named(database_url: str) -> None:
    db = _db_with_events(database_url)
    with db.unit_of_work() as session:
        session.execute(update(AuditEventRow).where(AuditEventRow.id == 3).values(actor="mallory"))
    with db.unit_of_work() as session:
        report = verify_chain(session)
    assert not report.ok and report.bad_id == 3
    db.dispose()


def test_edited_details_json_is_detected(database_url: str) -> None:
    db = _db_with_events(database_url)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET details = '{\"n\": 99}' WHERE id = 2"))
    with db.unit_of_work() as session:
        report = verify_chain(session)
    assert not report.ok and report.bad_id == 2
    db.dispose()


def test_deleted_middle_row_is_named(database_url: str) -> None:
    db = _db_with_events(database_url)
    with db.unit_of_work() as session:
        session.execute(delete(AuditEventRow).where(AuditEventRow.id == 2))
    with db.unit_of_work() as session:
        report = verify_chain(session)
    assert not report.ok and report.bad_id == 3
    db.dispose()


def test_deleted_last_row_is_detected(database_url: str) -> None:
    db = _db_with_events(database_url)
    with db.unit_of_work() as session:
        session.execute(delete(AuditEventRow).where(AuditEventRow.id == 5))
    with db.unit_of_work() as session:
        report = verify_chain(session)
    assert not report.ok and report.bad_id == 5
    db.dispose()


def test_event_rolls_back_with_its_change(database_url: str) -> None:
    db = _db_with_events(database_url, n=1)
    try:
        with db.unit_of_work() as session:
            record_event(session, AuditEntry(actor="x", action="test.rollback"))
            raise ValueError("the change failed")
    except ValueError:
        pass
    with db.unit_of_work() as session:
        rows, total = search_events(session, AuditFilter(action="test.rollback"))
        assert total == 0
        assert verify_chain(session).ok
    db.dispose()


def test_search_filters(database_url: str) -> None:
    db = _db_with_events(database_url)
    with db.unit_of_work() as session:
        record_event(session, AuditEntry(actor="eve", action="auth.login", outcome=Outcome.FAILURE))
        rows, total = search_events(session, AuditFilter(outcome="failure"))
        assert total == 1 and rows[0].actor == "eve"
        rows, total = search_events(session, AuditFilter(action="test."))
        assert total == 5 and [r.id for r in rows] == [5, 4, 3, 2, 1]
    db.dispose()


def test_concurrent_writers_extend_one_chain(database_url: str) -> None:
    """Eight threads append at once: every event is kept, the chain does not fork."""
    db = _db_with_events(database_url, n=1)
    start = threading.Barrier(8)

    def append(i: int) -> None:
        start.wait()
        with db.unit_of_work() as session:
            session.execute(text("SELECT 1"))  # a read first, as requests do
            record_event(session, AuditEntry(actor=f"racer{i}", action="test.race"))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(append, range(8)))
    with db.unit_of_work() as session:
        report = verify_chain(session)
        _, total = search_events(session, AuditFilter(action="test.race"))
    assert report.ok and report.events == 9
    assert total == 8
    db.dispose()
