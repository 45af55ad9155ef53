"""Backup and restore of a PostgreSQL installation (pg_dump / pg_restore).

The drill wipes the live database and data directory and restores into the
same, now empty, database. The failure paths show that a damaged backup, or
a target database that is not empty, changes nothing: the database is
restored only after every file and object has been staged and verified,
and in one transaction.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import inspect, text

from portal import create_app
from portal.cli import cli
from portal.services import services
from portal.settings import Settings
from storage.db import Database
from storage.errors import BackupError
from storage.restore import restore_backup
from storage.testing import PostgresServer, postgres_bin_dir, postgres_server
from tests.storage.drill import audit_chain, dossiers_with_bytes, submit_dossiers

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    if postgres_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries not installed")
    with postgres_server() as server:
        yield server


def _installation(data_dir: Path, url: str) -> Flask:
    app = create_app(Settings(data_dir=data_dir, database_url=url))
    services(app).db.upgrade()
    return app


def _backed_up(tmp_path: Path, pg: PostgresServer, name: str) -> tuple[Flask, str, Path]:
    """A live installation with dossiers, and a full backup of it in ``tmp_path/b``."""
    url = pg.create_database(name)
    app = _installation(tmp_path / "var", url)
    submit_dossiers(app, start=1, count=3)
    made = CliRunner().invoke(cli, ["backup", "-o", str(tmp_path / "b")], obj=app)
    assert made.exit_code == 0, made.output
    return app, url, tmp_path / "b"


def _tables(url: str) -> list[str]:
    db = Database(url)
    try:
        return inspect(db.engine).get_table_names()
    finally:
        db.dispose()


def _wipe(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    db.dispose()


def test_postgres_restore_drill(tmp_path: Path, pg: PostgresServer) -> None:
    """Dossiers with documents; back up; wipe database and data dir; restore; all back."""
    app, url, target = _backed_up(tmp_path, pg, "eforms_live")
    assert (next((target / "backups").iterdir()) / "database.pgdump").is_file()
    dossiers, chain = dossiers_with_bytes(app), audit_chain(app)
    assert len(dossiers) == 3 and chain[0]
    services(app).db.dispose()
    _wipe(url)
    assert _tables(url) == []

    runner = CliRunner()
    done = runner.invoke(
        cli,
        ["restore", str(target), "--into", str(tmp_path / "new"), "--database-url", url],
    )
    assert done.exit_code == 0, done.output
    back = create_app(Settings(data_dir=tmp_path / "new", database_url=url))
    assert dossiers_with_bytes(back) == dossiers
    assert audit_chain(back) == chain
    verified = runner.invoke(cli, ["audit", "verify"], obj=back)
    assert verified.exit_code == 0 and f"OK: {chain[1]} events" in verified.output
    services(back).db.dispose()


def test_a_damaged_object_leaves_the_database_and_directory_untouched(
    tmp_path: Path, pg: PostgresServer
) -> None:
    app, _, target = _backed_up(tmp_path, pg, "eforms_damaged")
    services(app).db.dispose()
    blob = next(p for p in (target / "sets").rglob("*#obj") if p.stat().st_size > 64)
    damaged = bytearray(blob.read_bytes())
    damaged[:8] = b"damaged!"  # the content, not the record after it
    blob.write_bytes(bytes(damaged))
    empty = pg.create_database("eforms_damaged_restore")
    with pytest.raises(BackupError) as caught:
        restore_backup(target, into=tmp_path / "new", database_url=empty)
    assert "nothing was changed" in caught.value.message_en
    assert _tables(empty) == [], "the database is restored only after every object is verified"
    assert not (tmp_path / "new").exists() and not (tmp_path / ".new.restoring").exists()


def test_a_database_that_is_not_empty_is_refused_before_anything_is_written(
    tmp_path: Path, pg: PostgresServer
) -> None:
    app, url, target = _backed_up(tmp_path, pg, "eforms_busy")
    before = dossiers_with_bytes(app)
    services(app).object_store.put("dossiers/extra.pdf", io.BytesIO(b"%PDF-1.7 newer"))
    with pytest.raises(BackupError) as caught:
        restore_backup(target, into=tmp_path / "new", database_url=url)
    assert "already has" in caught.value.message_en and "createdb" in caught.value.message_en
    assert "đã có" in caught.value.message_vi
    assert not (tmp_path / "new").exists() and not (tmp_path / ".new.restoring").exists()
    assert dossiers_with_bytes(app) == before
    services(app).db.dispose()


def test_restoring_a_postgres_backup_needs_a_database_url(
    tmp_path: Path, pg: PostgresServer
) -> None:
    url = pg.create_database("eforms_other")
    app = _installation(tmp_path / "var", url)
    runner = CliRunner()
    assert runner.invoke(cli, ["backup", "-o", str(tmp_path / "b")], obj=app).exit_code == 0
    result = runner.invoke(cli, ["restore", str(tmp_path / "b"), "--into", str(tmp_path / "n")])
    assert result.exit_code != 0
    assert "--database-url" in str(result.exception)
    assert not (tmp_path / "n").exists()
    sqlite = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(BackupError, match="postgresql://"):
        restore_backup(tmp_path / "b", into=tmp_path / "n", database_url=sqlite)
    services(app).db.dispose()


class _LateIntruder:
    """Writes into the target directory once the database is restored, before the rename:
    the one moment a restore cannot undo."""

    def __init__(self, into: Path) -> None:
        self.into = into

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        if message.startswith("database restored"):
            self.into.mkdir()
            (self.into / "notes.txt").write_text("someone was here")


def test_a_failed_final_rename_says_what_is_where_and_how_to_finish(
    tmp_path: Path, pg: PostgresServer
) -> None:
    app, _, target = _backed_up(tmp_path, pg, "eforms_rename")
    dossiers = dossiers_with_bytes(app)
    services(app).db.dispose()
    empty = pg.create_database("eforms_rename_restore")
    into, staging = tmp_path / "new", tmp_path / ".new.restoring"
    with pytest.raises(BackupError) as caught:
        restore_backup(target, into=into, database_url=empty, progress=_LateIntruder(into))
    message = caught.value.message_en
    assert "was restored" in message and f"mv {staging} {into}" in message
    assert f"mv {staging} {into}" in caught.value.message_vi
    assert caught.value.details["staging"] == str(staging)
    assert staging.is_dir() and _tables(empty) != []

    (into / "notes.txt").unlink()  # following the message finishes the restore
    into.rmdir()
    staging.rename(into)
    back = create_app(Settings(data_dir=into, database_url=empty))
    assert dossiers_with_bytes(back) == dossiers
    services(back).db.dispose()
