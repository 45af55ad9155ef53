"""Backups: the restore drill, incremental copies, verification and the schedule."""

from __future__ import annotations

import hashlib
import io
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import text

from portal import create_app
from portal.cli import cli
from portal.services import services
from portal.settings import Settings
from storage.audit import AuditEntry, record_event, verify_chain
from storage.backup import BackupKind, content_key, due_kind, list_backups, run_backup
from storage.errors import BackupError
from storage.fs_store import FsObjectStore
from storage.objects import Retention, RetentionMode, utc_now
from storage.restore import restore_backup, verify_backups
from storage.schema import AgencyRow, Base, UserRow
from tests.storage.old_layout import to_old_layout


def _app(data_dir: Path) -> Flask:
    app = create_app(Settings(data_dir=data_dir))
    services(app).db.upgrade()
    return app


def _seed(app: Flask, *, start: int, count: int) -> None:
    built = services(app)
    with built.db.unit_of_work() as session:
        if session.get(AgencyRow, "000.00.00.H56") is None:
            session.add(AgencyRow(id="000.00.00.H56", name_vi="Sở Tư pháp", name_en="DoJ"))
        for i in range(start, start + count):
            session.add(UserRow(username=f"citizen{i}", full_name=f"Nguyễn Văn {i}"))
            record_event(session, AuditEntry(actor="system", action="dossier.submit",
                                             object_id=f"G{i:03d}"))  # fmt: skip
    for i in range(start, start + count):
        built.object_store.put(
            f"dossiers/G{i:03d}/to-khai.pdf",
            io.BytesIO(f"%PDF-1.7 hồ sơ {i}".encode() * (50 * i + 1)),
            content_type="application/pdf",
        )


def _dump_tables(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with services(app).db.engine.connect() as conn:
        return {
            table: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY 1"))]
            for table in sorted(Base.metadata.tables)
        }


def _dump_objects(app: Flask) -> dict[str, tuple[bytes, Any, bool]]:
    store = services(app).object_store
    out = {}
    for info in store.list():
        with store.get(info.key) as reader:
            out[info.key] = (reader.read(), info.retention, info.legal_hold)
    return out


def test_restore_drill(tmp_path: Path) -> None:
    """Data with objects, back up twice, destroy the data dir, restore, all equal."""
    data_dir, target, restored = tmp_path / "var", tmp_path / "backup", tmp_path / "var2"
    app = _app(data_dir)
    _seed(app, start=1, count=5)
    store = services(app).object_store
    lock = Retention(RetentionMode.COMPLIANCE, utc_now() + timedelta(days=3650))
    store.put("archive/aip-1.zip", io.BytesIO(b"AIP"), retention=lock, legal_hold=True)
    services(app).job_ledger.create("archive.fixity", {"scope": "all"})
    (data_dir / "pki").mkdir()
    (data_dir / "pki" / "seal.key").write_bytes(b"demo key")
    runner = CliRunner()

    first = runner.invoke(cli, ["backup", "-o", str(target)], obj=app)
    assert first.exit_code == 0, first.output
    assert "(full)" in first.output

    _seed(app, start=6, count=3)
    second = runner.invoke(cli, ["backup", "-o", str(target)], obj=app)
    assert second.exit_code == 0, second.output
    assert "(incremental): 9 objects, 3 copied" in second.output

    checked = runner.invoke(cli, ["backup", "verify", str(target)])
    assert checked.exit_code == 0 and "OK" in checked.output, checked.output

    tables, objects = _dump_tables(app), _dump_objects(app)
    services(app).db.dispose()
    shutil.rmtree(data_dir)

    done = runner.invoke(cli, ["restore", str(target), "--into", str(restored)])
    assert done.exit_code == 0, done.output
    back = _app(restored)
    assert _dump_tables(back) == tables
    assert _dump_objects(back) == objects
    assert (restored / "pki" / "seal.key").read_bytes() == b"demo key"
    with services(back).db.unit_of_work() as session:
        assert verify_chain(session).ok
    assert services(back).object_store.get_legal_hold("archive/aip-1.zip")
    assert len(tables["users"]) == 8 and len(tables["audit_events"]) == 8
    assert len(tables["jobs"]) == 1 and len(objects) == 9


def test_an_installation_in_the_earlier_layout_backs_up_and_restores(tmp_path: Path) -> None:
    """Objects and a backup set the earlier two-file layout wrote, then the upgrade."""
    data_dir, target, restored = tmp_path / "var", tmp_path / "backup", tmp_path / "var2"
    app = _app(data_dir)
    _seed(app, start=1, count=3)
    lock = Retention(RetentionMode.COMPLIANCE, utc_now() + timedelta(days=3650))
    services(app).object_store.put("archive/aip-1.zip", io.BytesIO(b"AIP"), retention=lock)
    services(app).object_store.set_legal_hold("archive/aip-1.zip", True)
    run_backup(db=services(app).db, store=services(app).object_store, target=target)
    services(app).db.dispose()
    to_old_layout(data_dir / "objects")
    (backup_set,) = (target / "sets").iterdir()
    to_old_layout(backup_set)
    assert not list(data_dir.rglob("*#obj")) and not list(target.rglob("*#obj"))

    app = _app(data_dir)  # the upgraded service
    _seed(app, start=4, count=2)
    runner = CliRunner()
    second = runner.invoke(cli, ["backup", "-o", str(target)], obj=app)
    assert second.exit_code == 0, second.output
    assert "(incremental): 6 objects, 2 copied" in second.output
    checked = runner.invoke(cli, ["backup", "verify", str(target)])
    assert checked.exit_code == 0 and "OK" in checked.output, checked.output
    tables, objects = _dump_tables(app), _dump_objects(app)
    services(app).db.dispose()
    shutil.rmtree(data_dir)

    done = runner.invoke(cli, ["restore", str(target), "--into", str(restored)])
    assert done.exit_code == 0, done.output
    back = _app(restored)
    assert _dump_tables(back) == tables
    assert _dump_objects(back) == objects and len(objects) == 6
    assert services(back).object_store.get_legal_hold("archive/aip-1.zip")


def test_older_backup_stays_restorable_after_objects_change(tmp_path: Path) -> None:
    app = _app(tmp_path / "var")
    store = services(app).object_store
    store.put("d/x", io.BytesIO(b"version 1"))
    db = services(app).db
    old = run_backup(db=db, store=store, target=tmp_path / "b")
    store.put("d/x", io.BytesIO(b"version 2"))
    run_backup(db=db, store=store, target=tmp_path / "b", kind=BackupKind.INCREMENTAL)
    restore_backup(tmp_path / "b", into=tmp_path / "r", backup_id=old.id)
    assert (tmp_path / "r" / "eforms.db").is_file()
    app2 = _app(tmp_path / "r")
    with services(app2).object_store.get("d/x") as reader:
        assert reader.read() == b"version 1"


def test_verify_finds_a_damaged_copy(tmp_path: Path) -> None:
    app = _app(tmp_path / "var")
    store = services(app).object_store
    info = store.put("d/x", io.BytesIO(b"precious"))
    run_backup(db=services(app).db, store=store, target=tmp_path / "b")
    (backup_set,) = (tmp_path / "b" / "sets").iterdir()
    copy = FsObjectStore(backup_set).object_file(content_key(info.sha256))
    damaged = bytearray(copy.read_bytes())
    damaged[: len(b"precious")] = b"damaged!"  # the content, not the record after it
    copy.write_bytes(bytes(damaged))
    report = verify_backups(tmp_path / "b")
    assert not report.ok
    assert "d/x" in report.problems[0] and "SHA-256" in report.problems[0]
    result = CliRunner().invoke(cli, ["backup", "verify", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert content_key(info.sha256).startswith("sha256/")
    with pytest.raises(Exception, match="SHA-256"):
        restore_backup(tmp_path / "b", into=tmp_path / "r")
    assert not (tmp_path / "r").exists(), "a failed restore leaves nothing behind"


def test_restore_refuses_a_non_empty_directory(tmp_path: Path) -> None:
    app = _app(tmp_path / "var")
    run_backup(db=services(app).db, store=services(app).object_store, target=tmp_path / "b")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "eforms.db").write_text("live data")
    with pytest.raises(BackupError) as caught:
        restore_backup(tmp_path / "b", into=tmp_path / "busy")
    assert "not empty" in caught.value.message_en
    assert (tmp_path / "busy" / "eforms.db").read_text() == "live data"


def test_monthly_full_daily_incremental(tmp_path: Path) -> None:
    app = _app(tmp_path / "var")
    db, store, target = services(app).db, services(app).object_store, tmp_path / "b"
    days = [datetime(2026, 11, d, 1, 0, tzinfo=UTC) for d in (1, 2, 30)]
    days.append(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    kinds = [run_backup(db=db, store=store, target=target, now=day).kind for day in days]
    assert kinds == ["full", "incremental", "incremental", "full"]
    assert due_kind(target, now=datetime(2026, 12, 2, tzinfo=UTC)) is BackupKind.INCREMENTAL
    assert [m["set"] for m in list_backups(target)][2] == list_backups(target)[0]["id"]


def test_a_failed_backup_leaves_no_backup(tmp_path: Path) -> None:
    app = _app(tmp_path / "var")
    store = services(app).object_store
    store.put("d/x", io.BytesIO(b"x"))
    source = store.object_file("d/x")
    # The source's content rots: the copy's check fails.
    source.write_bytes(b"r" + source.read_bytes()[1:])
    with pytest.raises(Exception, match="SHA-256"):
        run_backup(db=services(app).db, store=store, target=tmp_path / "b")
    assert list_backups(tmp_path / "b") == []
    assert [p.name for p in (tmp_path / "b" / "backups").iterdir()] == []
    assert hashlib.sha256(b"x").hexdigest()
