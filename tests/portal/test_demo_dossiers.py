"""Demo dossiers: every demo procedure in every status, signed results, idempotent."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select

from dossiers import DocumentKind, Status, get_dossier
from forms_builder.library import install_library
from portal import create_app
from portal.accounts import Role
from portal.demo import DEMO_ACCOUNTS, DEMO_AGENCIES, DEMO_PROCEDURES
from portal.demo_dossiers import PATHS, STAFF, seed_demo_dossiers
from portal.services import Services, services
from signing.demo_identities import IDENTITIES, identity
from storage.schema.dossiers import ArchiveQueueRow, DossierRow
from tests.conftest import install_seeded_db, make_settings
from tests.signing.conftest import validate_all


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def app(tmp_path: Path, seeded_sqlite: Path) -> Iterator[Flask]:
    settings = make_settings(tmp_path / "data", pki_port=_free_port())
    install_seeded_db(seeded_sqlite, settings.data_dir)
    application = create_app(settings)
    install_library(services(application).forms)
    yield application
    services(application).signing.stop()
    services(application).db.dispose()


def test_every_status_of_every_procedure_then_nothing_more(app: Flask) -> None:
    svc = services(app)
    started = time.monotonic()
    created = seed_demo_dossiers(svc, base_url="http://127.0.0.1:5000", echo=lambda _: None)
    print(f"seeded {created} demo dossiers in {time.monotonic() - started:.1f} s")
    assert created == len(DEMO_PROCEDURES) * len(PATHS) == 33
    with svc.db.unit_of_work() as session:
        pairs = set(session.execute(select(DossierRow.procedure_code, DossierRow.status)))
        assert pairs == {(p.code, str(s)) for p in DEMO_PROCEDURES for s in Status}
        closed = session.scalars(select(DossierRow.code).where(DossierRow.status == "closed"))
        closed_dossiers = [get_dossier(session, c) for c in closed]
        queued = session.scalar(select(func.count()).select_from(ArchiveQueueRow))
    assert queued == len(closed_dossiers) == len(DEMO_PROCEDURES)
    for dossier in closed_dossiers:
        (result,) = dossier.documents_of(DocumentKind.RESULT)
        with svc.object_store.get(result.object_key) as reader:
            verdicts = validate_all(reader.read(), svc.signing.pki)
        assert len(verdicts) == 2 and all(v.valid and v.trusted for v in verdicts.values())
        assert dossier.documents_of(DocumentKind.FORM)
        # Signed by this agency's own leader and sealed with its own seal.
        leader = next(a for a in DEMO_ACCOUNTS if a.username == STAFF[dossier.agency_id][1])
        agency = next(a for a in DEMO_AGENCIES if a.id == dossier.agency_id)
        assert _signers(svc, result.object_key) == {
            "leader_1": leader.full_name,
            "seal_1": agency.name_vi,
        }
    assert seed_demo_dossiers(svc, base_url="http://127.0.0.1:5000", echo=lambda _: None) == 0


def _signers(svc: Services, key: str) -> dict[str, str]:
    """The common name of each signature's certificate, by field."""
    with svc.object_store.get(key) as reader:
        pdf = PdfFileReader(io.BytesIO(reader.read()))
        return {
            s.field_name: s.signer_cert.subject.native["common_name"]
            for s in pdf.embedded_signatures
        }


def test_demo_certificates_carry_the_demo_accounts_and_agencies_names() -> None:
    ids = {i.id for i in IDENTITIES}
    agencies = {a.id: a.name_vi for a in DEMO_AGENCIES}
    for account in DEMO_ACCOUNTS:
        if account.role is Role.LEADER:
            assert account.username in ids, f"{account.username} has no demo certificate"
        if account.username in ids:
            ident = identity(account.username)
            assert ident.common_name == account.full_name, account.username
            if account.role is not Role.CITIZEN:
                assert ident.organization == agencies[account.agency_id], account.username
    for agency_id, name in agencies.items():
        assert identity(agency_id).common_name == name
