"""A dossier closed in the dossier package becomes a package, and its archive queue entry
is marked ingested."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from archive.demo import render_pdfa
from archive.errors import ArchiveError
from dossiers import DossierPolicy
from dossiers.backfill import import_backfill, read_bundle
from portal import create_app
from portal.archive_records import dossier_record
from portal.cli import cli
from portal.services import services
from signing.demo_pki import DemoPKI
from storage.fs_store import FsObjectStore
from storage.jobs import JobState
from storage.schema.archive import ArchiveFileRow
from storage.schema.dossiers import ArchiveQueueRow
from tests.conftest import install_seeded_db, make_settings
from tests.harness.metrics import scrape

CODE = "000.00.00.H56-261120-0042"
STEPS = [
    ("receive", "2026-11-20T08:30:00+07:00", "officer"),
    ("start_processing", "2026-11-20T09:00:00+07:00", "officer"),
    ("submit_for_approval", "2026-11-21T09:00:00+07:00", "officer"),
    ("approve", "2026-11-21T10:00:00+07:00", "leader"),
    ("issue_result", "2026-11-21T10:05:00+07:00", "leader"),
    ("close", "2026-11-21T15:00:00+07:00", "officer"),
]


@pytest.fixture
def app_with_pki(
    tmp_path: Path, seeded_sqlite: Path, pki: DemoPKI, pki_server: object
) -> Iterator[Flask]:
    """An app whose archive trusts the test PKI's root."""
    roots = tmp_path / "roots.pem"
    roots.write_bytes(pki.root_pem())
    settings = make_settings(tmp_path / "data", archive_trust_roots=str(roots))
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    yield app
    services(app).jobs.shutdown()
    services(app).db.dispose()


def _backfill(app: Flask, tmp_path: Path, seal: Callable[[bytes], bytes], steps: list) -> None:
    folder = tmp_path / "bundle"
    (folder / "files").mkdir(parents=True)
    (folder / "files" / "to-khai.pdf").write_bytes(render_pdfa("TỜ KHAI", ["Trần Văn An"]))
    (folder / "files" / "giay-khai-sinh.pdf").write_bytes(
        seal(render_pdfa("GIẤY KHAI SINH", ["x"]))
    )
    manifest = {
        "code": CODE,
        "procedure_code": "1.001193",
        "applicant": {"kind": "person", "identifier": "001203012345", "name": "Trần Văn An"},
        "submitted_at": "2026-11-20T08:00:00+07:00",
        "history": [{"action": a, "at": at, "actor": who} for a, at, who in steps],
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
                "file": "files/giay-khai-sinh.pdf",
                "media_type": "application/pdf",
                "signed": True,
            },
        ],
    }
    (folder / "dossier.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    built = services(app)
    import_backfill(
        built.db,
        built.object_store,
        read_bundle(folder),
        policy=DossierPolicy(),
        actor="officer",
    )


def test_a_closed_dossier_is_built_ingested_and_dequeued(
    app_with_pki: Flask, tmp_path: Path, seal: Callable[[bytes], bytes]
) -> None:
    _backfill(app_with_pki, tmp_path, seal, STEPS)
    record = dossier_record(services(app_with_pki), CODE)
    assert [d.role.value for d in record.documents] == ["form", "result"]
    assert record.history[-1].status == "closed"
    out = tmp_path / "out"
    runner = CliRunner()
    built = runner.invoke(cli, ["archive", "build", CODE, "-o", str(out)], obj=app_with_pki)
    assert built.exit_code == 0, built.output
    ingested = runner.invoke(
        cli, ["archive", "ingest", str(out / CODE), "--actor", "archivist"], obj=app_with_pki
    )
    assert ingested.exit_code == 0, ingested.output
    with services(app_with_pki).db.unit_of_work() as session:
        assert session.get(ArchiveQueueRow, CODE).state == "ingested"


def test_the_queue_is_processed(
    app_with_pki: Flask, tmp_path: Path, seal: Callable[[bytes], bytes]
) -> None:
    _backfill(app_with_pki, tmp_path, seal, STEPS)
    runner = CliRunner()
    listed = runner.invoke(cli, ["archive", "queue"], obj=app_with_pki)
    assert CODE in listed.output and "1 dossier(s) pending" in listed.output
    done = runner.invoke(
        cli, ["archive", "queue", "--process", "--actor", "archivist"], obj=app_with_pki
    )
    assert done.exit_code == 0 and f"{CODE}: ingested" in done.output, done.output
    assert (
        "0 dossier(s) pending" in runner.invoke(cli, ["archive", "queue"], obj=app_with_pki).output
    )


def test_an_open_dossier_is_not_archived(
    app_with_pki: Flask, tmp_path: Path, seal: Callable[[bytes], bytes]
) -> None:
    _backfill(app_with_pki, tmp_path, seal, STEPS[:2])
    with pytest.raises(ArchiveError) as caught:
        dossier_record(services(app_with_pki), CODE)
    assert caught.value.code == "archive.dossier_open"


def test_ingest_verdicts_and_fixity_failures_reach_the_metrics(
    app_with_pki: Flask, tmp_path: Path, seal: Callable[[bytes], bytes]
) -> None:
    """Ingest verifies through the app's verifier; the fixity job counts a changed object."""
    assert not scrape(app_with_pki.test_client()).has("eforms_fixity_last_run_timestamp_seconds")
    _backfill(app_with_pki, tmp_path, seal, STEPS)
    client = app_with_pki.test_client()
    before = scrape(client)
    done = CliRunner().invoke(
        cli, ["archive", "queue", "--process", "--actor", "archivist"], obj=app_with_pki
    )
    assert f"{CODE}: ingested" in done.output, done.output
    ingested = scrape(client)
    verdicts = "eforms_verifications_total"
    assert ingested.since(before, verdicts, indication="TOTAL_PASSED") > 0
    assert ingested.total(verdicts) - before.total(verdicts) == ingested.since(
        before, verdicts, indication="TOTAL_PASSED"
    )

    built = services(app_with_pki)
    store = built.object_store
    assert isinstance(store, FsObjectStore)
    with built.db.unit_of_work() as session:
        key = session.scalars(
            select(ArchiveFileRow.object_key).where(ArchiveFileRow.path.like("%.pdf"))
        ).first()
    blob = store.object_file(key)
    blob.chmod(0o644)
    data = bytearray(blob.read_bytes())
    data[100] ^= 0xFF
    blob.write_bytes(bytes(data))
    job = built.jobs.wait(built.jobs.submit("archive.fixity_audit", {}), timeout=60)
    assert job.state is JobState.SUCCEEDED and job.result["totals"]["changed"] == 1
    audited = scrape(client)
    failures = "eforms_fixity_failures_total"
    assert audited.since(ingested, failures, outcome="changed") == 1
    assert audited.total(failures) - ingested.total(failures) == 1
    # The latest run is also read from the database, whichever process ran it.
    last_run = "eforms_fixity_last_run_objects"
    assert audited.value(last_run, outcome="changed") == 1
    assert audited.value(last_run, outcome="ok") == job.result["totals"]["ok"] > 0
    assert audited.value("eforms_fixity_last_run_timestamp_seconds") > 0
