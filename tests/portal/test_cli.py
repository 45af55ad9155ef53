"""The command line: db, demo, users and audit verify on a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from portal.cli import cli


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {"EFORMS_DATA_DIR": str(tmp_path / "data"), "EFORMS_DATABASE_URL": database_url}


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_help_lists_the_groups() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for group in ("serve", "db", "demo", "users", "audit"):
        assert group in result.output


def test_seed_then_tamper_makes_verify_fail_naming_the_row(
    env: dict[str, str], database_url: str
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    code, out = run(env, "demo", "seed")
    assert code == 0 and "admin" in out and "Demo@2026" in out
    code, out = run(env, "audit", "verify")
    assert code == 0 and "chain intact" in out
    engine = create_engine(database_url.replace("+psycopg", "+psycopg"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET actor = 'someone-else' WHERE id = 3"))
    engine.dispose()
    result = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert result.exit_code == 1
    assert "audit event id 3" in result.output


def test_users_create_grant_list(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    run(env, "demo", "seed")
    code, out = run(
        env,
        "users",
        "create",
        "can.bo",
        "--name",
        "Cán Bộ Mới",
        "--agency",
        "000.00.01.H56",
        "--role",
        "officer",
        "--password",
        "Mat-khau-2026",
    )
    assert code == 0, out
    assert run(env, "users", "grant", "can.bo", "leader", "--agency", "000.00.01.H56")[0] == 0
    code, out = run(env, "users", "list", "--agency", "000.00.01.H56")
    assert "can.bo" in out and "leader@000.00.01.H56" in out and "officer@000.00.01.H56" in out


def test_users_create_with_bad_agency_fails_clearly(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    result = CliRunner().invoke(
        cli,
        ["users", "create", "x.y.z", "--name", "X", "--agency", "H56", "--password", "aaaaaaaa1"],
        env=env,
    )
    assert result.exit_code != 0
    assert "000.00.00.H56" in str(result.exception)
