"""``eforms dossiers`` and ``eforms stats``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from dossiers import Status, get_dossier
from dossiers.backfill import import_backfill, read_bundle
from dossiers.calendar import VN_TZ
from dossiers.queries import reporting_period, statistics
from dossiers.reports import to_csv, to_xlsx
from eforms.errors import EformsError
from portal.accounts import Role
from portal.cli.context import Step, acting_account, with_app
from portal.services import services
from storage.audit import AuditEntry, Outcome, record_event
from storage.schema import DossierRow, utcnow

BACKFILL: Step = ("nhập bù hồ sơ", "backfill dossiers")


@click.group("dossiers")
def dossiers_group() -> None:
    """Hồ sơ / Dossiers."""


@dossiers_group.command("list")
@click.option("--status", type=click.Choice([str(s) for s in Status]), default=None)
@click.option("--limit", default=50, show_default=True)
@with_app
def list_(app: Flask, status: str | None, limit: int) -> None:
    """List dossiers, newest first."""
    with services(app).db.unit_of_work() as session:
        query = select(DossierRow).order_by(DossierRow.submitted_at.desc()).limit(limit)
        if status:
            query = query.where(DossierRow.status == status)
        rows = session.scalars(query).all()
        for r in rows:
            flag = " (backfilled)" if r.backfilled else ""
            click.echo(
                f"{r.code:<28} {r.procedure_code:<9} {r.status:<21} {r.applicant_name}{flag}"
            )
    if not rows:
        click.echo("No dossiers.")


@dossiers_group.command("show")
@click.argument("code")
@with_app
def show(app: Flask, code: str) -> None:
    """Show one dossier: facts, documents and history."""
    with services(app).db.unit_of_work() as session:
        d = get_dossier(session, code)
    click.echo(f"{d.code}  {d.procedure_code}  {d.status.label('en')} / {d.status.label('vi')}")
    click.echo(f"  applicant: {d.applicant.name} ({d.applicant.kind})")
    click.echo(f"  submitted: {d.submitted_at.astimezone(VN_TZ).isoformat()}")
    if d.due_at:
        click.echo(f"  due:       {d.due_at.astimezone(VN_TZ).isoformat()}")
    for doc in d.documents:
        click.echo(
            f"  document:  [{doc.kind}] {doc.title} {doc.file_name} sha256={doc.sha256[:16]}…"
        )
    for h in d.history:
        mark = " (backfilled)" if h.backfilled else ""
        note = f" — {h.note}" if h.note else ""
        click.echo(
            f"  {h.occurred_at.astimezone(VN_TZ):%Y-%m-%d %H:%M} {h.to_status:<21} "
            f"{h.actor}{mark}{note}"
        )


@dossiers_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--as",
    "--actor",
    "actor",
    default=None,
    help="The officer who enters it (an account with the officer role of the dossier's "
    "agency). Without it the import is recorded as 'system'.",
)
@with_app
def import_(app: Flask, path: Path, actor: str | None) -> None:
    """Enter a dossier handled offline (directory or zip with dossier.json).

    Nothing is written unless the whole bundle is valid.
    """
    svc = services(app)
    agency_ids = None
    if actor is not None:
        account = acting_account(app, actor, BACKFILL, Role.OFFICER)
        actor, agency_ids = account.username, account.agencies_for(Role.OFFICER)
    try:
        dossier = import_backfill(
            svc.db,
            svc.object_store,
            read_bundle(path),
            policy=svc.dossier_policy,
            actor=actor or "system",
            agency_ids=agency_ids,
        )
    except EformsError as exc:
        _audit_failure(app, actor or "system", path, exc)
        raise
    click.echo(f"Imported {dossier.code} ({dossier.status.label('en')}), marked as backfilled.")


def _audit_failure(app: Flask, actor: str, path: Path, exc: EformsError) -> None:
    with services(app).db.unit_of_work() as session:
        record_event(
            session,
            AuditEntry(
                actor=actor,
                action="dossier.backfill",
                outcome=Outcome.DENIED if exc.http_status == 403 else Outcome.FAILURE,
                object_type="file",
                object_id=path.name[:200],
                details={"reason": exc.code, **exc.details},
            ),
        )


@click.command("stats")
@click.option(
    "--from", "start", default=None, help="First day, YYYY-MM-DD (default: 1st of month)."
)
@click.option("--to", "end", default=None, help="Last day, YYYY-MM-DD (default: today).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV on stdout.")
@click.option("--xlsx", "xlsx", type=click.Path(path_type=Path), default=None, help="Write XLSX.")
@with_app
def stats(app: Flask, start: str | None, end: str | None, as_csv: bool, xlsx: Path | None) -> None:
    """Dossiers received, resolved on time or late, in progress and overdue.

    Grouped by agency and procedure, for dossiers submitted in the period
    (Vietnam days, both included).
    """
    if as_csv and xlsx:
        raise click.UsageError("--csv and --xlsx: choose one / chọn một.")
    now = utcnow()
    period = reporting_period(start, end, today=now.astimezone(VN_TZ).date())
    with services(app).db.unit_of_work() as session:
        figures = statistics(session, start=period.start, end=period.end, now=now)
    if xlsx:
        xlsx.write_bytes(to_xlsx(figures, title=f"Thống kê hồ sơ {period.first} – {period.last}"))
        click.echo(f"Written {xlsx}")
    elif as_csv:
        click.echo(to_csv(figures), nl=False)
    else:
        total = figures.total()
        rate = "-" if total.on_time_rate is None else f"{total.on_time_rate:.0%}"
        click.echo(f"Period: {period.first} – {period.last}")
        for r in [*figures.rows, total]:
            click.echo(
                f"{r.agency_id:<14} {r.procedure_code:<9} received={r.received:<4} "
                f"on_time={r.resolved_on_time:<4} late={r.resolved_late:<4} "
                f"in_progress={r.in_progress:<4} overdue={r.overdue:<4} "
                f"supplement={r.returned_for_supplement}"
            )
        click.echo(f"On-time rate: {rate}")


def register(cli: click.Group) -> None:
    cli.add_command(dossiers_group)
    cli.add_command(stats)
