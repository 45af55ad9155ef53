"""Real dossiers for the restore drills, and what must come back after a restore.

Dossiers are submitted through ``dossiers.submit`` by the demo citizen (the
demo seed makes the agencies, procedures and accounts), their documents
stored in the installation's object store and attached with
``add_document``; the officer receives some of them, so history and audit
hold more than the submission.
"""

from __future__ import annotations

import hashlib
import io

from flask import Flask
from sqlalchemy import select

from dossiers import (
    ActingUser,
    Action,
    Actor,
    Applicant,
    ApplicantKind,
    DocumentKind,
    Dossier,
    Submission,
    act,
    add_document,
    get_dossier,
    submit,
)
from portal.demo import DEMO_CITIZEN_ID, DEMO_PROCEDURES, HOME, seed_demo
from portal.services import services
from storage.audit import verify_chain
from storage.schema import UserRow
from storage.schema.dossiers import DossierRow


def _documents(n: int) -> list[tuple[DocumentKind, str, str, bytes]]:
    """A filled form and a scanned attachment, of different sizes per dossier."""
    form = b"%PDF-1.7\n" + f"To khai so {n}: Nguyen Van An\n".encode() * (40 * n + 1)
    scan = bytes((n * 31 + i) % 256 for i in range(2048 * n + 7))
    return [
        (DocumentKind.FORM, "to-khai.pdf", "application/pdf", form),
        (DocumentKind.ATTACHMENT, "cccd.jpg", "image/jpeg", scan),
    ]


def submit_dossiers(app: Flask, *, start: int, count: int) -> list[str]:
    """Submit ``count`` dossiers with two stored documents each; return their codes."""
    built = services(app)
    seed_demo(built.db)
    with built.db.unit_of_work() as session:
        citizen = session.scalars(select(UserRow).where(UserRow.username == "citizen")).one()
        officer = session.scalars(select(UserRow).where(UserRow.username == "officer")).one()
    codes = []
    for n in range(start, start + count):
        procedure = DEMO_PROCEDURES[n % len(DEMO_PROCEDURES)]
        with built.db.unit_of_work() as session:
            dossier = submit(
                session,
                Submission(
                    procedure_code=procedure.code,
                    applicant=Applicant(
                        ApplicantKind.PERSON, DEMO_CITIZEN_ID, citizen.full_name, citizen.id
                    ),
                    data={"ho_ten": citizen.full_name, "so_thu_tu": n},
                    form_code=procedure.form_code,
                    form_version="1",
                    idempotency_key=f"drill-{n}",
                ),
                policy=built.dossier_policy,
                actor="citizen",
            )
            for kind, name, media_type, data in _documents(n):
                key = f"dossiers/{dossier.code}/{name}"
                digest = hashlib.sha256(data).hexdigest()
                built.object_store.put(
                    key, io.BytesIO(data), sha256=digest, content_type=media_type
                )
                add_document(
                    session, dossier.code, kind=kind, title=name, file_name=name,
                    media_type=media_type, object_key=key, sha256=digest, size=len(data),
                    created_by="citizen",
                )  # fmt: skip
            if procedure.agency_id == HOME:
                user = ActingUser("officer", Actor.OFFICER, frozenset({HOME}), officer.id)
                act(session, dossier.code, Action.RECEIVE, user=user, policy=built.dossier_policy)
        codes.append(dossier.code)
    return codes


def dossiers_with_bytes(app: Flask) -> dict[str, tuple[Dossier, list[bytes]]]:
    """Every dossier as the services read it, with each document's bytes.

    Each document is read from the object store (the store checks its own
    SHA-256 as it reads) and checked against the SHA-256 and size the
    dossier recorded.
    """
    built = services(app)
    with built.db.unit_of_work() as session:
        codes = session.scalars(select(DossierRow.code).order_by(DossierRow.code)).all()
        dossiers = [get_dossier(session, code) for code in codes]
    out: dict[str, tuple[Dossier, list[bytes]]] = {}
    for dossier in dossiers:
        contents = []
        for doc in dossier.documents:
            with built.object_store.get(doc.object_key) as reader:
                data = reader.read()
            assert hashlib.sha256(data).hexdigest() == doc.sha256, doc.object_key
            assert len(data) == doc.size, doc.object_key
            contents.append(data)
        out[dossier.code] = (dossier, contents)
    return out


def audit_chain(app: Flask) -> tuple[bool, int]:
    """Whether the audit trail's hash chain holds, and how many events it has."""
    with services(app).db.unit_of_work() as session:
        report = verify_chain(session)
    return report.ok, report.events


__all__ = ["audit_chain", "dossiers_with_bytes", "submit_dossiers"]
