"""In Chromium: a dossier closed through the dossier package is packaged and
ingested; an archivist finds it by its code, opens it as a DIP with a reason,
and every archived file in the download matches; the audit trail holds every
step."""

from __future__ import annotations

import hashlib
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from archive.builder import BuiltPackage, build_package
from archive.demo import render_pdfa
from archive.ingest import ingest
from archive.report_verifier import ReportVerifier
from dossiers import DossierPolicy
from dossiers.backfill import import_backfill, read_bundle
from portal.archive_records import dossier_record
from portal.demo import DEMO_PASSWORD
from portal.services import services
from signing.demo_pki import DEMO_PIN, DemoPKI
from signing.pades import sign_document
from signing.pkcs12_signer import Pkcs12Signer
from signing.pki_server import PkiServer
from signing.validation.model import RevocationPolicy
from signing.validation.trust_store import TrustStore
from storage.audit import AuditFilter, search_events
from storage.testing import free_port
from tests.e2e.conftest import LiveServer, log_in

pytestmark = pytest.mark.e2e
CODE = "000.00.00.H56-261120-0077"


def _close_and_ingest_a_dossier(live_server: LiveServer, tmp_path: Path) -> BuiltPackage:
    """A dossier closed through the dossier package (offline backfill), then packaged."""
    pki = DemoPKI.load_or_create(tmp_path / "pki", port=free_port())
    signer = Pkcs12Signer(pki.pkcs12_path("000.00.00.H56"), DEMO_PIN)
    with PkiServer(pki):
        result = sign_document(
            render_pdfa("GIẤY KHAI SINH", ["Trần Thị Bé"]), signer=signer, trust=pki.trust()
        ).pdf
    folder = tmp_path / "bundle"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "to-khai.pdf").write_bytes(render_pdfa("TỜ KHAI", ["Trần Văn An"]))
    (folder / "files" / "ket-qua.pdf").write_bytes(result)
    steps = [
        "receive",
        "start_processing",
        "submit_for_approval",
        "approve",
        "issue_result",
        "close",
    ]
    manifest = {
        "code": CODE,
        "procedure_code": "1.001193",
        "applicant": {"kind": "person", "identifier": "001203012345", "name": "Trần Văn An"},
        "submitted_at": "2026-11-20T08:00:00+07:00",
        "history": [
            {"action": a, "at": f"2026-11-20T{9 + i:02d}:00:00+07:00", "actor": "officer"}
            for i, a in enumerate(steps)
        ],
        "documents": [
            {
                "kind": "form",
                "title": "Tờ khai",
                "file": "files/to-khai.pdf",
                "media_type": "application/pdf",
            },
            {
                "kind": "result",
                "title": "Giấy khai sinh",
                "file": "files/ket-qua.pdf",
                "media_type": "application/pdf",
                "signed": True,
            },
        ],
    }
    (folder / "dossier.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    built = services(live_server.app)
    import_backfill(
        built.db,
        built.object_store,
        read_bundle(folder),
        policy=DossierPolicy(),
        actor="officer",
    )
    # The archive trusts the root of the PKI that sealed the result (and only it):
    # a signature it cannot chain to a trusted root is refused at ingest.
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pki.root_pem())
    verifier = ReportVerifier(TrustStore.from_pem_files([roots]), revocation=RevocationPolicy.BOTH)
    record = dossier_record(built, CODE)
    with PkiServer(pki):
        sip = build_package(record, out_dir=tmp_path / "sips", verifier=verifier)
        ingest(
            sip.path, db=built.db, store=built.object_store, verifier=verifier, actor="archivist"
        )
    return sip


def test_archivist_finds_and_downloads_a_dip(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    # Playwright's sync API keeps an event loop in this thread; pyHanko runs its
    # own with asyncio.run, so the signing and ingest happen in a worker thread.
    with ThreadPoolExecutor(1) as worker:
        sip = worker.submit(_close_and_ingest_a_dossier, live_server, tmp_path).result()
    built = services(live_server.app)

    base = live_server.url
    log_in(page, base, "archivist", DEMO_PASSWORD)
    page.goto(f"{base}/archive/")
    page.get_by_label("Mã hồ sơ").fill(CODE)
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("cell", name=CODE)).to_be_visible()
    page.get_by_label("Lý do").fill("Công dân đề nghị cấp bản sao")
    with page.expect_download() as info:
        page.get_by_role("button", name="Tải gói (DIP)").click()
    zipped = tmp_path / "dip.zip"
    info.value.save_as(zipped)

    rewritten = {"METS.xml", "representations/rep1/METS.xml", "metadata/preservation/PREMIS.xml"}
    with zipfile.ZipFile(zipped) as dip:
        names = [n.split("/", 1)[1] for n in dip.namelist()]
        for rel in (p.relative_to(sip.path).as_posix() for p in sip.path.rglob("*")):
            if (sip.path / rel).is_file() and rel not in rewritten:
                original = hashlib.sha256((sip.path / rel).read_bytes()).hexdigest()
                assert hashlib.sha256(dip.read(f"{CODE}/{rel}")).hexdigest() == original, rel
    assert any(n.endswith("data/02_ket-qua.pdf") for n in names)

    with built.db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(object_id=CODE), limit=50)
    actions = [r.action for r in reversed(rows)]
    assert actions[-2:] == ["archive.ingest", "archive.access"], actions
    assert any(a.startswith("dossier.") for a in actions[:-2]), actions
    assert rows[0].actor == "archivist"
    assert rows[0].details["reason"] == "Công dân đề nghị cấp bản sao"
