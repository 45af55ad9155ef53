"""A citizen's form drafts and their submission as a dossier.

A draft is saved on every step of filling (its ``id`` is random and is the
submission's idempotency key) and records the form version it was started
on. Attachments are stored in the object store under ``drafts/<id>/`` before
the draft row names them. Submitting creates the dossier, renders the filled
form to PDF/A, stores it, links the form and the attachments to the dossier
and marks the draft, all in one transaction; objects the failed transaction
would have named are removed again, so nothing is half-stored.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dossiers.errors import DraftNotFoundError
from dossiers.model import Applicant, DocumentKind, Dossier, Submission
from dossiers.services import DossierPolicy, add_document, get_dossier, submit
from forms_builder.codelists import CodeLists
from forms_builder.model import FormDefinition
from forms_builder.rendering import render_pdf
from storage.db import Database
from storage.ports import ObjectStore
from storage.schema import utcnow
from storage.schema.citizen import FormDraftRow
from storage.schema.dossiers import DossierRow

_ATTEMPTS = 5


DRAFT_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,43}")
"""What a draft id looks like (``secrets.token_urlsafe(16)``)."""


@dataclass(frozen=True)
class StoredAttachment:
    key: str
    file_name: str
    media_type: str
    sha256: str
    size: int
    field: str | None = None
    """The attachment field of the form it answers (dotted path), if the citizen said."""

    def reference(self) -> dict[str, Any]:
        """How the form data names the file (what the attachment field's schema checks)."""
        return {
            "name": self.file_name,
            "media_type": self.media_type,
            "size": self.size,
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class Draft:
    id: str
    user_id: int
    procedure_code: str
    form_code: str
    form_version: int
    data: Mapping[str, Any]
    attachments: tuple[StoredAttachment, ...]
    dossier_code: str | None


def _to_draft(row: FormDraftRow) -> Draft:
    return Draft(
        id=row.id,
        user_id=row.user_id,
        procedure_code=row.procedure_code,
        form_code=row.form_code,
        form_version=row.form_version,
        data=dict(row.data or {}),
        attachments=tuple(StoredAttachment(**a) for a in row.attachments or []),
        dossier_code=row.dossier_code,
    )


def _row(session: Session, draft_id: str, user_id: int) -> FormDraftRow:
    row = session.get(FormDraftRow, draft_id)
    if row is None or row.user_id != user_id:
        raise DraftNotFoundError(
            "Không tìm thấy bản nháp này.",
            "This draft was not found.",
            details={"draft": draft_id},
        )
    return row


def create_draft(
    session: Session,
    *,
    user_id: int,
    procedure_code: str,
    definition: FormDefinition,
    data: Mapping[str, Any],
    draft_id: str | None = None,
) -> Draft:
    """A new draft of ``definition`` (its version is recorded) opened with ``data``.

    ``draft_id``: the token the form page carried (see :data:`DRAFT_TOKEN`), so
    that a second press of the first page's buttons finds this draft.
    """
    row = FormDraftRow(
        id=draft_id or new_draft_token(),
        user_id=user_id,
        procedure_code=procedure_code,
        form_code=definition.code,
        form_version=definition.version,
        data=dict(data),
        attachments=[],
    )
    session.add(row)
    session.flush()
    return _to_draft(row)


def new_draft_token() -> str:
    """A fresh, unguessable draft id (what the first page of a form carries)."""
    return secrets.token_urlsafe(16)


def find_draft(session: Session, draft_id: str, *, user_id: int) -> Draft | None:
    """The citizen's draft ``draft_id``, or None (also for someone else's)."""
    row = session.get(FormDraftRow, draft_id)
    return _to_draft(row) if row is not None and row.user_id == user_id else None


def load_draft(session: Session, draft_id: str, *, user_id: int) -> Draft:
    """The citizen's draft; ``DraftNotFoundError`` for a missing one or someone else's."""
    return _to_draft(_row(session, draft_id, user_id))


def save_draft(session: Session, draft_id: str, *, user_id: int, data: Mapping[str, Any]) -> Draft:
    """Replace the draft's data (a submitted draft is left as it was)."""
    row = _row(session, draft_id, user_id)
    if row.dossier_code is None:
        row.data = dict(data)
        row.updated_at = utcnow()
    return _to_draft(row)


def list_drafts(session: Session, *, user_id: int) -> list[Draft]:
    """The citizen's drafts not yet submitted, newest first."""
    rows = session.scalars(
        select(FormDraftRow)
        .where(FormDraftRow.user_id == user_id, FormDraftRow.dossier_code.is_(None))
        .order_by(FormDraftRow.updated_at.desc())
    )
    return [_to_draft(r) for r in rows]


def add_attachment(
    db: Database,
    store: ObjectStore,
    draft_id: str,
    *,
    user_id: int,
    file_name: str,
    data: bytes,
    media_type: str,
    field: str | None = None,
) -> StoredAttachment:
    """Store an already checked file under ``drafts/<id>/`` and name it in the draft.

    ``field`` is the attachment field of the form the file answers, if any.
    """
    with db.unit_of_work() as session:
        row = _row(session, draft_id, user_id)
        index = len(row.attachments or [])
    sha256 = hashlib.sha256(data).hexdigest()
    key = f"drafts/{draft_id}/{index:02d}-{sha256[:16]}"
    store.put(key, io.BytesIO(data), sha256=sha256, content_type=media_type)
    stored = StoredAttachment(key, _safe_name(file_name), media_type, sha256, len(data), field)
    try:
        with db.unit_of_work() as session:
            row = _row(session, draft_id, user_id)
            row.attachments = [*(row.attachments or []), stored.__dict__.copy()]
            row.updated_at = utcnow()
    except BaseException:
        store.delete(key)
        raise
    return stored


def _safe_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (base or "tep-dinh-kem")[:120]


@dataclass(frozen=True)
class SubmitRequest:
    """What the portal checked and hands over for one submission."""

    draft: Draft
    definition: FormDefinition
    data: dict[str, Any]
    """Cleaned data accepted by ``validate_submission`` (locked values already re-checked)."""
    applicant: Applicant
    actor: str
    base_url: str
    code_lists: CodeLists | None = None
    source_ip: str | None = None
    sign: Callable[[bytes], bytes] | None = None
    """Signs the rendered form for the applicant (PAdES); None submits it unsigned."""


def submit_draft(
    db: Database, store: ObjectStore, request: SubmitRequest, *, policy: DossierPolicy
) -> tuple[Dossier, bool]:
    """The dossier of the draft and whether this call created it.

    Idempotent: the draft id is the idempotency key, so a second submit (a
    double click, a retry, a race) returns the first dossier.
    """
    draft = request.draft
    if draft.dossier_code:
        with db.unit_of_work() as session:
            return get_dossier(session, draft.dossier_code), False
    for attempt in range(_ATTEMPTS):
        written: list[str] = []
        try:
            with db.unit_of_work() as session:
                return _submit_in(session, store, request, policy, written)
        except IntegrityError:
            # A concurrent submit of the same draft won: return its dossier.
            # Anything else that collided (not expected: dossier numbers are
            # drawn atomically) is tried again.
            _remove(store, written)
            with db.unit_of_work() as session:
                code = session.scalar(
                    select(DossierRow.code).where(DossierRow.idempotency_key == draft.id)
                )
                if code is not None:
                    return get_dossier(session, code), False
            if attempt == _ATTEMPTS - 1:
                raise
        except BaseException:
            _remove(store, written)
            raise
    raise AssertionError("unreachable")


def _submit_in(
    session: Session,
    store: ObjectStore,
    request: SubmitRequest,
    policy: DossierPolicy,
    written: list[str],
) -> tuple[Dossier, bool]:
    draft = request.draft
    dossier = submit(
        session,
        Submission(
            procedure_code=draft.procedure_code,
            applicant=request.applicant,
            data=request.data,
            form_code=draft.form_code,
            form_version=str(draft.form_version),
            idempotency_key=draft.id,
        ),
        policy=policy,
        actor=request.actor,
        source_ip=request.source_ip,
    )
    if dossier.documents:
        _row(session, draft.id, draft.user_id).dossier_code = dossier.code
        return dossier, False
    rendered = render_pdf(
        request.definition,
        request.data,
        dossier_code=dossier.code,
        base_url=request.base_url,
        code_lists=request.code_lists,
    )
    pdf = request.sign(rendered.pdf) if request.sign else rendered.pdf
    sha256 = hashlib.sha256(pdf).hexdigest()
    key = f"dossiers/{dossier.code}/form-{sha256[:16]}-{secrets.token_hex(4)}.pdf"
    written.append(key)
    store.put(key, io.BytesIO(pdf), sha256=sha256, content_type="application/pdf")
    add_document(
        session,
        dossier.code,
        kind=DocumentKind.FORM,
        title=request.definition.title.vi,
        file_name=f"{dossier.code}.pdf",
        media_type="application/pdf",
        object_key=key,
        sha256=sha256,
        size=len(pdf),
        created_by=request.actor,
        signed=request.sign is not None,
    )
    for attachment in draft.attachments:
        add_document(
            session,
            dossier.code,
            kind=DocumentKind.ATTACHMENT,
            title=attachment.file_name,
            file_name=attachment.file_name,
            media_type=attachment.media_type,
            object_key=attachment.key,
            sha256=attachment.sha256,
            size=attachment.size,
            created_by=request.actor,
        )
    row = _row(session, draft.id, draft.user_id)
    row.dossier_code = dossier.code
    row.data = request.data
    return get_dossier(session, dossier.code), True


def _remove(store: ObjectStore, keys: list[str]) -> None:
    for key in keys:
        store.delete(key)
