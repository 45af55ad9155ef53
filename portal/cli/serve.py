"""``eforms serve``: run the web service."""

from __future__ import annotations

import click
from flask import Flask

from portal.cli.context import with_app
from portal.services import services


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default EFORMS_HOST).")
@click.option("--port", type=int, default=None, help="Port (default EFORMS_PORT).")
@with_app
def serve(app: Flask, host: str | None, port: int | None) -> None:
    """Start the web service (development server, threaded)."""
    from werkzeug.serving import run_simple

    settings = services(app).settings
    host = host or settings.host
    port = port or settings.port
    if settings.demo:
        # Demo PKI services (OCSP, CRL, TSA) and the CSC remote-signing server, in process.
        demo_signing = services(app).signing.start()
        click.echo(f"Demo PKI at {demo_signing.pki.base_url}, CSC v2 at {demo_signing.csc_url}")
    click.echo(f"eforms đang chạy tại / is running at http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
