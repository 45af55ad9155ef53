"""The command line: db, demo, users and audit verify on a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from portal.cli import cli
from storage.fs_store import FsObjectStore


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
    code, out = run(env, "demo", "seed", "--no-dossiers")
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


def test_demo_seed_is_refused_outside_demo_mode(env: dict[str, str]) -> None:
    real = {**env, "EFORMS_DEMO": "0"}
    assert run(real, "db", "upgrade")[0] == 0
    result = CliRunner().invoke(cli, ["demo", "seed", "--no-dossiers"], env=real)
    assert result.exit_code == 1
    assert "EFORMS_DEMO=0" in result.output and "demo mode only" in result.output
    code, out = run(real, "users", "list")
    assert "citizen" not in out


def test_users_create_grant_list(env: dict[str, str]) -> None:
    run(env, "db", "upgrade")
    run(env, "demo", "seed", "--no-dossiers")
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


def test_dossiers_import_list_show_and_stats(env: dict[str, str], tmp_path: Path) -> None:
    import json

    from openpyxl import load_workbook

    run(env, "db", "upgrade")
    run(env, "demo", "seed", "--no-dossiers")
    bundle = tmp_path / "bundle"
    (bundle / "files").mkdir(parents=True)
    (bundle / "files" / "kq.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    manifest = {
        "code": "000.00.00.H56-261102-0007",
        "procedure_code": "1.001193",
        "applicant": {"kind": "person", "identifier": "001203012345", "name": "Lê Văn Bù"},
        "submitted_at": "2026-11-02T08:00:00+07:00",
        "history": [{"action": "receive", "at": "2026-11-02T09:00:00+07:00", "actor": "can.bo"}],
        "documents": [{"file": "files/kq.pdf", "media_type": "application/pdf"}],
    }
    (bundle / "dossier.json").write_text(json.dumps(manifest, ensure_ascii=False))
    code, out = run(env, "dossiers", "import", str(bundle), "--as", "officer")
    assert code == 0 and "backfilled" in out
    code, out = run(env, "dossiers", "list", "--status", "received")
    assert "000.00.00.H56-261102-0007" in out and "(backfilled)" in out
    code, out = run(env, "dossiers", "show", "000.00.00.H56-261102-0007")
    assert "can.bo (nhập bù bởi officer)" in out
    code, out = run(env, "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--csv")
    assert code == 0 and "Nhập bù" in out and "000.00.00.H56,1.001193,1,0,0,1" in out
    xlsx = tmp_path / "stats.xlsx"
    run(env, "stats", "--from", "2026-11-01", "--to", "2026-11-30", "--xlsx", str(xlsx))
    sheet = load_workbook(xlsx).active
    assert sheet["A2"].value == "Cơ quan" and sheet["C3"].value == 1
    result = CliRunner().invoke(cli, ["dossiers", "show", "000.00.00.H56-261102-9999"], env=env)
    assert result.exit_code != 0


def test_dossiers_import_refusals_change_nothing(env: dict[str, str], tmp_path: Path) -> None:
    import json

    from sqlalchemy import create_engine, text

    run(env, "db", "upgrade")
    run(env, "demo", "seed", "--no-dossiers")
    bundle = tmp_path / "bundle"
    (bundle / "files").mkdir(parents=True)
    (bundle / "files" / "kq.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    manifest = {
        "code": "000.00.00.H56-261102-0007",
        "procedure_code": "1.001193",
        "applicant": {"kind": "person", "identifier": "001203012345", "name": "Lê Văn Bù"},
        "submitted_at": "2026-11-02T08:00:00+07:00",
        "documents": [{"file": "files/kq.pdf", "media_type": "application/pdf"}],
    }

    def attempt(*options: str, **changes: object) -> str:
        (bundle / "dossier.json").write_text(json.dumps({**manifest, **changes}))
        result = CliRunner().invoke(cli, ["dossiers", "import", str(bundle), *options], env=env)
        assert result.exit_code != 0
        return str(result.exception)

    assert "in the future" in attempt(submitted_at="2099-11-02T08:00:00+07:00")
    assert "not a real date" in attempt(code="000.00.00.H56-261302-0007")
    assert "outside 1–9999" in attempt(code="000.00.00.H56-261102-12345")
    assert "you may only backfill dossiers of your own agency" in attempt("--as", "officer2")
    assert "No active account named 'nobody'" in attempt("--as", "nobody")
    assert "does not hold the Officer role" in attempt("--as", "citizen")
    engine = create_engine(env["EFORMS_DATABASE_URL"])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dossiers")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM dossier_counters")).scalar() == 0
        failures = conn.execute(
            text("SELECT count(*) FROM audit_events WHERE action = 'dossier.backfill'")
        ).scalar()
    engine.dispose()
    assert failures == 4  # the three bad bundles and officer2's attempt
    assert list(FsObjectStore(tmp_path / "data" / "objects").list("")) == []


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        (("--from", "2026-13-01"), "is not a valid date"),
        (("--from", "2026-11-20", "--to", "2026-11-01"), "is before 'from'"),
        (("--to", "9999-12-31"), "must be between 2000-01-01 and"),
        (("--from", "1900-01-01"), "must be between 2000-01-01 and"),
    ],
)
def test_stats_refuses_bad_periods(
    env: dict[str, str], options: tuple[str, ...], needle: str
) -> None:
    run(env, "db", "upgrade")
    result = CliRunner().invoke(cli, ["stats", *options], env=env)
    assert result.exit_code != 0 and needle in str(result.exception)
