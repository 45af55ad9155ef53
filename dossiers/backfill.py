"""Offline backfill: dossiers handled while the system was down, entered afterwards.

A backfill bundle is a directory or a zip with ``dossier.json`` and the files
it names. Everything is checked before anything is written: the dossier code
(configured format, the procedure's agency, not already used), every date
(ISO 8601 with offset, not in the future, in order), every step (a legal
transition from the previous status), every file (present, allowed type,
size). Files go to the object store first, then the dossier, its history and
documents in one transaction; if that fails the stored files are removed.
The dossier, each step and the audit events are marked as backfilled.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossiers.errors import BackfillError
from dossiers.model import ApplicantKind, Channel, DocumentKind, Dossier
from dossiers.repository import load_procedure, to_dossier
from dossiers.services import DossierPolicy, apply_effects, record_step
from dossiers.status import TRANSITIONS, Action, Status
from storage.ports import ObjectStore
from storage.schema import utcnow
from storage.schema.dossiers import ArchiveQueueRow, DossierDocumentRow, DossierRow

ALLOWED_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/tiff"}
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class BackfillFile:
    kind: DocumentKind
    title: str
    name: str
    media_type: str
    data: bytes
    signed: bool


@dataclass(frozen=True)
class BackfillStep:
    action: Action
    at: datetime
    actor: str
    note: str | None


@dataclass(frozen=True)
class BackfillBundle:
    """A parsed, not yet validated, backfill file."""

    manifest: Mapping[str, Any]
    files: Mapping[str, bytes]


def _problem(vi: str, en: str, **details: Any) -> BackfillError:
    return BackfillError(
        f"Tệp nhập bù không hợp lệ: {vi}", f"Invalid backfill file: {en}", details=details
    )


def read_bundle(path: Path) -> BackfillBundle:
    """Read a bundle from a directory or a zip file."""
    if path.is_dir():
        manifest_path = path / "dossier.json"
        if not manifest_path.is_file():
            raise _problem("thiếu dossier.json.", "dossier.json is missing.")
        files = {
            str(PurePosixPath(p.relative_to(path))): p.read_bytes()
            for p in path.rglob("*")
            if p.is_file() and p.name != "dossier.json"
        }
        raw = manifest_path.read_bytes()
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = [n for n in archive.namelist() if not n.endswith("/")]
                if "dossier.json" not in names:
                    raise _problem("thiếu dossier.json trong tệp zip.", "dossier.json is missing.")
                raw = archive.read("dossier.json")
                files = {n: archive.read(n) for n in names if n != "dossier.json"}
        except (zipfile.BadZipFile, OSError) as exc:
            raise _problem(
                "không phải thư mục hay tệp zip đọc được.", "not a readable directory or zip file."
            ) from exc
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _problem(
            f"dossier.json không phải JSON ({exc}).", f"dossier.json is not JSON ({exc})."
        ) from exc
    if not isinstance(manifest, dict):
        raise _problem("dossier.json phải là một đối tượng.", "dossier.json must be an object.")
    return BackfillBundle(manifest, files)


def _date(value: Any, field: str, now: datetime) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise _problem(
            f"'{field}' không phải thời điểm ISO 8601: {value!r}.",
            f"'{field}' is not an ISO 8601 time: {value!r}.",
            field=field,
        ) from exc
    if parsed.tzinfo is None:
        raise _problem(
            f"'{field}' thiếu múi giờ (ví dụ +07:00).",
            f"'{field}' has no offset (e.g. +07:00).",
            field=field,
        )
    if parsed > now:
        raise _problem(
            f"'{field}' là thời điểm trong tương lai ({value}).",
            f"'{field}' is in the future ({value}).",
            field=field,
        )
    return parsed


def _steps(manifest: Mapping[str, Any], submitted: datetime, now: datetime) -> list[BackfillStep]:
    steps, status, last = [], Status.SUBMITTED, submitted
    for i, raw in enumerate(manifest.get("history", [])):
        where = f"history[{i}]"
        try:
            action = Action(raw["action"])
        except (KeyError, ValueError, TypeError) as exc:
            raise _problem(f"{where}: thao tác không hợp lệ.", f"{where}: unknown action.") from exc
        at = _date(raw.get("at"), f"{where}.at", now)
        if at < last:
            raise _problem(
                f"{where}: thời điểm sớm hơn bước trước.",
                f"{where}: earlier than the previous step.",
            )
        transition = TRANSITIONS[action]
        if status not in transition.sources:
            raise _problem(
                f"{where}: không thể '{action}' khi hồ sơ đang '{status.label('vi')}'.",
                f"{where}: cannot '{action}' a dossier that is '{status.label('en')}'.",
            )
        note = (raw.get("note") or "").strip() or None
        if transition.needs_note and not note:
            raise _problem(f"{where}: cần ghi lý do.", f"{where}: a note is required.")
        steps.append(BackfillStep(action, at, str(raw.get("actor") or "unknown"), note))
        status, last = transition.target, at
    return steps


def _files(bundle: BackfillBundle) -> list[BackfillFile]:
    found = []
    for i, raw in enumerate(bundle.manifest.get("documents", [])):
        where = f"documents[{i}]"
        name = str(raw.get("file", ""))
        if name not in bundle.files:
            raise _problem(
                f"{where}: không có tệp '{name}'.", f"{where}: file '{name}' is missing."
            )
        media_type = str(raw.get("media_type", ""))
        if media_type not in ALLOWED_TYPES:
            raise _problem(
                f"{where}: định dạng '{media_type}' không được chấp nhận.",
                f"{where}: type '{media_type}' is not accepted.",
            )
        data = bundle.files[name]
        if len(data) > MAX_FILE_BYTES:
            raise _problem(f"{where}: tệp quá lớn.", f"{where}: file too large.")
        try:
            kind = DocumentKind(raw.get("kind", "attachment"))
        except ValueError as exc:
            raise _problem(f"{where}: loại tài liệu không hợp lệ.", f"{where}: bad kind.") from exc
        title = str(raw.get("title") or PurePosixPath(name).name)
        found.append(
            BackfillFile(
                kind, title, PurePosixPath(name).name, media_type, data, bool(raw.get("signed"))
            )
        )
    return found


def import_backfill(
    session: Session,
    store: ObjectStore,
    bundle: BackfillBundle,
    *,
    policy: DossierPolicy,
    actor: str,
    now: datetime | None = None,
) -> Dossier:
    """Validate everything, store the files, then record the dossier as backfilled."""
    now = now or utcnow()
    m = bundle.manifest
    code = str(m.get("code", ""))
    if not policy.code_format.matches(code):
        raise _problem(
            f"mã hồ sơ '{code}' không đúng định dạng.",
            f"dossier code '{code}' is malformed.",
            field="code",
        )
    procedure = load_procedure(session, str(m.get("procedure_code", "")))
    if procedure.agency_id not in code:
        raise _problem(
            f"mã hồ sơ không thuộc cơ quan {procedure.agency_id} giải quyết thủ tục này.",
            f"the dossier code is not of {procedure.agency_id}, which handles this procedure.",
            field="code",
        )
    if session.scalar(select(DossierRow.id).where(DossierRow.code == code)) is not None:
        raise _problem(f"hồ sơ {code} đã có trong hệ thống.", f"dossier {code} already exists.")
    applicant = m.get("applicant") or {}
    try:
        kind = ApplicantKind(applicant.get("kind", "person"))
    except ValueError as exc:
        raise _problem("loại người nộp không hợp lệ.", "unknown applicant kind.") from exc
    if not applicant.get("identifier") or not applicant.get("name"):
        raise _problem("thiếu thông tin người nộp.", "the applicant is incomplete.")
    submitted = _date(m.get("submitted_at"), "submitted_at", now)
    steps = _steps(m, submitted, now)
    files = _files(bundle)
    stored = _store_files(store, code, files)
    try:
        return _record_dossier(
            session,
            m,
            code,
            procedure,
            kind,
            applicant,
            submitted,
            steps,
            files,
            stored,
            policy=policy,
            actor=actor,
        )
    except Exception:
        for key in stored:
            store.delete(key)
        raise


def _store_files(store: ObjectStore, code: str, files: list[BackfillFile]) -> list[str]:
    keys = []
    try:
        for i, f in enumerate(files, start=1):
            key = f"dossiers/{code}/backfill/{i:02d}-{f.name}"
            store.put(
                key,
                io.BytesIO(f.data),
                sha256=hashlib.sha256(f.data).hexdigest(),
                content_type=f.media_type,
            )
            keys.append(key)
    except Exception:
        for key in keys:
            store.delete(key)
        raise
    return keys


def _record_dossier(
    session: Session,
    m: Mapping[str, Any],
    code: str,
    procedure: Any,
    kind: ApplicantKind,
    applicant: Mapping[str, Any],
    submitted: datetime,
    steps: list[BackfillStep],
    files: list[BackfillFile],
    keys: list[str],
    *,
    policy: DossierPolicy,
    actor: str,
) -> Dossier:
    row = DossierRow(
        code=code,
        procedure_code=procedure.code,
        agency_id=procedure.agency_id,
        form_code=m.get("form_code"),
        form_version=m.get("form_version"),
        applicant_kind=str(kind),
        applicant_identifier=str(applicant["identifier"]),
        applicant_name=str(applicant["name"]),
        channel=str(Channel.BACKFILLED),
        status=str(Status.SUBMITTED),
        data=dict(m.get("data") or {}),
        submitted_at=submitted,
        updated_at=submitted,
        backfilled=True,
    )
    session.add(row)
    session.flush()
    record_step(
        session,
        row,
        actor=f"{actor} (nhập bù)",
        role="officer",
        action="submit",
        from_status=None,
        note=None,
        now=submitted,
        source_ip=None,
        backfilled=True,
    )
    for step in steps:
        before = row.status
        apply_effects(
            row,
            TRANSITIONS[step.action].target,
            step.action,
            policy,
            procedure.processing_days,
            step.at,
        )
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
    for f, key in zip(files, keys, strict=True):
        row.documents.append(
            DossierDocumentRow(
                kind=str(f.kind),
                title=f.title,
                file_name=f.name,
                media_type=f.media_type,
                object_key=key,
                sha256=hashlib.sha256(f.data).hexdigest(),
                size=len(f.data),
                created_by=actor,
                signed=f.signed,
            )
        )
    if row.status == str(Status.CLOSED):
        session.add(ArchiveQueueRow(dossier_code=code))
    session.flush()
    return to_dossier(row)
