"""Retention, disposal with two people, the bin, tombstones and legal holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from archive.access import search
from archive.builder import BuiltPackage
from archive.disposal import (
    approve_disposal,
    disposal_list,
    final_delete,
    lift_hold,
    place_hold,
    propose_disposal,
    restore_from_bin,
)
from archive.errors import DisposalRefusedError
from archive.ingest import ingest
from archive.report_verifier import ReportVerifier
from storage.db import Database
from storage.errors import ObjectHeldError, ObjectLockedError
from storage.fs_store import FsObjectStore
from storage.schema.archive import ArchivePackageRow, ArchiveTombstoneRow
from tests.archive.conftest import Clock

AFTER_EXPIRY = datetime(2037, 1, 2, tzinfo=UTC)


@pytest.fixture
def ingested(
    sip: BuiltPackage, db: Database, store: FsObjectStore, verifier: ReportVerifier
) -> str:
    result = ingest(sip.path, db=db, store=store, verifier=verifier, actor="archivist")
    return result.package_id


def test_nothing_is_disposable_before_expiry(
    ingested: str, db: Database, store: FsObjectStore
) -> None:
    assert disposal_list(db) == []
    with pytest.raises(DisposalRefusedError) as caught:
        propose_disposal(db, [ingested], actor="archivist")
    assert "not expired" in caught.value.message_en
    key = next(iter(store.list("aip/"))).key
    with pytest.raises(ObjectLockedError):
        store.delete(key)


def test_disposal_needs_two_people_then_bin_then_deletion_with_tombstone(
    ingested: str, db: Database, store: FsObjectStore, clock: Clock
) -> None:
    clock.now = AFTER_EXPIRY
    (candidate,) = disposal_list(db, now=clock.now)
    assert candidate.eligible and candidate.package_id == ingested
    proposal = propose_disposal(db, [ingested], actor="archivist", now=clock.now)
    with pytest.raises(DisposalRefusedError):
        approve_disposal(
            db, proposal, actor="archivist", decision_ref="QĐ 12/QĐ-SNV", now=clock.now
        )
    with pytest.raises(DisposalRefusedError):
        approve_disposal(db, proposal, actor="leader", decision_ref=" ", now=clock.now)
    assert approve_disposal(
        db, proposal, actor="leader", decision_ref="QĐ 12/QĐ-SNV", now=clock.now
    ) == [ingested]
    restore_from_bin(db, ingested, actor="leader", reason="Còn tranh chấp")
    proposal = propose_disposal(db, [ingested], actor="archivist", now=clock.now)
    approve_disposal(db, proposal, actor="leader", decision_ref="QĐ 13/QĐ-SNV", now=clock.now)
    final_delete(db, store, ingested, actor="archivist", now=clock.now)
    assert list(store.list("aip/")) == []
    assert search(db, dossier_code=ingested) == []
    with db.unit_of_work() as session:
        tomb = session.get(ArchiveTombstoneRow, ingested)
        assert tomb.decision_ref == "QĐ 13/QĐ-SNV" and tomb.deleted_by == "archivist"
        assert len(tomb.files) > 10
        assert session.get(ArchivePackageRow, ingested).state == "deleted"


def test_a_held_package_cannot_be_disposed_of(
    ingested: str, db: Database, store: FsObjectStore, clock: Clock
) -> None:
    hold = place_hold(
        db,
        store,
        title="Vụ kiện 45/2036",
        mandate="Yêu cầu của Tòa án nhân dân tỉnh",
        package_ids=[ingested],
        actor="archivist",
    )
    clock.now = AFTER_EXPIRY
    (candidate,) = disposal_list(db, now=clock.now)
    assert candidate.held and not candidate.eligible
    with pytest.raises(DisposalRefusedError) as caught:
        propose_disposal(db, [ingested], actor="archivist", now=clock.now)
    assert "legal hold" in caught.value.message_en
    key = next(iter(store.list("aip/"))).key
    with pytest.raises(ObjectHeldError):
        store.delete(key)
    lift_hold(db, store, hold, actor="leader")
    assert not store.get_legal_hold(key)
    proposal = propose_disposal(db, [ingested], actor="archivist", now=clock.now)
    approve_disposal(db, proposal, actor="leader", decision_ref="QĐ 14", now=clock.now)
    place_hold(
        db,
        store,
        title="Thanh tra",
        mandate="QĐ thanh tra 7",
        package_ids=[ingested],
        actor="archivist",
    )
    with pytest.raises(DisposalRefusedError):
        final_delete(db, store, ingested, actor="archivist", now=clock.now)
    assert len(list(store.list("aip/"))) > 10


def test_permanent_records_never_reach_the_disposal_list(
    record, tmp_path, db: Database, store: FsObjectStore, verifier: ReportVerifier, clock: Clock
) -> None:
    import dataclasses

    from archive.builder import build_package
    from archive.codes import RetentionCode

    permanent = dataclasses.replace(record, retention=RetentionCode.PERMANENT)
    built = build_package(permanent, out_dir=tmp_path / "perm", verifier=verifier)
    result = ingest(built.path, db=db, store=store, verifier=verifier, actor="archivist")
    assert result.expires_at is None
    lock = store.get_retention(f"{result.store_prefix}/METS.xml")
    assert lock is not None and lock.until.year == 2999
    clock.now = datetime(2900, 1, 1, tzinfo=UTC)
    assert disposal_list(db, now=clock.now) == []
    with db.unit_of_work() as session:
        row = session.scalars(select(ArchivePackageRow)).one()
        assert row.action == "retain" and row.expires_at is None
    assert timedelta(0) < lock.until - clock.now
