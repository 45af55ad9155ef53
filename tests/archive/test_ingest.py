"""Ingest into the filesystem store, retrieval with the access log, fixity audits."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from archive.access import Requester, retrieve_dip, retrieve_document, search
from archive.builder import BuiltPackage
from archive.codes import AccessMode
from archive.errors import AccessDeniedError, PackageExistsError, PackageRefusedError
from archive.fixity import run_fixity_audit, share_per_run, summarise
from archive.ingest import ingest
from archive.report_verifier import ReportVerifier
from archive.validation import validate_package
from storage.audit import AuditFilter, search_events, verify_chain
from storage.db import Database
from storage.errors import ObjectLockedError
from storage.fs_store import FsObjectStore
from storage.schema.archive import ArchiveEventRow, ArchiveFileRow, ArchivePackageRow
from tests.archive.conftest import KNOWN_EARK_SIP_BUG, Clock


def _events(db: Database, action: str) -> list:
    with db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(action=action), limit=500)
        return list(reversed(rows))


READER = Requester("archivist", AccessMode.RESTRICTED, "Tra cứu theo yêu cầu của công dân")


def _ingest(sip: BuiltPackage, db: Database, store: FsObjectStore, verifier: ReportVerifier):
    return ingest(sip.path, db=db, store=store, verifier=verifier, actor="archivist")


def test_ingest_stores_a_locked_aip_and_indexes_it(
    sip: BuiltPackage, db: Database, store: FsObjectStore, verifier: ReportVerifier
) -> None:
    result = _ingest(sip, db, store, verifier)
    assert result.expires_at is not None and result.expires_at.year == 2037
    keys = [o.key for o in store.list(result.store_prefix)]
    assert len(keys) == result.files == sip.files
    mets = store.head(f"{result.store_prefix}/METS.xml")
    assert mets.retention is not None and mets.retention.mode == "COMPLIANCE"
    with pytest.raises(ObjectLockedError):
        store.delete(keys[0])
    with db.unit_of_work() as session:
        row = session.get(ArchivePackageRow, sip.package_id)
        assert row.schedule == "TTHC-10" and row.action == "destroy"
        assert session.scalar(select(func.count()).select_from(ArchiveFileRow)) == result.files
    with pytest.raises(PackageExistsError):
        _ingest(sip, db, store, verifier)


def test_the_aip_passes_own_and_eark_validation(
    sip: BuiltPackage,
    db: Database,
    store: FsObjectStore,
    verifier: ReportVerifier,
    tmp_path: Path,
    eark: Callable,
) -> None:
    result = _ingest(sip, db, store, verifier)
    aip = tmp_path / "aip" / sip.package_id
    for info in store.list(result.store_prefix):
        target = aip / info.key[len(result.store_prefix) + 1 :]
        target.parent.mkdir(parents=True, exist_ok=True)
        with store.get(info.key) as reader:
            target.write_bytes(reader.read())
    assert validate_package(aip, verifier=verifier) == []
    premis = (aip / "metadata/preservation/PREMIS.xml").read_text()
    for event in (
        "ingestion",
        "validation",
        "fixity check",
        "format identification",
        "digital signature validation",
    ):
        assert f"<premis:eventType>{event}</premis:eventType>" in premis
    assert 'OAISPACKAGETYPE="AIP"' in (aip / "METS.xml").read_text()
    (report,) = eark(aip)
    assert report["errors"] == []
    assert KNOWN_EARK_SIP_BUG  # AIPs are not held to the SIP-only rule


def test_a_refused_package_leaves_nothing_behind(
    sip: BuiltPackage, db: Database, store: FsObjectStore, verifier: ReportVerifier
) -> None:
    next((sip.path / "representations/rep1/data").glob("01_*")).unlink()
    (sip.path / "schemas" / "extra.txt").write_text("not listed")
    with pytest.raises(PackageRefusedError) as caught:
        _ingest(sip, db, store, verifier)
    codes = {p["code"] for p in caught.value.details["problems"]}
    assert {"missing_file", "unlisted_file"} <= codes
    assert list(store.list("")) == []
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(ArchivePackageRow)) == 0
    events = _events(db, "archive.ingest")
    assert [e.outcome for e in events] == ["failure"]


def test_a_result_signed_with_a_self_signed_certificate_is_refused_and_not_stored(
    sip: BuiltPackage, db: Database, store: FsObjectStore, verifier: ReportVerifier
) -> None:
    from tests.archive.test_package import _forge_result

    _forge_result(sip.path)
    with pytest.raises(PackageRefusedError) as caught:
        _ingest(sip, db, store, verifier)
    (problem,) = caught.value.details["problems"]
    assert problem["code"] == "signature" and "ket-qua" in problem["path"]
    assert list(store.list("")) == []
    assert [str(f) for f in store.root.rglob("*") if f.is_file() and f.name != ".lock"] == []
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(ArchivePackageRow)) == 0
    assert [e.outcome for e in _events(db, "archive.ingest")] == ["failure"]


def test_search_and_retrieve_a_dip_with_every_checksum_matching(
    sip: BuiltPackage,
    db: Database,
    store: FsObjectStore,
    verifier: ReportVerifier,
    tmp_path: Path,
) -> None:
    _ingest(sip, db, store, verifier)
    for criteria in (
        {"dossier_code": sip.package_id},
        {"procedure": "1.004222"},
        {"applicant_id": "001203012345"},
        {"date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)},
        {"keyword": "thường trú"},
    ):
        assert [p.package_id for p in search(db, **criteria)] == [sip.package_id], criteria
    assert search(db, applicant_id="079203000001") == []
    out = tmp_path / "dip.zip"
    checksums = retrieve_dip(sip.package_id, out, db=db, store=store, who=READER)
    with db.unit_of_work() as session:
        archived = {f.path: f.sha256 for f in session.scalars(select(ArchiveFileRow))}
    rewritten = {"METS.xml", "representations/rep1/METS.xml", "metadata/preservation/PREMIS.xml"}
    with zipfile.ZipFile(out) as dip:
        names = dip.namelist()
        assert len(names) == len(checksums) == len(archived)
        for name in names:
            path = name.split("/", 1)[1]
            assert hashlib.sha256(dip.read(name)).hexdigest() == checksums[path]
            if path not in rewritten:
                assert checksums[path] == archived[path], path
    name, data = retrieve_document(sip.package_id, 3, db=db, store=store, who=READER)
    assert name.endswith("ket-qua.pdf") and data.startswith(b"%PDF")
    accesses = _events(db, "archive.access")
    assert len(accesses) == 2
    assert all(e.details["reason"] == READER.reason for e in accesses)
    with db.unit_of_work() as session:
        assert verify_chain(session).ok


def test_access_mode_is_enforced_and_denials_are_logged(
    sip: BuiltPackage,
    db: Database,
    store: FsObjectStore,
    verifier: ReportVerifier,
    tmp_path: Path,
) -> None:
    _ingest(sip, db, store, verifier)
    public = Requester("guest", AccessMode.PUBLIC, "Nghiên cứu")
    with pytest.raises(AccessDeniedError):
        retrieve_dip(sip.package_id, tmp_path / "x.zip", db=db, store=store, who=public)
    assert not (tmp_path / "x.zip").exists()
    (event,) = _events(db, "archive.access")
    assert event.outcome == "denied" and event.actor == "guest"


def test_fixity_audit_finds_a_byte_changed_in_storage(
    sip: BuiltPackage, db: Database, store: FsObjectStore, verifier: ReportVerifier
) -> None:
    result = _ingest(sip, db, store, verifier)
    clean = run_fixity_audit(db, store)
    assert clean.totals["ok"] == result.files and clean.clean
    key = f"{result.store_prefix}/representations/rep1/data/03_ket-qua.pdf"
    blob = store.object_file(key)
    blob.chmod(0o644)
    data = bytearray(blob.read_bytes())
    data[100] ^= 0xFF
    blob.write_bytes(bytes(data))
    report = run_fixity_audit(db, store)
    assert report.totals["changed"] == 1 and report.totals["ok"] == result.files - 1
    (bad,) = [e for e in report.entries if e["outcome"] != "ok"]
    assert bad["key"] == key and bad["computed"] != bad["expected"]
    summary = summarise(report)
    assert summary["checked"] == result.files and summary["packages"] == 1
    assert [f["key"] for f in summary["failures"]] == [key]
    assert summary["failures"][0]["path"] == "representations/rep1/data/03_ket-qua.pdf"
    capped = summarise(report, limit=0)
    assert capped["failures"] == [] and capped["failures_not_listed"] == 1
    with db.unit_of_work() as session:
        fixity = session.scalars(
            select(ArchiveEventRow).where(ArchiveEventRow.event_type == "fixity check")
        ).all()
        assert [e.outcome for e in fixity] == ["success", "failure"]


def test_fixity_rotates_through_packages(
    record,
    tmp_path: Path,
    db: Database,
    store: FsObjectStore,
    verifier: ReportVerifier,
    clock: Clock,
) -> None:
    import dataclasses

    from archive.builder import build_package

    for n in range(3):
        other = dataclasses.replace(record, dossier_code=f"000.00.00.H56-261122-000{n + 2}")
        built = build_package(other, out_dir=tmp_path / "many", verifier=verifier)
        _ingest(built, db, store, verifier)
    seen = []
    for _ in range(3):
        clock.now += timedelta(minutes=1)
        report = run_fixity_audit(db, store, sample=1, clock=clock)
        seen.append(report.entries[0]["package"])
    assert len(set(seen)) == 3
    assert share_per_run(3650, period_days=365) == 10


def test_ingest_search_and_fixity_on_each_database(
    sip: BuiltPackage, verifier: ReportVerifier, store: FsObjectStore, database_url: str
) -> None:
    database = Database(database_url)
    database.upgrade()
    try:
        result = _ingest(sip, database, store, verifier)
        found = search(database, keyword="thường trú", applicant_id="001203012345")
        assert [p.package_id for p in found] == [result.package_id]
        assert run_fixity_audit(database, store).clean
    finally:
        database.dispose()


def test_the_dip_is_a_valid_eark_dip_with_the_history(
    sip: BuiltPackage,
    db: Database,
    store: FsObjectStore,
    verifier: ReportVerifier,
    tmp_path: Path,
    eark: Callable,
) -> None:
    _ingest(sip, db, store, verifier)
    run_fixity_audit(db, store)
    retrieve_dip(sip.package_id, tmp_path / "dip.zip", db=db, store=store, who=READER)
    with zipfile.ZipFile(tmp_path / "dip.zip") as dip:
        dip.extractall(tmp_path / "dip")
    package = tmp_path / "dip" / sip.package_id
    assert validate_package(package, verifier=verifier) == []
    assert 'OAISPACKAGETYPE="DIP"' in (package / "METS.xml").read_text()
    premis = (package / "metadata/preservation/PREMIS.xml").read_text()
    assert "<premis:eventType>fixity check</premis:eventType>" in premis
    assert "<premis:eventType>access</premis:eventType>" in premis
    (report,) = eark(package)
    assert report["errors"] == []
