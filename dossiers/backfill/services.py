"""Importing a checked backfill bundle: files to the object store, then the dossier.

One unit of work does it all. The bundle is checked in full first (nothing
written yet); then the files go to the object store under keys no other
import uses, then the dossier, its history, documents, the counter of its
code's day, the audit and outbox events are written and committed. If
anything fails after the first file was stored, including the commit, the
stored files are removed again: a refused or failed import leaves nothing
behind, in the database or in the store.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dossiers.backfill.bundle import BackfillBundle, problem
from dossiers.backfill.manifest import BackfillFile, BackfillPlan, check_bundle
from dossiers.codes import reserve_code
from dossiers.model import Channel, Dossier
from dossiers.repository import to_dossier
from dossiers.services import DossierPolicy, apply_effects, record_step
from dossiers.status import TRANSITIONS, Status
from storage.audit import AuditEntry, record_event
from storage.db import Database
from storage.errors import StorageError
from storage.ports import ObjectStore
from storage.schema import utcnow
from storage.schema.dossiers import ArchiveQueueRow, DossierDocumentRow, DossierRow

log = logging.getLogger(__name__)


def import_backfill(
    db: Database,
    store: ObjectStore,
    bundle: BackfillBundle,
    *,
    policy: DossierPolicy,
    actor: str,
    agency_ids: frozenset[str] | None = None,
    now: datetime | None = None,
) -> Dossier:
    """Check ``bundle`` whole, then record it as a backfilled dossier; all or nothing.

    ``agency_ids``: the agencies the importing officer works for; a dossier
    of another agency is refused (``DossierPermissionError``). None when the
    operator imports from the command line without naming an officer.
    """
    now = now or utcnow()
    stored: list[str] = []
    try:
        with db.unit_of_work() as session:
            plan = check_bundle(session, bundle, policy=policy, agency_ids=agency_ids, now=now)
            _store_files(store, plan, stored)
            return _record(session, plan, stored, policy=policy, actor=actor)
    except IntegrityError as exc:
        _remove(store, stored)
        if _exists(db, bundle):
            raise problem(
                "hồ sơ với mã này vừa được nhập bởi một người khác.",
                "a dossier with this code was just imported by someone else.",
                field="code",
            ) from exc
        raise
    except BaseException:
        _remove(store, stored)
        raise


def _exists(db: Database, bundle: BackfillBundle) -> bool:
    with db.unit_of_work() as session:
        code = str(bundle.manifest.get("code"))
        return session.scalar(select(DossierRow.id).where(DossierRow.code == code)) is not None


def _store_files(store: ObjectStore, plan: BackfillPlan, stored: list[str]) -> None:
    """Put each file; ``stored`` lists what made it, even when a put fails."""
    # A fresh folder per import: a concurrent import of the same code never
    # overwrites (or, when it fails, removes) this one's files.
    folder = f"dossiers/{plan.code}/backfill/{secrets.token_hex(4)}"
    for i, f in enumerate(plan.files, start=1):
        key = f"{folder}/{i:02d}-{_key_name(f.name)}"
        store.put(key, io.BytesIO(f.data), sha256=f.sha256, content_type=f.media_type)
        stored.append(key)


def _key_name(name: str) -> str:
    """``tờ khai.pdf`` -> ``to-khai.pdf``: object keys take ASCII letters, digits, ``._-``."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_name).strip("-.")[:80] or "tep"


def _remove(store: ObjectStore, keys: list[str]) -> None:
    for key in keys:
        try:
            store.delete(key)
        except StorageError:
            log.error("backfill: could not remove %s after a failed import", key)


def _record(
    session: Session, plan: BackfillPlan, keys: list[str], *, policy: DossierPolicy, actor: str
) -> Dossier:
    row = DossierRow(
        code=plan.code,
        procedure_code=plan.procedure.code,
        agency_id=plan.procedure.agency_id,
        form_code=plan.form_code,
        form_version=plan.form_version,
        applicant_kind=str(plan.applicant.kind),
        applicant_identifier=plan.applicant.identifier,
        applicant_name=plan.applicant.name,
        channel=str(Channel.BACKFILLED),
        status=str(Status.SUBMITTED),
        data=plan.data,
        submitted_at=plan.submitted_at,
        updated_at=plan.submitted_at,
        backfilled=True,
    )
    session.add(row)
    session.flush()
    reserve_code(session, plan.parts)
    _record_history(session, row, plan, policy=policy, actor=actor)
    for f, key in zip(plan.files, keys, strict=True):
        row.documents.append(_document(f, key, actor))
    if row.status == str(Status.CLOSED):
        session.add(ArchiveQueueRow(dossier_code=plan.code))
    record_event(
        session,
        AuditEntry(
            actor=actor,
            role="officer",
            agency_id=row.agency_id,
            action="dossier.backfill",
            object_type="dossier",
            object_id=plan.code,
            details={"steps": len(plan.steps), "files": len(plan.files), "status": row.status},
        ),
    )
    session.flush()
    return to_dossier(row)


def _record_history(
    session: Session, row: DossierRow, plan: BackfillPlan, *, policy: DossierPolicy, actor: str
) -> None:
    record_step(
        session,
        row,
        actor=f"{actor} (nhập bù)",
        role="officer",
        action="submit",
        from_status=None,
        note=None,
        now=plan.submitted_at,
        source_ip=None,
        backfilled=True,
    )
    for step in plan.steps:
        before = row.status
        target = TRANSITIONS[step.action].target
        apply_effects(row, target, step.action, policy, plan.procedure.processing_days, step.at)
        record_step(
            session,
            row,
            actor=f"{step.actor} (nhập bù bởi {actor})",
            role="officer",
            action=str(step.action),
            from_status=before,
            note=step.note,
            now=step.at,
            source_ip=None,
            backfilled=True,
        )


def _document(f: BackfillFile, key: str, actor: str) -> DossierDocumentRow:
    return DossierDocumentRow(
        kind=str(f.kind),
        title=f.title,
        file_name=f.name,
        media_type=f.media_type,
        object_key=key,
        sha256=f.sha256,
        size=len(f.data),
        created_by=actor,
        signed=f.signed,
    )
