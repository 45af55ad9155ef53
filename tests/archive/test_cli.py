"""``eforms archive``: build the demo dossier, validate, ingest, find, retrieve, audit, hold."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from lxml import etree
from sqlalchemy import select

from archive.errors import AccessDeniedError, DisposalNotPermittedError, DisposalRefusedError
from portal import create_app
from portal.accounts import PermissionDeniedError
from portal.accounts.errors import InvalidCredentialsError
from portal.cli import cli
from portal.demo import DEMO_PASSWORD
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import UserRow
from storage.schema.archive import ArchiveFileRow, ArchivePackageRow
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


def run(app: Flask, *args: str, password: str = DEMO_PASSWORD) -> Result:
    """``eforms archive ARGS``; the disposal steps read the actor's password from stdin."""
    return CliRunner().invoke(
        cli, ["archive", *args], obj=app, catch_exceptions=False, input=f"{password}\n"
    )


def test_build_validate_ingest_find_retrieve_audit(archive_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = run(archive_app, "build", CODE, "-o", str(out), "--demo", "--bagit")
    assert built.exit_code == 0, built.output
    package = out / CODE
    assert (out / f"{CODE}.bag" / "bagit.txt").is_file()
    checked = run(archive_app, "validate", str(package))
    assert checked.exit_code == 0 and "OK" in checked.output
    ingested = run(archive_app, "ingest", str(package), "--actor", "archivist")
    assert ingested.exit_code == 0, ingested.output
    found = run(archive_app, "search", "--applicant", "001203012345")
    assert CODE in found.output and "1 package(s)" in found.output
    dip = tmp_path / "dip.zip"
    got = run(
        archive_app,
        "retrieve",
        CODE,
        "-o",
        str(dip),
        "--reason",
        "Công dân yêu cầu",
        "--actor",
        "archivist",
    )
    assert got.exit_code == 0, got.output
    with zipfile.ZipFile(dip) as archive:
        for name in archive.namelist():
            original = package / name.split("/", 1)[1]
            if original.is_file() and "METS" not in name and "PREMIS" not in name:
                assert (
                    hashlib.sha256(archive.read(name)).digest()
                    == hashlib.sha256(original.read_bytes()).digest()
                ), name
    audited = run(archive_app, "audit", "--all", "--actor", "archivist")
    assert audited.exit_code == 0, audited.output
    assert "changed 0" in audited.output
    share = run(archive_app, "audit", "--actor", "archivist")
    assert share.exit_code == 0 and "sample of 1" in share.output, share.output
    assert run(archive_app, "dispose", "list").exit_code == 0
    held = run(
        archive_app,
        *("dispose", "hold", CODE, "--title", "Vụ kiện", "--mandate", "Tòa án"),
        *("--actor", "archivist"),
    )
    assert held.exit_code == 0, held.output
    with services(archive_app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(object_id=CODE), limit=100)
        actions = {r.action for r in rows}
    assert {"archive.ingest", "archive.access", "archive.hold.place"} <= actions


def _signature_events(premis: Path) -> list[tuple[str, str]]:
    """(outcome, detail) of every signature validation event in a PREMIS file."""
    ns = {"p": "http://www.loc.gov/premis/v3"}
    root = etree.parse(str(premis)).getroot()
    return [
        (
            ev.findtext("p:eventOutcomeInformation/p:eventOutcome", namespaces=ns) or "",
            ev.findtext("p:eventDetailInformation/p:eventDetail", namespaces=ns) or "",
        )
        for ev in root.iterfind("p:event", ns)
        if ev.findtext("p:eventType", namespaces=ns) == "digital signature validation"
    ]


def test_build_demo_records_a_passed_signature_check(archive_app: Flask, tmp_path: Path) -> None:
    """The demo PKI answers OCSP while the package is built, so PREMIS says the seal passed."""
    out = tmp_path / "out"
    built = run(archive_app, "build", CODE, "-o", str(out), "--demo")
    assert built.exit_code == 0, built.output
    assert "GHI CHÚ" not in built.output, built.output
    events = _signature_events(out / CODE / "metadata/preservation/PREMIS.xml")
    assert events == [("success", "TOTAL_PASSED")]
    assert not services(archive_app).signing.serving  # the command stops what it started


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


def _build_and_ingest(app: Flask, tmp_path: Path, *overrides: str) -> Path:
    out = tmp_path / "out"
    sets = [arg for item in overrides for arg in ("--set", item)]
    assert run(app, "build", CODE, "-o", str(out), "--demo", *sets).exit_code == 0
    ingested = run(app, "ingest", str(out / CODE), "--actor", "archivist")
    assert ingested.exit_code == 0, ingested.output
    return out / CODE


def test_the_actor_must_be_an_active_account_holding_the_role(
    archive_app: Flask, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run(archive_app, "build", CODE, "-o", str(out), "--demo").exit_code == 0
    missing = CliRunner().invoke(cli, ["archive", "ingest", str(out / CODE)], obj=archive_app)
    assert missing.exit_code == 2 and "--actor" in missing.output
    with pytest.raises(PermissionDeniedError) as unknown:
        run(archive_app, "ingest", str(out / CODE), "--actor", "nobody")
    assert (
        "'nobody'" in unknown.value.message_vi and "No active account" in unknown.value.message_en
    )
    with pytest.raises(PermissionDeniedError) as no_role:
        run(archive_app, "ingest", str(out / CODE), "--actor", "leader")
    assert "Lưu trữ viên" in no_role.value.message_vi
    assert "Archivist role" in no_role.value.message_en
    assert "0 package(s)" in run(archive_app, "search", "--dossier-code", CODE).output
    with services(archive_app).db.unit_of_work() as session:
        session.scalar(select(UserRow).where(UserRow.username == "archivist")).active = False
    with pytest.raises(PermissionDeniedError):
        run(archive_app, "ingest", str(out / CODE), "--actor", "archivist")


def _expired_package(app: Flask, package_id: str) -> None:
    with services(app).db.unit_of_work() as session:
        session.add(
            ArchivePackageRow(
                id=package_id,
                dossier_code=package_id,
                procedure_code="1.004222",
                procedure_name="Đăng ký thường trú",
                agency_id="000.00.00.H56",
                applicant_id="001203012345",
                applicant_name="Nguyễn Văn A",
                title="Hồ sơ hết hạn",
                start_date="2010-01-04",
                end_date="2010-01-20",
                retention_code="06",
                retention_years=None,
                expires_at=datetime(2021, 1, 1, tzinfo=UTC),
                schedule="TTHC-10",
                action="destroy",
                access_mode="02",
                state="active",
                store_prefix=f"aip/{package_id}/x",
                ingested_by="archivist",
            )
        )


def test_one_account_cannot_both_propose_and_approve_a_disposal(archive_app: Flask) -> None:
    _expired_package(archive_app, "000.00.00.H56-100104-0001")
    proposed = run(
        archive_app, "dispose", "propose", "000.00.00.H56-100104-0001", "--actor", "archivist"
    )
    assert proposed.exit_code == 0 and "Proposal 1" in proposed.output, proposed.output
    approve = ("dispose", "approve", "1", "--decision", "QĐ 3/QĐ-SNV")
    # Naming the leader is not enough: the leader's own password is asked for.
    with pytest.raises(InvalidCredentialsError):
        run(archive_app, *approve, "--actor", "leader", password="not-the-password")
    with services(archive_app).db.unit_of_work() as session:
        assert session.get(ArchivePackageRow, "000.00.00.H56-100104-0001").state == "active"
        tries, _ = search_events(session, AuditFilter(action="auth.login", actor="leader"))
    assert [t.details for t in tries] == [{"reason": "bad_password"}]
    with pytest.raises(PermissionDeniedError) as no_role:
        run(archive_app, *approve, "--actor", "archivist")
    assert "Lãnh đạo" in no_role.value.message_vi and "Leader role" in no_role.value.message_en
    granted = CliRunner().invoke(
        cli, ["users", "grant", "archivist", "leader", "--agency", "000.00.00.H56"], obj=archive_app
    )
    assert granted.exit_code == 0, granted.output
    with pytest.raises(DisposalRefusedError) as same:
        run(archive_app, *approve, "--actor", "Archivist")
    assert "phải khác người đề xuất" in same.value.message_vi
    assert "must not be the proposer" in same.value.message_en
    approved = run(archive_app, *approve, "--actor", "leader")
    assert approved.exit_code == 0 and "disposal bin" in approved.output, approved.output


def test_a_leader_of_another_agency_cannot_approve_a_disposal(archive_app: Flask) -> None:
    code = "000.00.00.H56-100104-0002"
    _expired_package(archive_app, code)
    assert run(archive_app, "dispose", "propose", code, "--actor", "archivist").exit_code == 0
    approve = ("dispose", "approve", "1", "--decision", "QĐ 4/QĐ-SXD")
    for other in ("leader2", "leader.ca"):  # construction, police: not the packages' agency
        with pytest.raises(DisposalNotPermittedError) as refused:
            run(archive_app, *approve, "--actor", other)
        assert "chỉ lãnh đạo cơ quan 000.00.00.H56 được phê duyệt" in refused.value.message_vi
        assert "only a leader of 000.00.00.H56 may approve" in refused.value.message_en
    with services(archive_app).db.unit_of_work() as session:
        assert session.get(ArchivePackageRow, code).state == "active"
        rows, _ = search_events(session, AuditFilter(action="archive.disposal.approve"))
    assert sorted((r.actor, r.outcome) for r in rows) == [
        ("leader.ca", "denied"),
        ("leader2", "denied"),
    ]
    approved = run(archive_app, *approve, "--actor", "leader")
    assert approved.exit_code == 0 and code in approved.output, approved.output


def test_clearance_comes_from_the_account_not_a_flag(archive_app: Flask, tmp_path: Path) -> None:
    _build_and_ingest(archive_app, tmp_path, "access=03")
    dip = tmp_path / "dip.zip"
    ask = ("retrieve", CODE, "-o", str(dip), "--reason", "Yêu cầu của Tòa án")
    flag = CliRunner().invoke(
        cli, ["archive", *ask, "--actor", "archivist", "--clearance", "03"], obj=archive_app
    )
    assert flag.exit_code == 2 and not dip.exists()
    with pytest.raises(AccessDeniedError):
        run(archive_app, *ask, "--actor", "archivist")
    assert not dip.exists()
    opened = run(archive_app, *ask, "--actor", "leader")
    assert opened.exit_code == 0 and dip.is_file(), opened.output
    with services(archive_app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(action="archive.access"), limit=10)
    assert sorted((r.actor, r.outcome, r.role) for r in rows) == [
        ("archivist", "denied", "archivist"),
        ("leader", "success", "leader"),
    ]


def test_validate_with_the_ocsp_responder_down_prints_no_traceback(
    archive_app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "out"
    assert run(archive_app, "build", CODE, "-o", str(out), "--demo").exit_code == 0
    caplog.clear()
    checked = run(archive_app, "validate", str(out / CODE))  # the demo PKI is not served now
    assert checked.exit_code == 0, checked.output
    assert "Traceback" not in checked.output
    assert not [r for r in caplog.records if r.name.startswith("pyhanko")]
    assert "GHI CHÚ" in checked.output and "OCSP/CRL server not answering" in checked.output
    assert "TRY_LATER" in checked.output and "WARNING [signature]" in checked.output


def test_audit_names_the_changed_file(archive_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(archive_app, "build", CODE, "-o", str(out), "--demo").exit_code == 0
    assert run(archive_app, "ingest", str(out / CODE), "--actor", "archivist").exit_code == 0
    store = services(archive_app).object_store
    with services(archive_app).db.unit_of_work() as session:
        target = session.scalars(
            select(ArchiveFileRow).where(ArchiveFileRow.path.like("%.pdf"))
        ).first()
        assert target is not None
        key, path = target.object_key, target.path
    blob = store.object_file(key)
    blob.chmod(0o644)
    data = bytearray(blob.read_bytes())
    data[50] ^= 0xFF
    blob.write_bytes(bytes(data))

    audited = run(archive_app, "audit", "--all", "--actor", "archivist")
    assert audited.exit_code == 1
    assert "changed 1" in audited.output
    assert f"changed: {CODE}/{path}" in audited.output and key in audited.output
