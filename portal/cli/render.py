"""``eforms forms render``: a test case of a definition as its PDF/A document.

Registers ``render`` on the ``forms`` group of :mod:`portal.cli.forms` when
that module is loaded first (list this module after it in
``COMMAND_MODULES``); otherwise it creates the ``forms`` group itself.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask

from forms_builder.errors import FormError
from forms_builder.model import FormDefinition
from forms_builder.rendering import check_pdfa, render_pdf
from forms_builder.submission import compile_form, validate_submission
from forms_builder.wtforms_form import local_today
from portal.authoring import agency_code_lists
from portal.cli.context import with_app
from portal.services import services


class CaseNotFound(FormError):
    """The definition has no test case with that number or name."""

    code = "forms.case_not_found"
    http_status = 404


class CaseRejected(FormError):
    """The test case is one a submission would refuse, so there is no document."""

    code = "forms.case_rejected"
    http_status = 422


def _split_ref(ref: str) -> tuple[str, int | None]:
    code, _, version = ref.partition("@")
    if version and not version.isdigit():
        raise click.BadParameter(f"version must be a number: {ref!r}", param_hint="CODE[@VERSION]")
    return code, int(version) if version else None


def _case_data(definition: FormDefinition, case: str, today: date) -> dict:
    cases = definition.test_cases
    chosen = next((c for c in cases if c.name == case), None)
    if chosen is None and case.isdigit() and 1 <= int(case) <= len(cases):
        chosen = cases[int(case) - 1]
    if chosen is None:
        raise CaseNotFound(
            f"{definition.ref} không có ca kiểm thử {case!r} (có {len(cases)} ca, đánh số từ 1).",
            f"{definition.ref} has no test case {case!r} ({len(cases)} cases, numbered from 1).",
        )
    outcome = validate_submission(compile_form(definition), chosen.data, today=today)
    if not outcome.accepted:
        paths = ", ".join(sorted(outcome.error_paths())) or "-"
        raise CaseRejected(
            f"Ca kiểm thử {chosen.name!r} bị từ chối khi nộp (lỗi tại: {paths}); không có bản in.",
            f"Test case {chosen.name!r} is refused on submission (errors at: {paths}); "
            "there is no document to print.",
        )
    return outcome.data


@click.command("render")
@click.argument("ref", metavar="CODE[@VERSION]")
@click.option(
    "--case", "case", default="1", show_default=True, help="Test case number (from 1) or name."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the PDF/A-3b file.",
)
@click.option(
    "--dossier-code", default=None, help="Dossier code to print with a QR code to its lookup page."
)
@click.option(
    "--base-url", default=None, help="Public URL of the lookup page (default: EFORMS_BASE_URL)."
)
@with_app
def render_command(
    app: Flask, ref: str, case: str, output: Path, dossier_code: str | None, base_url: str | None
) -> None:
    """In biểu mẫu ra PDF/A-3b / Render a test case to the PDF/A-3b document.

    The case data are validated and cleaned exactly as a submission would be,
    then printed in the official layout with data.json embedded.
    """
    svc = services(app)
    code, version = _split_ref(ref)
    definition = svc.forms.get(code, version)
    data = _case_data(definition, case, local_today())
    rendered = render_pdf(
        definition,
        data,
        dossier_code=dossier_code,
        base_url=base_url or svc.settings.resolved_base_url,
        code_lists=agency_code_lists(),
    )
    output.write_bytes(rendered.pdf)
    problems = check_pdfa(rendered.pdf, data_json=rendered.data_json)
    click.echo(f"{definition.ref}: {rendered.pages} page(s), {len(rendered.pdf)} bytes -> {output}")
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    if rendered.lookup_url:
        click.echo(f"QR -> {rendered.lookup_url}")


@click.group("forms")
def forms_group() -> None:
    """Biểu mẫu điện tử / Form definitions."""


def register(cli: click.Group) -> None:
    """Add ``render`` to the ``forms`` group (created here if no module made it)."""
    group = cli.commands.get("forms")
    if not isinstance(group, click.Group):
        group = forms_group
        cli.add_command(group)
    group.add_command(render_command)
