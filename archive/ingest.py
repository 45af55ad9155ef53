"""Ingest: a validated SIP becomes an AIP in the object store, indexed in the database.

Order of work, so that nothing is half-stored: validate everything (refuse
with the complete list); build the AIP in a temporary folder (PREMIS gains
the ingestion, validation and fixity events; METS says AIP); put every file
under a fresh ``aip/<package>/<ingest id>/`` prefix without a lock; then, in
one database transaction, index the package and its files and write the
audit event, and as the last step before commit lock every object
(COMPLIANCE until the retention expiry). If any step fails the transaction
rolls back and the unlocked objects are deleted; objects already locked
stay under their unique prefix, unreferenced, and the fixity audit lists
them as unexpected.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from archive.builder import software_agent
from archive.codes import VN_TZ, RetentionCode, retention_expiry
from archive.descriptive import read_dossier
from archive.errors import (
    ArchiveError,
    PackageExistsError,
    PackageRefusedError,
    StoreWriteError,
)
from archive.mets import (
    FileFacts,
    file_facts,
    read_context,
    write_representation_mets,
    write_root_mets,
)
from archive.ports import SignatureVerifier
from archive.premis import EventType, PremisEvent, add_events
from archive.schedules import DEFAULT_SCHEDULES, PERMANENT_LOCK_UNTIL
from archive.validation import errors_only, validate_package
from archive.xml_schemas import schema_errors
from eforms import __version__
from storage.audit import AuditEntry, Outcome, record_event
from storage.db import Database
from storage.errors import StorageError
from storage.objects import ObjectInfo, Retention, RetentionMode
from storage.ports import ObjectStore
from storage.schema.archive import ArchiveEventRow, ArchiveFileRow, ArchivePackageRow
from storage.schema.dossiers import ArchiveQueueRow

PUT_WORKERS = 4
"""Objects written at once during ingest."""


@dataclass(frozen=True)
class IngestResult:
    package_id: str
    store_prefix: str
    files: int
    size: int
    expires_at: datetime | None
    """None: permanent."""
    warnings: tuple[str, ...] = ()


def _refuse(db: Database, actor: str, package: Path, problems: list) -> PackageRefusedError:
    with db.unit_of_work() as session:
        queued = session.get(ArchiveQueueRow, package.name)
        if queued is not None:
            queued.state, queued.detail = "failed", f"{len(problems)} problem(s)"
        record_event(
            session,
            AuditEntry(
                actor=actor,
                action="archive.ingest",
                outcome=Outcome.FAILURE,
                object_type="archive_package",
                object_id=package.name,
                details={"problems": [p.to_dict() for p in problems[:50]], "count": len(problems)},
            ),
        )
    return PackageRefusedError(problems, package=package.name)


def _make_aip(sip: Path, work: Path, *, now: datetime, problems: int, actor: str) -> Path:
    aip = work / sip.name
    shutil.copytree(sip, aip)
    premis_path = aip / "metadata/preservation/PREMIS.xml"
    tool = software_agent()
    events = [
        PremisEvent(
            f"event-{uuid.uuid4()}",
            EventType.VALIDATION,
            now,
            "success",
            detail=f"structure, XML schemas, checksums, formats, signatures; warnings: {problems}",
            agents=(tool.identifier,),
        ),
        PremisEvent(
            f"event-{uuid.uuid4()}",
            EventType.FIXITY_CHECK,
            now,
            "success",
            detail="SHA-256 of every file matches the SIP METS",
            agents=(tool.identifier,),
        ),
        PremisEvent(
            f"event-{uuid.uuid4()}",
            EventType.INGESTION,
            now,
            "success",
            detail=f"SIP accepted by {actor}",
            agents=(tool.identifier,),
        ),
    ]
    premis_path.write_bytes(add_events(premis_path.read_bytes(), events, [tool]))
    ctx = read_context(sip / "METS.xml", package_type="AIP", created=now)
    ctx = dataclasses.replace(ctx, software=tool.name, software_version=__version__)
    for rep in sorted(p for p in (aip / "representations").iterdir() if p.is_dir()):
        write_representation_mets(rep, ctx)
    write_root_mets(aip, ctx)
    return aip


def _expiry(items: dict[str, str]) -> tuple[RetentionCode, int | None, datetime | None]:
    code = RetentionCode(items["retention"])
    years = int(items["retention_years"]) if items.get("retention_years") else None
    closed = date.fromisoformat(items["endDate"])
    return code, years, retention_expiry(closed, code, years)


def ingest(
    sip: Path,
    *,
    db: Database,
    store: ObjectStore,
    verifier: SignatureVerifier,
    actor: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> IngestResult:
    """Validate ``sip`` and store it as an AIP; ``PackageRefusedError`` lists every problem."""
    sip = Path(sip)
    problems = validate_package(sip, verifier=verifier)
    if errors_only(problems):
        raise _refuse(db, actor, sip, errors_only(problems))
    items = read_dossier((sip / "metadata/descriptive/EAD.xml").read_bytes())
    package_id = items["archiveCode"]
    with db.unit_of_work() as session:
        if session.get(ArchivePackageRow, package_id) is not None:
            raise PackageExistsError(
                f"Hồ sơ {package_id} đã được nộp lưu trước đó.",
                f"Package {package_id} has already been ingested.",
                details={"package": package_id},
            )
    now = clock().astimezone(VN_TZ)
    with tempfile.TemporaryDirectory(prefix="eforms-aip-") as tmp:
        aip = _make_aip(sip, Path(tmp), now=now, problems=len(problems), actor=actor)
        # Data and descriptive files are byte copies of the validated SIP and the
        # METS files were just written from the bytes on disk: only the rewritten
        # XML needs checking again.
        rewritten = [
            aip / "METS.xml",
            aip / "metadata/preservation/PREMIS.xml",
            *sorted(aip.glob("representations/*/METS.xml")),
        ]
        broken = [f"{p.name}: {e}" for p in rewritten for e in schema_errors(p)]
        if broken:
            raise ArchiveError(
                "Lỗi nội bộ khi tạo AIP; không có gì được lưu.",
                f"Internal error while making the AIP; nothing was stored: {broken[:3]}",
                code="archive.aip_invalid",
            )
        return _store(
            aip,
            items,
            db=db,
            store=store,
            actor=actor,
            now=now,
            warnings=tuple(p.text_en for p in problems),
        )


def _retention(expires: datetime | None, now: datetime) -> Retention | None:
    until = PERMANENT_LOCK_UNTIL if expires is None else expires
    if until <= now:
        return None
    return Retention(RetentionMode.COMPLIANCE, until)


def _store(
    aip: Path,
    items: dict[str, str],
    *,
    db: Database,
    store: ObjectStore,
    actor: str,
    now: datetime,
    warnings: tuple[str, ...],
) -> IngestResult:
    package_id = items["archiveCode"]
    prefix = f"aip/{package_id}/{uuid.uuid4().hex[:12]}"
    code, years, expires = _expiry(items)
    schedule = DEFAULT_SCHEDULES[code]
    facts = [file_facts(aip, p) for p in sorted(aip.rglob("*")) if p.is_file()]
    stored: list[str] = []
    try:
        infos = _put_all(store, aip, prefix, facts, stored)
        with db.unit_of_work() as session:
            session.add(
                ArchivePackageRow(
                    id=package_id,
                    dossier_code=package_id,
                    procedure_code=items.get("procedureCode", ""),
                    procedure_name=items.get("procedureName", ""),
                    agency_id=items.get("agencyId", ""),
                    applicant_id=items.get("applicantId", ""),
                    applicant_name=items.get("applicantName", ""),
                    title=items.get("title", ""),
                    keywords=items.get("keywords", ""),
                    start_date=items["startDate"],
                    end_date=items["endDate"],
                    retention_code=code.value,
                    retention_years=years,
                    expires_at=expires,
                    schedule=schedule.code,
                    action=schedule.action.value,
                    access_mode=items["accessMode"],
                    state="active",
                    store_prefix=prefix,
                    total_size=sum(f.size for f in facts),
                    file_count=len(facts),
                    ingested_at=now,
                    ingested_by=actor,
                )
            )
            session.flush()
            for fact, info in zip(facts, infos, strict=True):
                session.add(
                    ArchiveFileRow(
                        package_id=package_id,
                        path=fact.path,
                        object_key=info.key,
                        version_id=info.version_id,
                        size=fact.size,
                        sha256=fact.sha256,
                        mime_type=fact.mime_type,
                    )
                )
            queued = session.get(ArchiveQueueRow, package_id)
            if queued is not None:
                queued.state, queued.detail = "ingested", prefix
            session.add(
                ArchiveEventRow(
                    package_id=package_id,
                    event_type=EventType.INGESTION.value,
                    occurred_at=now,
                    outcome="success",
                    actor=actor,
                    detail={"prefix": prefix, "files": len(facts)},
                )
            )
            record_event(
                session,
                AuditEntry(
                    actor=actor,
                    action="archive.ingest",
                    object_type="archive_package",
                    object_id=package_id,
                    details={
                        "prefix": prefix,
                        "files": len(facts),
                        "size": sum(f.size for f in facts),
                        "expires_at": expires.isoformat() if expires else "permanent",
                        "schedule": schedule.code,
                    },
                ),
            )
            session.flush()
            lock = _retention(expires, now)
            if lock is not None:
                with ThreadPoolExecutor(PUT_WORKERS) as pool:
                    list(pool.map(lambda key: store.set_retention(key, lock), stored))
    except StorageError as exc:
        left = _cleanup(store, stored)
        raise StoreWriteError(
            f"Kho lưu trữ từ chối gói {package_id}; không có gì được ghi nhận. Thử lại sau.",
            f"The object store refused package {package_id}; nothing was indexed. Try again later.",
            details={"package": package_id, "cause": exc.code, "locked_leftovers": left},
        ) from exc
    except BaseException:
        _cleanup(store, stored)
        raise
    return IngestResult(
        package_id, prefix, len(facts), sum(f.size for f in facts), expires, warnings
    )


def _put_all(
    store: ObjectStore, aip: Path, prefix: str, facts: list[FileFacts], stored: list[str]
) -> list[ObjectInfo]:
    """Put every file, a few at a time (hashing and uploads overlap); ``stored`` lists
    what made it, even when one put fails."""

    def put(fact: FileFacts) -> ObjectInfo:
        key = f"{prefix}/{fact.path}"
        with open(aip / fact.path, "rb") as fh:
            info = store.put(key, fh, sha256=fact.sha256, content_type=fact.mime_type)
        stored.append(key)
        return info

    with ThreadPoolExecutor(PUT_WORKERS) as pool:
        return list(pool.map(put, facts))


def _cleanup(store: ObjectStore, keys: list[str]) -> list[str]:
    """Delete what was put; return the keys that could not be deleted (locked)."""
    left = []
    for key in keys:
        try:
            store.delete(key)
        except StorageError:
            left.append(key)
    return left
