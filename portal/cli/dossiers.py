"""``eforms dossiers`` and ``eforms stats``."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from dossiers import Status, get_dossier
from dossiers.backfill import import_backfill, read_bundle
from dossiers.calendar import VN_TZ
from dossiers.queries import statistics
from dossiers.reports import to_csv, to_xlsx
from portal.cli.context import with_app
from portal.services import services
from storage.schema import DossierRow, utcnow


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
@click.option("--as", "actor", default="system", show_default=True, help="Who enters it.")
@with_app
def import_(app: Flask, path: Path, actor: str) -> None:
    """Enter a dossier handled offline (directory or zip with dossier.json)."""
    svc = services(app)
    bundle = read_bundle(path)
    with svc.db.unit_of_work() as session:
        dossier = import_backfill(
            session, svc.object_store, bundle, policy=svc.dossier_policy, actor=actor
        )
    click.echo(f"Imported {dossier.code} ({dossier.status.label('en')}), marked as backfilled.")


def _day(value: str | None, default: datetime) -> datetime:
    if not value:
        return default
    day = datetime.strptime(value, "%Y-%m-%d").date()
    return datetime.combine(day, time.min, tzinfo=VN_TZ).astimezone(UTC)


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

    Grouped by agency and procedure, for dossiers submitted in the period.
    """
    now = utcnow()
    local = now.astimezone(VN_TZ)
    first = _day(start, datetime(local.year, local.month, 1, tzinfo=VN_TZ).astimezone(UTC))
    last = _day(end, now) + timedelta(days=1) if end else now
    with services(app).db.unit_of_work() as session:
        figures = statistics(session, start=first, end=last, now=now)
    if xlsx:
        xlsx.write_bytes(
            to_xlsx(
                figures, title=f"Thống kê hồ sơ {start or first.date()} – {end or local.date()}"
            )
        )
        click.echo(f"Written {xlsx}")
    elif as_csv:
        click.echo(to_csv(figures), nl=False)
    else:
        total = figures.total()
        rate = "-" if total.on_time_rate is None else f"{total.on_time_rate:.0%}"
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
