"""``eforms forms``: form definitions from the server's command line.

Commands act as the ``system`` author (every agency) and only parse, call
:class:`forms_builder.FormService` and print. ``validate`` needs no database.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from forms_builder import SYSTEM, DefinitionInvalid, check_document
from forms_builder.exchange import EXPORT_FORMAT, read_document
from forms_builder.library import install_library
from forms_builder.services import PublishReport
from forms_builder.versions import VersionDiff
from portal.cli.context import with_app
from portal.services import services


@click.group("forms")
def forms_group() -> None:
    """Biểu mẫu điện tử / Form definitions."""


def _split_ref(ref: str) -> tuple[str, int | None]:
    """``CODE`` or ``CODE@VERSION``."""
    code, _, version = ref.partition("@")
    if version and not version.isdigit():
        raise click.BadParameter(f"version must be a number: {ref!r}", param_hint="CODE[@VERSION]")
    return code, int(version) if version else None


@forms_group.command("list")
@click.option("--agency", "agency_id", default=None, help="Only this agency's forms.")
@with_app
def list_forms(app: Flask, agency_id: str | None) -> None:
    """List every version of every form (code, version, status, agency, legal basis)."""
    rows = services(app).forms.list_forms(agency_id=agency_id)
    if not rows:
        click.echo("Chưa có biểu mẫu nào / No forms yet (try: eforms forms load-library).")
    for s in rows:
        click.echo(
            f"{s.code:<16} v{s.version:<3} {s.status:<10} {s.agency_id:<14} "
            f"{s.legal_basis:<18} from {s.in_force_from.isoformat()}  {s.title_vi}"
        )


@forms_group.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(file: Path) -> None:
    """Check a definition (or export) file; exit 1 listing each problem with its pointer."""
    try:
        payload = read_document(file.read_bytes())
    except DefinitionInvalid as exc:
        _print_problems(exc)
        raise SystemExit(1) from exc
    if isinstance(payload, dict) and payload.get("format") == EXPORT_FORMAT:
        payload = payload.get("definition")
    problems = check_document(payload)
    if problems:
        _print_problems(DefinitionInvalid(problems))
        raise SystemExit(1)
    click.echo(f"Hợp lệ / Valid: {payload['code']} v{payload['version']}")


def _print_problems(error: DefinitionInvalid) -> None:
    for p in error.problems:
        click.echo(f"{p.pointer or '/'}: [{p.code}] {p.message_vi}", err=True)
        click.echo(f"{' ' * len(p.pointer or '/')}  {p.message_en}", err=True)


@forms_group.command("test")
@click.argument("ref", metavar="CODE[@VERSION]")
@with_app
def test_cases(app: Flask, ref: str) -> None:
    """Run the test cases of a form version (newest by default); exit 1 if any fails."""
    code, version = _split_ref(ref)
    results = services(app).forms.run_tests(code, version)
    for r in results:
        mark = "PASS" if r.passed else "FAIL"
        expected = "accepted" if r.expected_accepted else f"errors {list(r.expected_errors)}"
        click.echo(f"{mark}  {r.name}  (expected {expected}; got {list(r.actual_errors)})")
    failed = sum(not r.passed for r in results)
    click.echo(f"{len(results) - failed}/{len(results)} passed")
    if failed:
        raise SystemExit(1)


@forms_group.command("diff")
@click.argument("code")
@click.argument("before", type=int)
@click.argument("after", type=int)
@with_app
def diff(app: Flask, code: str, before: int, after: int) -> None:
    """Show the field-by-field changes between two versions and their compatibility."""
    _print_diff(services(app).forms.diff(code, before, after))


def _print_diff(d: VersionDiff) -> None:
    click.echo(f"{d.before} -> {d.after}: {'compatible' if d.compatible else 'INCOMPATIBLE'}")
    for c in d.changes:
        where = c.path_after or c.path_before
        props = f" [{', '.join(c.properties)}]" if c.properties else ""
        flag = "ok " if c.compatible else "RE-ENTER"
        click.echo(f"  {flag:<8} {c.kind:<8} {c.field_id} ({where}){props}: {c.reason_en}")
    for p in d.parts:
        props = f" [{', '.join(p.properties)}]" if p.properties else ""
        flag = "ok " if p.compatible else "RE-ENTER"
        click.echo(f"  {flag:<8} {p.kind:<8} {p.part} {p.id}{props}: {p.reason_en}")


@forms_group.command("export")
@click.argument("ref", metavar="CODE[@VERSION]")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (JSON with the definition's checksum).",
)
@with_app
def export(app: Flask, ref: str, output: Path) -> None:
    """Export a version as JSON carrying its checksum."""
    code, version = _split_ref(ref)
    output.write_bytes(services(app).forms.export_file(code, version))
    click.echo(f"Exported {ref} to {output}")


@forms_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--no-checksum",
    is_flag=True,
    help="Accept a hand-written definition without a checksum (it becomes a draft).",
)
@with_app
def import_(app: Flask, file: Path, no_checksum: bool) -> None:
    """Import an exported definition as a new draft version of its code."""
    d = services(app).forms.import_file(file.read_bytes(), SYSTEM, require_checksum=not no_checksum)
    click.echo(f"Imported {d.ref} as a draft")


@forms_group.command("publish")
@click.argument("ref", metavar="CODE[@VERSION]")
@click.option("--yes", is_flag=True, help="Publish without asking for confirmation.")
@with_app
def publish(app: Flask, ref: str, yes: bool) -> None:
    """Run the publishing gate, show the diff with the last published version, publish."""
    code, version = _split_ref(ref)
    forms = services(app).forms
    version = version or forms.get(code).version
    preview = forms.preview_publish(code, version)
    _print_report(preview)
    if not yes and not click.confirm(f"Publish {code}@{version}?", default=False):
        raise click.Abort()
    forms.publish(code, version, SYSTEM)
    click.echo(f"Published {code}@{version}")


def _print_report(report: PublishReport) -> None:
    passed = sum(r.passed for r in report.results)
    click.echo(f"Test cases: {passed}/{len(report.results)} passed")
    if report.diff is not None:
        _print_diff(report.diff)
    else:
        click.echo("First published version of this form.")
    _print_drafts(report)


def _print_drafts(report: PublishReport) -> None:
    by_version = ", ".join(f"v{v}: {n}" for v, n in report.drafts_by_version)
    click.echo(
        f"Hồ sơ đang soạn / Open drafts of earlier versions: {report.open_drafts}"
        + (f" ({by_version})" if by_version else "")
        + f", to re-enter: {len(report.affected)}"
    )
    if not report.open_drafts:
        return
    click.echo("  (a draft keeps its version when resumed; these answers would not carry over)")
    for f in report.re_enter:
        click.echo(f"  RE-ENTER {f.field_id} ({f.path}) {f.label.en}: {f.drafts} draft(s)")


@forms_group.command("load-library")
@with_app
def load_library(app: Flask) -> None:
    """Install the shipped official forms that are missing (idempotent)."""
    svc = services(app)
    if not svc.db.has_schema():
        svc.db.upgrade()
    installed = install_library(svc.forms)
    click.echo(f"Installed: {', '.join(installed) or 'nothing new'}")


def register(cli: click.Group) -> None:
    cli.add_command(forms_group)
