"""``eforms forms``: list, validate, test, diff, export, import, publish, load-library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


def _citizen_drafts(database_url: str, code: str, datas: dict[int, list[dict[str, Any]]]) -> None:
    """Citizens' drafts per version, saved as the citizen pages save them."""
    from dossiers.drafts import create_draft
    from forms_builder import FormService
    from storage.db import Database
    from storage.schema.accounts import UserRow

    db = Database(database_url)
    forms = FormService(db)
    try:
        with db.unit_of_work() as session:
            user = UserRow(username="citizen", full_name="Công dân")
            session.add(user)
            session.flush()
            for version, items in datas.items():
                definition = forms.get(code, version)
                for data in items:
                    create_draft(
                        session,
                        user_id=user.id,
                        procedure_code=definition.procedure_code,
                        definition=definition,
                        data=data,
                    )
    finally:
        db.dispose()


def test_publish_shows_open_drafts_and_fields_to_re_enter(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert run(env, "db", "upgrade")[0] == 0
    assert run(env, "forms", "load-library")[0] == 0
    long_name = "Nguyễn Thị Hồng Nhung Phương Thảo Minh Khai Đông"  # 48 characters
    _citizen_drafts(
        env["EFORMS_DATABASE_URL"],
        "1.004222.CT01",
        {1: [{"full_name": long_name}, {"full_name": "Trần An"}], 2: [{"full_name": long_name}]},
    )
    exported = tmp_path / "ct01.json"
    run(env, "forms", "export", "1.004222.CT01@2", "-o", str(exported))
    doc = json.loads(exported.read_text())["definition"]
    name = next(f for f in doc["sections"][1]["fields"] if f["id"] == "f_name")
    name["max_length"] = 40  # tighter: long names must be re-entered
    changed = tmp_path / "ct01-v3.json"
    changed.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run(env, "forms", "import", str(changed), "--no-checksum")[0] == 0
    code, out = run(env, "forms", "publish", "1.004222.CT01", "--yes")
    assert code == 0, out
    assert "RE-ENTER changed  f_name (full_name) [max_length]" in out
    assert "Open drafts of earlier versions: 3 (v1: 2, v2: 1), to re-enter: 2" in out
    assert "RE-ENTER f_name (full_name) Full name at birth: 2 draft(s)" in out
    assert "Published 1.004222.CT01@3" in out
