"""``eforms doctor``: what the service depends on, and what to do about failures."""

from __future__ import annotations

import click
from flask import Flask

from portal.cli.context import with_app
from portal.ops.health import run_probes
from portal.ops.probes import readiness_probes
from portal.services import services


@click.command("doctor")
@click.option("--timeout", default=3.0, show_default=True, help="Seconds per check.")
@with_app
def doctor(app: Flask, timeout: float) -> None:
    """Check every dependency (database, stores, broker, signing, prefill); exit 1 on failure."""
    results = run_probes(readiness_probes(services(app)), timeout=timeout)
    for r in results:
        mark = "OK  " if r.ok else "FAIL"
        click.echo(f"[{mark}] {r.name:<24} {r.latency_ms:8.1f} ms  {r.detail}")
        if not r.ok:
            click.echo(f"       → {r.remedy_vi}")
            click.echo(f"       → {r.remedy_en}")
    if not all(r.ok for r in results):
        raise SystemExit(1)


def register(cli: click.Group) -> None:
    cli.add_command(doctor)
