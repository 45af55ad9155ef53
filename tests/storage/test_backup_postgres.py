"""Backup and restore of a PostgreSQL installation (pg_dump / pg_restore)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from portal import create_app
from portal.cli import cli
from portal.services import services
from portal.settings import Settings
from storage.audit import AuditEntry, record_event, verify_chain
from storage.testing import PostgresServer, postgres_bin_dir, postgres_server

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresServer]:
    if postgres_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries not installed")
    with postgres_server() as server:
        yield server


def test_postgres_backup_restores_into_an_empty_database(
    tmp_path: Path, pg: PostgresServer
) -> None:
    source_url = pg.create_database("eforms_live")
    app = create_app(Settings(data_dir=tmp_path / "var", database_url=source_url))
    built = services(app)
    built.db.upgrade()
    with built.db.unit_of_work() as session:
        for i in range(5):
            record_event(session, AuditEntry(actor="system", action="dossier.submit",
                                             object_id=f"G{i}"))  # fmt: skip
    built.object_store.put("dossiers/G0/a.pdf", io.BytesIO(b"%PDF-1.7 a"))
    runner = CliRunner()
    made = runner.invoke(cli, ["backup", "-o", str(tmp_path / "b")], obj=app)
    assert made.exit_code == 0, made.output
    assert (next((tmp_path / "b" / "backups").iterdir()) / "database.pgdump").is_file()

    target_url = pg.create_database("eforms_restored")
    done = runner.invoke(
        cli,
        ["restore", str(tmp_path / "b"), "--into", str(tmp_path / "new"),
         "--database-url", target_url],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    back = create_app(Settings(data_dir=tmp_path / "new", database_url=target_url))
    with services(back).db.unit_of_work() as session:
        assert verify_chain(session).ok
        rows = session.execute(text("SELECT object_id FROM audit_events ORDER BY id")).all()
    assert [r[0] for r in rows] == [f"G{i}" for i in range(5)]
    with services(back).object_store.get("dossiers/G0/a.pdf") as reader:
        assert reader.read() == b"%PDF-1.7 a"
    built.db.dispose()
    services(back).db.dispose()


def test_restoring_a_postgres_backup_needs_a_database_url(
    tmp_path: Path, pg: PostgresServer
) -> None:
    url = pg.create_database("eforms_other")
    app = create_app(Settings(data_dir=tmp_path / "var", database_url=url))
    services(app).db.upgrade()
    runner = CliRunner()
    assert runner.invoke(cli, ["backup", "-o", str(tmp_path / "b")], obj=app).exit_code == 0
    result = runner.invoke(cli, ["restore", str(tmp_path / "b"), "--into", str(tmp_path / "n")])
    assert result.exit_code != 0
    assert "--database-url" in str(result.exception)
    assert not (tmp_path / "n").exists()
    services(app).db.dispose()
