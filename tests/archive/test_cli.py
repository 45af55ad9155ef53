"""``eforms archive``: build the demo dossier, validate, ingest, find, retrieve, audit, hold."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from portal import create_app
from portal.cli import cli
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.testing import free_port
from tests.conftest import install_seeded_db, make_settings

CODE = "000.00.00.H56-261122-0042"


@pytest.fixture
def archive_app(tmp_path: Path, seeded_sqlite: Path) -> Iterator[Flask]:
    settings = make_settings(tmp_path / "data", pki_port=free_port())
    install_seeded_db(seeded_sqlite, settings.data_dir)
    app = create_app(settings)
    yield app
    services(app).jobs.shutdown()
    services(app).db.dispose()


def run(app: Flask, *args: str) -> Result:
    return CliRunner().invoke(cli, ["archive", *args], obj=app, catch_exceptions=False)


def test_build_validate_ingest_find_retrieve_audit(archive_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = run(archive_app, "build", CODE, "-o", str(out), "--demo", "--bagit")
    assert built.exit_code == 0, built.output
    package = out / CODE
    assert (out / f"{CODE}.bag" / "bagit.txt").is_file()
    checked = run(archive_app, "validate", str(package))
    assert checked.exit_code == 0 and "OK" in checked.output
    ingested = run(archive_app, "ingest", str(package))
    assert ingested.exit_code == 0, ingested.output
    found = run(archive_app, "search", "--applicant", "001203012345")
    assert CODE in found.output and "1 package(s)" in found.output
    dip = tmp_path / "dip.zip"
    got = run(archive_app, "retrieve", CODE, "-o", str(dip), "--reason", "Công dân yêu cầu")
    assert got.exit_code == 0, got.output
    with zipfile.ZipFile(dip) as archive:
        for name in archive.namelist():
            original = package / name.split("/", 1)[1]
            if original.is_file() and "METS" not in name and "PREMIS" not in name:
                assert (
                    hashlib.sha256(archive.read(name)).digest()
                    == hashlib.sha256(original.read_bytes()).digest()
                ), name
    audited = run(archive_app, "audit", "--all")
    assert audited.exit_code == 0, audited.output
    assert "changed 0" in audited.output
    share = run(archive_app, "audit")
    assert share.exit_code == 0 and "sample of 1" in share.output, share.output
    assert run(archive_app, "dispose", "list").exit_code == 0
    held = run(archive_app, "dispose", "hold", CODE, "--title", "Vụ kiện", "--mandate", "Tòa án")
    assert held.exit_code == 0, held.output
    with services(archive_app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(object_id=CODE), limit=100)
        actions = {r.action for r in rows}
    assert {"archive.ingest", "archive.access", "archive.hold.place"} <= actions


def test_build_applies_the_archivists_corrections(archive_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = run(
        archive_app,
        "build",
        CODE,
        "-o",
        str(out),
        "--demo",
        "--procedure",
        "1.013225",
        "--set",
        "title=Hồ sơ cấp phép xây dựng nhà xưởng",
        "--set",
        "keywords=xây dựng,nhà xưởng",
        "--set",
        "doc1.summary=Đơn đề nghị cấp phép",
    )
    assert built.exit_code == 0, built.output
    ead = (out / CODE / "metadata/descriptive/EAD.xml").read_text()
    assert "<title>Hồ sơ cấp phép xây dựng nhà xưởng</title>" in ead
    assert "<keyword>nhà xưởng</keyword>" in ead
    doc1 = (out / CODE / "representations/rep1/metadata/descriptive/EAD_doc_1.xml").read_text()
    assert "<summary>Đơn đề nghị cấp phép</summary>" in doc1
    bad = CliRunner().invoke(
        cli,
        ["archive", "build", CODE, "-o", str(tmp_path / "x"), "--demo", "--set", "colour=blue"],
        obj=archive_app,
    )
    assert bad.exit_code != 0 and not (tmp_path / "x" / CODE).exists()


def test_validate_exits_1_with_the_problems(archive_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(archive_app, "build", CODE, "-o", str(out), "--demo").exit_code == 0
    next((out / CODE / "representations/rep1/data").glob("01_*")).unlink()
    checked = CliRunner().invoke(cli, ["archive", "validate", str(out / CODE)], obj=archive_app)
    assert checked.exit_code == 1
    assert "missing_file" in checked.output
