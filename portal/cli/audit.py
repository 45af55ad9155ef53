"""``eforms audit``: check the audit trail's hash chain."""

from __future__ import annotations

import click
from flask import Flask

from portal.cli.context import with_app
from portal.services import services
from storage.audit import verify_chain


@click.group("audit")
def audit_group() -> None:
    """Nhật ký hệ thống / Audit trail."""


@audit_group.command("verify")
@with_app
def verify(app: Flask) -> None:
    """Recompute the SHA-256 chain; exit 1 naming the first edited or missing row."""
    with services(app).db.unit_of_work() as session:
        report = verify_chain(session)
    if report.ok:
        click.echo(f"OK: {report.events} events, chain intact.")
        return
    click.echo(
        f"FAILED at audit event id {report.bad_id}: {report.reason} "
        f"(checked {report.events} events).",
        err=True,
    )
    raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(audit_group)
