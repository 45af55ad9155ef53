"""``eforms forms``: list, validate, test, diff, export, import, publish, load-library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from portal.cli import cli


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {"EFORMS_DATA_DIR": str(tmp_path / "data"), "EFORMS_DATABASE_URL": database_url}


def run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_forms_commands_end_to_end(env: dict[str, str], tmp_path: Path) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    code, out = run(env, "forms", "load-library")
    assert code == 0 and "1.004222.CT01@2" in out
    code, out = run(env, "forms", "list")
    assert code == 0 and "116/2026/TT-BCA" in out and "53/2025/TT-BCA" in out
    code, out = run(env, "forms", "test", "1.004222.CT01@1")
    assert code == 0 and "6/6 passed" in out
    code, out = run(env, "forms", "diff", "1.004222.CT01", "1", "2")
    assert code == 0 and "compatible" in out and "f_guardian_opinion" in out
    exported = tmp_path / "ct01.json"
    code, out = run(env, "forms", "export", "1.004222.CT01@2", "-o", str(exported))
    assert code == 0 and json.loads(exported.read_text())["checksum"].startswith("sha256:")
    assert run(env, "forms", "validate", str(exported))[0] == 0
    code, out = run(env, "forms", "import", str(exported))
    assert code == 0 and "1.004222.CT01@3 as a draft" in out
    code, out = run(env, "forms", "publish", "1.004222.CT01", "--yes")
    assert code == 0 and "Published 1.004222.CT01@3" in out and "6/6 passed" in out


def test_validate_exits_1_with_pointer_and_message(tmp_path: Path) -> None:
    doc = json.loads(
        (Path(__file__).parents[2] / "forms_builder/library/birth-registration.v1.json").read_text()
    )
    doc["sections"][1]["fields"][0]["fields"][0]["type"] = "textbox"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    result = CliRunner().invoke(cli, ["forms", "validate", str(bad)])
    assert result.exit_code == 1
    assert "/sections/1/fields/0/fields/0/type: [field.unknown_type]" in result.output
    assert "Unknown field type 'textbox'" in result.output


def test_validate_reports_broken_json(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    result = CliRunner().invoke(cli, ["forms", "validate", str(bad)])
    assert result.exit_code == 1 and "json.syntax" in result.output
