"""``eforms outbox``: integration events for the national portal sync."""

from __future__ import annotations

import click
from flask import Flask

from portal.cli.context import with_app
from portal.ops.outbox_runner import delivery_policy
from portal.services import services
from storage.outbox import deliver_pending, list_deliveries, replay


@click.group("outbox")
def outbox_group() -> None:
    """Sự kiện đồng bộ / Integration events (transactional outbox)."""


@outbox_group.command("list")
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]), default=None)
@click.option("--limit", default=50, show_default=True)
@with_app
def list_(app: Flask, state: str | None, limit: int) -> None:
    """List deliveries, newest first (``--state dead`` is the dead-letter list)."""
    with services(app).db.unit_of_work() as session:
        rows = list_deliveries(session, state=state, limit=limit)
    for r in rows:
        click.echo(
            f"{r.id:>6} {r.state:<9} {r.aggregate_id}#{r.sequence:<3} {r.event_type:<24} "
            f"tries={r.attempts} {r.endpoint} {r.last_error or ''}"
        )
    if not rows:
        click.echo("No deliveries.")


@outbox_group.command("replay")
@click.argument("delivery_ids", nargs=-1, type=int)
@click.option("--all-dead", is_flag=True, help="Replay every dead delivery.")
@with_app
def replay_cmd(app: Flask, delivery_ids: tuple[int, ...], all_dead: bool) -> None:
    """Put dead deliveries back in the queue (given ids, or --all-dead)."""
    if not delivery_ids and not all_dead:
        raise click.UsageError("Give delivery ids or --all-dead.")
    with services(app).db.unit_of_work() as session:
        count = replay(session, delivery_ids=None if all_dead else delivery_ids)
    click.echo(f"{count} deliveries queued again.")


@outbox_group.command("deliver")
@with_app
def deliver(app: Flask) -> None:
    """Run one delivery pass now (the server also runs one every few seconds)."""
    svc = services(app)
    policy = delivery_policy(svc.settings)
    if not policy.endpoints:
        raise click.UsageError("No EFORMS_OUTBOX_ENDPOINTS configured.")
    report = deliver_pending(svc.db, policy)
    click.echo(f"delivered={report.delivered} failed={report.failed} dead={report.dead}")


def register(cli: click.Group) -> None:
    cli.add_command(outbox_group)
