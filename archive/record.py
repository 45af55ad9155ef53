"""The input of packaging: a snapshot of a closed dossier.

The dossier package (issue 6) will produce a :class:`DossierRecord` when a
dossier closes; until then records come from JSON files
(:func:`load_record`), whose document entries name files relative to the
JSON file. Everything here is plain data: no database, no Flask.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from archive.codes import AccessMode, DocumentRole, RetentionCode
from archive.errors import InvalidRecordError
from schemas import SCHEMAS_DIR


@dataclass(frozen=True)
class StatusChange:
    """One step of the dossier's processing history."""

    status: str
    at: datetime
    officer: str = ""
    """Name of the officer or leader who acted."""
    opinion: str = ""
    """The processing opinion (ý kiến xử lý) recorded with the step."""


@dataclass(frozen=True)
class AuditEvent:
    """An audit event of the dossier, carried into PREMIS."""

    action: str
    at: datetime
    actor: str
    outcome: str = "success"


@dataclass(frozen=True)
class DocumentRecord:
    """One document of the dossier with what is known about it."""

    role: DocumentRole
    title: str
    file_name: str
    mime_type: str
    read_bytes: Callable[[], bytes] = field(repr=False, compare=False)
    """Returns the document's bytes (the file may be large; called when packaging)."""
    document_type: str = ""
    """Loại văn bản (Tờ khai, Giấy khai sinh, Quyết định...)."""
    number_symbol: str = ""
    """Số và ký hiệu (e.g. ``125/QĐ-UBND``)."""
    issued: date | None = None
    issuing_agency: str = ""
    summary: str = ""
    """Trích yếu nội dung."""
    signer_name: str = ""
    signer_position: str = ""
    language: str = "vi"
    page_count: int | None = None
    """Left None to count it from the PDF."""


@dataclass(frozen=True)
class DossierRecord:
    """A closed dossier, ready to be described and packaged."""

    dossier_code: str
    procedure_code: str
    procedure_name: str
    agency_id: str
    agency_name: str
    applicant_kind: str
    """``person`` or ``organisation``."""
    applicant_id: str
    """12-digit personal id or enterprise/tax code."""
    applicant_name: str
    submitted: datetime
    closed: datetime
    retention: RetentionCode
    access: AccessMode = AccessMode.RESTRICTED
    retention_years: int | None = None
    """Years for retention code ``07``."""
    language: str = "vi"
    keywords: tuple[str, ...] = ()
    history: tuple[StatusChange, ...] = ()
    documents: tuple[DocumentRecord, ...] = ()
    audit_events: tuple[AuditEvent, ...] = ()


def _when(value: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise _bad(name, value) from exc
    if moment.tzinfo is None:
        raise _bad(name, value)
    return moment


def _bad(name: str, value: Any) -> InvalidRecordError:
    return InvalidRecordError(
        f"Mục '{name}' của hồ sơ không hợp lệ: {value!r}.",
        f"Dossier item '{name}' is missing or malformed: {value!r}.",
        details={"item": name},
    )


def _document(raw: Mapping[str, Any], base: Path, n: int) -> DocumentRecord:
    path = base / str(raw.get("file", ""))
    if not raw.get("file") or not path.is_file():
        raise _bad(f"documents[{n}].file", raw.get("file"))
    issued = raw.get("issued")
    return DocumentRecord(
        role=DocumentRole(raw.get("role", "other")),
        title=str(raw.get("title") or path.stem),
        file_name=str(raw.get("file_name") or path.name),
        mime_type=str(raw.get("mime_type", "application/pdf")),
        read_bytes=path.read_bytes,
        document_type=str(raw.get("document_type", "")),
        number_symbol=str(raw.get("number_symbol", "")),
        issued=date.fromisoformat(issued) if issued else None,
        issuing_agency=str(raw.get("issuing_agency", "")),
        summary=str(raw.get("summary", "")),
        signer_name=str(raw.get("signer_name", "")),
        signer_position=str(raw.get("signer_position", "")),
        language=str(raw.get("language", "vi")),
    )


def record_from_dict(raw: Mapping[str, Any], *, base: Path) -> DossierRecord:
    """Build a record from its JSON form; files are read relative to ``base``."""
    try:
        return DossierRecord(
            dossier_code=str(raw["dossier_code"]),
            procedure_code=str(raw["procedure_code"]),
            procedure_name=str(raw["procedure_name"]),
            agency_id=str(raw["agency_id"]),
            agency_name=str(raw["agency_name"]),
            applicant_kind=str(raw.get("applicant_kind", "person")),
            applicant_id=str(raw["applicant_id"]),
            applicant_name=str(raw["applicant_name"]),
            submitted=_when(raw.get("submitted"), "submitted"),
            closed=_when(raw.get("closed"), "closed"),
            retention=RetentionCode(str(raw["retention"])),
            access=AccessMode(str(raw.get("access", "02"))),
            retention_years=raw.get("retention_years"),
            language=str(raw.get("language", "vi")),
            keywords=tuple(raw.get("keywords", ())),
            history=tuple(
                StatusChange(
                    status=str(h["status"]),
                    at=_when(h.get("at"), "history.at"),
                    officer=str(h.get("officer", "")),
                    opinion=str(h.get("opinion", "")),
                )
                for h in raw.get("history", ())
            ),
            documents=tuple(
                _document(d, base, n) for n, d in enumerate(raw.get("documents", ()), 1)
            ),
            audit_events=tuple(
                AuditEvent(
                    action=str(e["action"]),
                    at=_when(e.get("at"), "audit_events.at"),
                    actor=str(e.get("actor", "system")),
                    outcome=str(e.get("outcome", "success")),
                )
                for e in raw.get("audit_events", ())
            ),
        )
    except KeyError as exc:
        raise _bad(str(exc.args[0]), None) from exc
    except ValueError as exc:
        raise InvalidRecordError(
            f"Hồ sơ có giá trị không hợp lệ: {exc}.",
            f"The dossier record has an invalid value: {exc}.",
        ) from exc


def load_record(path: Path) -> DossierRecord:
    """Read a record from a JSON file (documents relative to its folder).

    The file is checked against ``schemas/dossier-record.schema.json`` first,
    and every mismatch is listed.
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidRecordError(
            f"Không đọc được tệp hồ sơ {path}: {exc}.",
            f"Cannot read the dossier record file {path}: {exc}.",
        ) from exc
    problems = sorted(
        _record_validator().iter_errors(raw), key=lambda e: list(map(str, e.absolute_path))
    )
    if problems:
        listed = "; ".join(
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in problems[:10]
        )
        raise InvalidRecordError(
            f"Tệp hồ sơ {path} không đúng lược đồ: {listed}.",
            f"The dossier record file {path} does not match its schema: {listed}.",
            details={"problems": [e.message for e in problems]},
        )
    return record_from_dict(raw, base=Path(path).parent)


@functools.cache
def _record_validator() -> Draft202012Validator:
    schema = json.loads((SCHEMAS_DIR / "dossier-record.schema.json").read_text("utf-8"))
    return Draft202012Validator(schema)
