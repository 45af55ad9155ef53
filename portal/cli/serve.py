"""``eforms serve``: run the web service."""

from __future__ import annotations

import click

from portal.ops.logs import configure_logging
from portal.ops.outbox_runner import start_outbox
from portal.ops.production import ProductionServer, gunicorn_options, refuse_demo
from portal.services import services
from portal.settings import Settings
from signing.demo_services import DemoSigning


@click.command("serve")
@click.option("--host", default=None, help="Address to bind (default EFORMS_HOST).")
@click.option("--port", type=int, default=None, help="Port (default EFORMS_PORT).")
@click.option(
    "--production",
    is_flag=True,
    help="Run under gunicorn (EFORMS_WORKERS x EFORMS_THREADS); refuses demo leftovers.",
)
def serve(host: str | None, port: int | None, production: bool) -> None:
    """Start the web service (threaded development server, or gunicorn with --production)."""
    settings = Settings.from_env()
    host = host or settings.host
    port = port or settings.port
    configure_logging(fmt=settings.log_format, level=settings.log_level)
    if production:
        refuse_demo(settings)
        options = gunicorn_options(settings, host=host, port=port)
        click.echo(
            f"eforms (production: {settings.workers} workers x {settings.threads} threads) "
            f"at http://{host}:{port}/"
        )
        ProductionServer(settings, options).run()
        return
    from werkzeug.serving import run_simple

    from portal import create_app

    app = create_app(settings)
    start_outbox(app)
    if settings.demo:
        # Demo PKI services (OCSP, CRL, TSA) and the CSC remote-signing server, in process.
        signing = services(app).signing.start()
        if isinstance(signing, DemoSigning):
            click.echo(f"Demo PKI at {signing.pki.base_url}, CSC v2 at {signing.csc_url}")
    click.echo(f"eforms đang chạy tại / is running at http://{host}:{port}/")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def register(cli: click.Group) -> None:
    cli.add_command(serve)
