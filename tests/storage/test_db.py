"""The database layer on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from storage.db import Database, parse_database_url
from storage.errors import DatabaseConfigError, DatabaseUnavailableError
from storage.schema import AgencyRow
from storage.schema.base import Base


def test_upgrade_creates_every_table_and_is_idempotent(database_url: str) -> None:
    db = Database(database_url)
    assert not db.has_schema()
    db.upgrade()
    db.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"agencies", "users", "role_grants", "audit_events", "audit_head"} <= tables
    db.dispose()


def test_upgrade_indexes_form_drafts_by_form_code(database_url: str) -> None:
    """Publishing counts open drafts per form code: the lookup must not scan the table."""
    db = Database(database_url)
    db.upgrade()
    indexes = {i["name"]: i["column_names"] for i in inspect(db.engine).get_indexes("form_drafts")}
    assert indexes["ix_form_drafts_form_code_version"] == ["form_code", "form_version"]
    with db.engine.connect() as conn:
        heads = {row[0] for row in conn.exec_driver_sql("SELECT version_num FROM alembic_version")}
    assert "0013_form_drafts_form_code_index" in heads and "0020_citizen_drafts" not in heads
    db.dispose()


def test_the_models_match_the_migrations(database_url: str) -> None:
    """An index or column added to a model comes with its migration, and the reverse."""
    db = Database(database_url)
    db.upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    db.dispose()


def test_unit_of_work_commits_or_rolls_back_as_one(database_url: str) -> None:
    db = Database(database_url)
    db.upgrade()
    with db.unit_of_work() as session:
        session.add(AgencyRow(id="000.00.00.H56", name_vi="A", name_en="A"))
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        session.add(AgencyRow(id="000.00.01.H56", name_vi="B", name_en="B"))
        session.flush()
        raise RuntimeError("boom")
    with db.unit_of_work() as session:
        ids = session.scalars(select(AgencyRow.id)).all()
    assert ids == ["000.00.00.H56"]
    db.dispose()


@pytest.mark.parametrize(
    "url",
    ["not a url", "mysql://u:p@h/db", "oracle://x", "://missing-scheme"],
)
def test_malformed_or_unsupported_urls_name_the_variable(url: str) -> None:
    with pytest.raises(DatabaseConfigError) as info:
        parse_database_url(url)
    assert "EFORMS_DATABASE_URL" in info.value.message_en
    assert "EFORMS_DATABASE_URL" in info.value.message_vi


def test_plain_postgresql_scheme_uses_psycopg3() -> None:
    assert parse_database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


def test_unreachable_server_is_a_clear_error() -> None:
    db = Database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(DatabaseUnavailableError) as info:
        db.ping()
    assert "database" in info.value.message_en.lower()
