"""``eforms forms render`` on a real database and a real PDF."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pikepdf
from click.testing import CliRunner
from flask import Flask

from forms_builder import Author, FormService
from forms_builder.library import install_library
from portal.cli import cli
from portal.services import services
from tests.forms_builder.layout_samples import CT01_DATA, ct01_doc

CODE = "1.004222.CT01"


def _store(app: Flask, *, bad_case: bool = False) -> None:
    doc = ct01_doc()
    if bad_case:
        doc["test_cases"].append(
            {"name": "no name", "data": {"agency": "X"}, "expect": {"accepted": False}}
        )
    FormService(services(app).db).create_draft(doc, Author("system", None, "system"))


def test_render_writes_the_pdfa_of_a_test_case(app: Flask, tmp_path: Path) -> None:
    _store(app)
    out = tmp_path / "ct01.pdf"
    result = CliRunner().invoke(
        cli,
        ["forms", "render", f"{CODE}@1", "--case", "1", "-o", str(out),
         "--dossier-code", "000.00.00.H56-261124-0007"],
        obj=app,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"{CODE}@1" in result.output and "/tra-cuu/000.00.00.H56-261124-0007" in result.output
    with pikepdf.open(out) as pdf:
        payload = pdf.attachments["data.json"].get_file().read_bytes()
    assert json.loads(payload) == CT01_DATA


def test_render_refuses_a_case_a_submission_would_refuse(app: Flask, tmp_path: Path) -> None:
    _store(app, bad_case=True)
    result = CliRunner().invoke(
        cli, ["forms", "render", CODE, "--case", "no name", "-o", str(tmp_path / "x.pdf")], obj=app
    )
    assert result.exit_code != 0
    assert "forms.case_rejected" in str(result.exception.code)  # type: ignore[union-attr]
    assert not (tmp_path / "x.pdf").exists()


def test_shipped_ct01_prints_the_agency_name(app: Flask, tmp_path: Path) -> None:
    install_library(services(app).forms)
    out = tmp_path / "ct01.pdf"
    result = CliRunner().invoke(
        cli, ["forms", "render", f"{CODE}@2", "--case", "1", "-o", str(out)], obj=app
    )
    assert result.exit_code == 0, result.output
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Công an tỉnh (tỉnh thử nghiệm)" in text
    assert "116/2026/TT-BCA" in text


def test_render_help_names_the_options() -> None:
    result = CliRunner().invoke(cli, ["forms", "render", "--help"])
    assert result.exit_code == 0
    assert "--case" in result.output and "CODE[@VERSION]" in result.output
