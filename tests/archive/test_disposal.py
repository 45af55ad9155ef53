"""Retention, disposal with two people, the bin, tombstones and legal holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from archive.access import search
from archive.builder import BuiltPackage
from archive.demo import DEMO_AGENCY_ID
from archive.disposal import (
    approve_disposal,
    disposal_bin,
    disposal_list,
    final_delete,
    lift_hold,
    place_hold,
    propose_disposal,
    restore_from_bin,
)
from archive.errors import (
    DeletionIncompleteError,
    DisposalNotPermittedError,
    DisposalRefusedError,
    PackageNotFoundError,
)
from archive.ingest import ingest
from archive.report_verifier import ReportVerifier
from storage.audit import AuditFilter, search_events
from storage.db import Database
from storage.errors import ObjectHeldError, ObjectLockedError, StoreUnreachableError
from storage.fs_store import FsObjectStore
from storage.schema.archive import ArchiveHoldRow, ArchivePackageRow, ArchiveTombstoneRow
from tests.archive.conftest import Clock

AFTER_EXPIRY = datetime(2037, 1, 2, tzinfo=UTC)
HOME = {DEMO_AGENCY_ID}
"""A leader of the agency owning the demo packages."""


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
            db,
            proposal,
            actor="archivist",
            decision_ref="QĐ 12/QĐ-SNV",
            now=clock.now,
            approver_agencies=HOME,
        )
    with pytest.raises(DisposalRefusedError):
        approve_disposal(
            db, proposal, actor="leader", decision_ref=" ", now=clock.now, approver_agencies=HOME
        )
    assert approve_disposal(
        db,
        proposal,
        actor="leader",
        decision_ref="QĐ 12/QĐ-SNV",
        now=clock.now,
        approver_agencies=HOME,
    ) == [ingested]
    restore_from_bin(db, ingested, actor="leader", reason="Còn tranh chấp")
    proposal = propose_disposal(db, [ingested], actor="archivist", now=clock.now)
    approve_disposal(
        db,
        proposal,
        actor="leader",
        decision_ref="QĐ 13/QĐ-SNV",
        now=clock.now,
        approver_agencies=HOME,
    )
    final_delete(db, store, ingested, actor="archivist", now=clock.now)
    assert list(store.list("aip/")) == []
    assert search(db, dossier_code=ingested) == []
    with db.unit_of_work() as session:
        tomb = session.get(ArchiveTombstoneRow, ingested)
        assert tomb.decision_ref == "QĐ 13/QĐ-SNV" and tomb.deleted_by == "archivist"
        assert len(tomb.files) > 10
        assert session.get(ArchivePackageRow, ingested).state == "deleted"


def test_only_a_leader_of_the_owning_agency_approves(
    ingested: str, db: Database, clock: Clock
) -> None:
    clock.now = AFTER_EXPIRY
    proposal = propose_disposal(db, [ingested], actor="archivist", now=clock.now)
    with pytest.raises(DisposalNotPermittedError) as caught:
        approve_disposal(
            db,
            proposal,
            actor="leader2",
            decision_ref="QĐ 9/QĐ-SXD",
            approver_agencies={"000.00.02.H56"},
            now=clock.now,
        )
    assert caught.value.http_status == 403
    assert f"chỉ lãnh đạo cơ quan {DEMO_AGENCY_ID}" in caught.value.message_vi
    assert f"only a leader of {DEMO_AGENCY_ID} may approve" in caught.value.message_en
    with pytest.raises(DisposalNotPermittedError):  # a leader of no agency at all
        approve_disposal(
            db, proposal, actor="x", decision_ref="QĐ 9", approver_agencies=(), now=clock.now
        )
    with db.unit_of_work() as session:
        assert session.get(ArchivePackageRow, ingested).state == "active"
        rows, _ = search_events(
            session, AuditFilter(action="archive.disposal.approve", object_id=ingested)
        )
    assert [(r.actor, r.outcome, r.details["agency_id"]) for r in rows] == [
        ("x", "denied", DEMO_AGENCY_ID),
        ("leader2", "denied", DEMO_AGENCY_ID),
    ]
    assert approve_disposal(
        db,
        proposal,
        actor="leader",
        decision_ref="QĐ 9/QĐ-SNV",
        now=clock.now,
        approver_agencies=HOME,
    ) == [ingested]


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
    approve_disposal(
        db, proposal, actor="leader", decision_ref="QĐ 14", now=clock.now, approver_agencies=HOME
    )
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


class FailingStore:
    """The filesystem store, except that the ``fail_at``-th call of ``method`` is refused
    as if the network to the store had dropped (a remote store failing part-way)."""

    def __init__(self, inner: FsObjectStore, method: str, fail_at: int) -> None:
        self.inner, self.method, self.fail_at, self.calls = inner, method, fail_at, 0

    def __getattr__(self, name: str) -> object:
        attribute = getattr(self.inner, name)
        if name != self.method:
            return attribute

        def call(*args: object, **kwargs: object) -> object:
            self.calls += 1
            if self.calls == self.fail_at:
                raise StoreUnreachableError("Mất kết nối kho lưu trữ.", "Store connection lost.")
            return attribute(*args, **kwargs)

        return call


def _second_package(record, tmp_path, db, store, verifier) -> str:  # noqa: ANN001 (fixtures)
    import dataclasses

    from archive.builder import build_package

    other = dataclasses.replace(record, dossier_code="000.00.00.H56-261122-0077")
    built = build_package(other, out_dir=tmp_path / "second", verifier=verifier)
    return ingest(built.path, db=db, store=store, verifier=verifier, actor="archivist").package_id


def _holds(db: Database) -> int:
    with db.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(ArchiveHoldRow)) or 0


def _held_keys(store: FsObjectStore) -> set[str]:
    return {i.key for i in store.list("aip/") if i.legal_hold}


def test_a_hold_naming_an_unknown_package_sets_nothing(
    ingested: str, db: Database, store: FsObjectStore
) -> None:
    with pytest.raises(PackageNotFoundError) as caught:
        place_hold(
            db, store, title="Vụ kiện", mandate="Tòa án", package_ids=[ingested, "TYPO"], actor="a"
        )
    assert "TYPO" in caught.value.message_vi and "TYPO" in caught.value.message_en
    assert caught.value.details["unknown"] == ["TYPO"]
    assert _held_keys(store) == set() and _holds(db) == 0
    place_hold(db, store, title="Vụ kiện", mandate="Tòa án", package_ids=[ingested], actor="a")
    assert _held_keys(store) == {i.key for i in store.list("aip/")}


def test_a_store_failure_while_holding_lifts_what_this_hold_set(
    ingested: str,
    record,  # noqa: ANN001 (fixture)
    tmp_path,  # noqa: ANN001 (fixture)
    db: Database,
    store: FsObjectStore,
    verifier: ReportVerifier,
) -> None:
    second = _second_package(record, tmp_path, db, store, verifier)
    place_hold(db, store, title="Thanh tra", mandate="QĐ 7", package_ids=[ingested], actor="a")
    first_keys = _held_keys(store)
    failing = FailingStore(store, "set_legal_hold", fail_at=len(first_keys) + 3)
    with pytest.raises(StoreUnreachableError):
        place_hold(
            db,
            failing,
            title="Vụ kiện",
            mandate="Tòa án",
            package_ids=[ingested, second],
            actor="a",
        )
    assert _held_keys(store) == first_keys, "the earlier hold stays, the partial one is undone"
    assert _holds(db) == 1


def test_an_interrupted_final_deletion_finishes_when_run_again(
    ingested: str, db: Database, store: FsObjectStore, clock: Clock
) -> None:
    clock.now = AFTER_EXPIRY
    proposal = propose_disposal(db, [ingested], actor="archivist", now=clock.now)
    approve_disposal(
        db, proposal, actor="leader", decision_ref="QĐ 15", now=clock.now, approver_agencies=HOME
    )
    total = len(list(store.list("aip/")))
    with pytest.raises(DeletionIncompleteError) as caught:
        final_delete(
            db, FailingStore(store, "delete", fail_at=3), ingested, actor="archivist", now=clock.now
        )
    assert "chạy lại" in caught.value.message_vi and "again" in caught.value.message_en
    assert len(list(store.list("aip/"))) == total - 2
    with db.unit_of_work() as session:
        assert session.get(ArchivePackageRow, ingested).state == "deleting"
        assert session.get(ArchiveTombstoneRow, ingested) is None
    assert disposal_bin(db) == [ingested]
    with pytest.raises(DisposalRefusedError) as refused:
        restore_from_bin(db, ingested, actor="archivist", reason="nhầm")
    assert "partly deleted" in refused.value.message_en and "hủy dở" in refused.value.message_vi
    final_delete(db, store, ingested, actor="archivist", now=clock.now)
    assert list(store.list("aip/")) == []
    with db.unit_of_work() as session:
        assert session.get(ArchivePackageRow, ingested).state == "deleted"
        tomb = session.get(ArchiveTombstoneRow, ingested)
        assert tomb.decision_ref == "QĐ 15" and len(tomb.files) == total
        rows, _ = search_events(session, AuditFilter(action="archive.disposal.delete"), limit=10)
        outcomes = sorted(r.outcome for r in rows if r.action == "archive.disposal.delete")
        assert outcomes == ["failure", "success"]


def test_refusals_are_worded_in_both_languages(
    ingested: str, db: Database, store: FsObjectStore
) -> None:
    with pytest.raises(DisposalRefusedError) as caught:
        propose_disposal(db, [ingested], actor="archivist")
    assert "chưa hết thời hạn bảo quản" in caught.value.message_vi
    assert "retention has not expired" in caught.value.message_en
    assert "retention" not in caught.value.message_vi
    with pytest.raises(DisposalRefusedError) as caught:
        final_delete(db, store, ingested, actor="archivist")
    assert "không ở danh sách chờ hủy" in caught.value.message_vi
    assert "disposal bin" not in caught.value.message_vi
    with db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(action="archive.disposal.delete"), limit=10)
        assert [r.outcome for r in rows if r.action == "archive.disposal.delete"] == ["denied"]
