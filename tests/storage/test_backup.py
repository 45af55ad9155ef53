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
from storage.audit import AuditEntry, record_event
from storage.backup import BackupKind, content_key, due_kind, list_backups, run_backup
from storage.errors import BackupError
from storage.fs_store import FsObjectStore
from storage.objects import Retention, RetentionMode, utc_now
from storage.restore import restore_backup, verify_backups
from storage.schema import AgencyRow, Base, UserRow
from tests.storage.drill import audit_chain, dossiers_with_bytes, submit_dossiers
from tests.storage.old_layout import to_old_layout


def _app(data_dir: Path) -> Flask:
    app = create_app(Settings(data_dir=data_dir))
    services(app).db.upgrade()
    return app


def _seed(app: Flask, *, start: int, count: int) -> None:
    """Rows in a few tables and one object per row, without the dossier machinery."""
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
    """Real dossiers with stored documents; full and incremental backups; the data
    directory (database and object store) destroyed; restored into a new one: every
    dossier, every document byte and hash, and the audit chain come back."""
    data_dir, target, restored = tmp_path / "var", tmp_path / "backup", tmp_path / "var2"
    app = _app(data_dir)
    first_codes = submit_dossiers(app, start=1, count=4)
    store = services(app).object_store
    lock = Retention(RetentionMode.COMPLIANCE, utc_now() + timedelta(days=3650))
    store.put("archive/aip-1.zip", io.BytesIO(b"AIP"), retention=lock, legal_hold=True)
    services(app).job_ledger.create("archive.fixity", {"scope": "all"})
    (data_dir / "pki").mkdir()
    (data_dir / "pki" / "seal.key").write_bytes(b"demo key")
    runner = CliRunner()

    first = runner.invoke(cli, ["backup", "-o", str(target)], obj=app)
    assert first.exit_code == 0, first.output
    assert "(full): 9 objects" in first.output

    later_codes = submit_dossiers(app, start=5, count=2)
    second = runner.invoke(cli, ["backup", "-o", str(target)], obj=app)
    assert second.exit_code == 0, second.output
    assert "(incremental): 13 objects, 4 copied" in second.output

    checked = runner.invoke(cli, ["backup", "verify", str(target)])
    assert checked.exit_code == 0 and "OK" in checked.output, checked.output

    dossiers, chain = dossiers_with_bytes(app), audit_chain(app)
    assert sorted(dossiers) == sorted(first_codes + later_codes)
    assert chain[0] and chain[1] > 6 * 3
    tables, objects = _dump_tables(app), _dump_objects(app)
    services(app).db.dispose()
    shutil.rmtree(data_dir)

    done = runner.invoke(cli, ["restore", str(target), "--into", str(restored)])
    assert done.exit_code == 0, done.output
    back = _app(restored)
    assert dossiers_with_bytes(back) == dossiers
    assert audit_chain(back) == chain
    verified = runner.invoke(cli, ["audit", "verify"], obj=back)
    assert verified.exit_code == 0 and f"OK: {chain[1]} events" in verified.output
    listed = runner.invoke(cli, ["dossiers", "list"], obj=back)
    assert all(code in listed.output for code in dossiers), listed.output
    assert _dump_tables(back) == tables
    assert _dump_objects(back) == objects
    assert (restored / "pki" / "seal.key").read_bytes() == b"demo key"
    assert services(back).object_store.get_legal_hold("archive/aip-1.zip")
    assert len(tables["dossiers"]) == 6 and len(tables["dossier_documents"]) == 12
    assert len(tables["jobs"]) == 1 and len(objects) == 13


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


def _damage_one_object(target: Path) -> None:
    """Overwrite the first bytes of one object's content in a backup set (not its record)."""
    copy = next(p for p in (target / "sets").rglob("*#obj") if p.stat().st_size > 64)
    damaged = bytearray(copy.read_bytes())
    damaged[:8] = b"damaged!"
    copy.write_bytes(bytes(damaged))


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
    with pytest.raises(BackupError, match="SHA-256") as caught:
        restore_backup(tmp_path / "b", into=tmp_path / "r")
    assert "d/x" in caught.value.message_vi and "chưa có gì bị thay đổi" in caught.value.message_vi
    assert "nothing was changed" in caught.value.message_en
    assert not (tmp_path / "r").exists(), "a failed restore leaves nothing behind"
    assert not (tmp_path / ".r.restoring").exists()


def test_a_damaged_backup_leaves_the_empty_target_directory_untouched(tmp_path: Path) -> None:
    app = _app(tmp_path / "var")
    submit_dossiers(app, start=1, count=2)
    run_backup(db=services(app).db, store=services(app).object_store, target=tmp_path / "b")
    _damage_one_object(tmp_path / "b")
    (tmp_path / "new").mkdir()
    result = CliRunner().invoke(
        cli, ["restore", str(tmp_path / "b"), "--into", str(tmp_path / "new")]
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, BackupError)
    assert list((tmp_path / "new").iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_damaged_data_file_is_found_before_anything_is_written(tmp_path: Path) -> None:
    app = _app(tmp_path / "var")
    (tmp_path / "var" / "pki").mkdir()
    (tmp_path / "var" / "pki" / "seal.key").write_bytes(b"demo key")
    made = run_backup(
        db=services(app).db,
        store=services(app).object_store,
        target=tmp_path / "b",
        data_dir=tmp_path / "var",
    )
    (made.path / "files" / "pki" / "seal.key").write_bytes(b"someone else's key")
    with pytest.raises(BackupError) as caught:
        restore_backup(tmp_path / "b", into=tmp_path / "r")
    assert "pki/seal.key" in caught.value.message_en
    assert not (tmp_path / "r").exists() and not (tmp_path / ".r.restoring").exists()


class _Intruder:
    """A progress reporter that writes into the target directory while objects are staged,
    as another process could."""

    def __init__(self, into: Path) -> None:
        self.into = into

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        if message.startswith("objects"):
            self.into.mkdir(exist_ok=True)
            (self.into / "eforms.db").write_text("someone else's data")


def test_a_directory_filled_during_the_restore_is_left_alone(tmp_path: Path) -> None:
    app = _app(tmp_path / "var")
    services(app).object_store.put("d/x", io.BytesIO(b"x"))
    run_backup(db=services(app).db, store=services(app).object_store, target=tmp_path / "b")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(tmp_path / "b", into=tmp_path / "r", progress=_Intruder(tmp_path / "r"))
    assert [p.name for p in (tmp_path / "r").iterdir()] == ["eforms.db"]
    assert (tmp_path / "r" / "eforms.db").read_text() == "someone else's data"
    assert not (tmp_path / ".r.restoring").exists()


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
