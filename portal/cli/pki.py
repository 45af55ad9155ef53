"""``eforms pki``: the demo PKI (keys, trust anchor, OCSP/CRL/TSA services)."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask

from portal.cli.context import with_app
from portal.services import demo_signing, services
from signing.demo_pki import DEMO_PIN, IDENTITIES, DemoPKI


@click.group("pki")
def pki_group() -> None:
    """PKI demo / Demo PKI: CA, OCSP, CRL, TSA (certomancer)."""


def _pki(app: Flask) -> DemoPKI:
    settings = services(app).settings
    return DemoPKI.load_or_create(settings.data_dir, port=settings.pki_port)


@pki_group.command("init")
@with_app
def init(app: Flask) -> None:
    """Create the demo PKI under the data dir if missing (keys generated now)."""
    pki = _pki(app)
    click.echo(f"Demo PKI in {pki.directory} (services at {pki.base_url}).")
    for ident in (i for i in IDENTITIES if i.key != "token"):
        click.echo(f"  --as {ident.id:<15} {ident.role:<8} {ident.common_name}")
    click.echo(f"Demo PIN of every key: {DEMO_PIN}")


@pki_group.command("root")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the trust anchor (PEM).",
)
@with_app
def root(app: Flask, output: Path) -> None:
    """Export the demo root CA certificate (the trust anchor) as PEM."""
    output.write_bytes(_pki(app).root_pem())
    click.echo(f"Wrote {output}.")


@pki_group.command("serve")
@with_app
def serve(app: Flask) -> None:
    """Serve OCSP, CRLs, the TSA and the CSC test server on loopback until Ctrl-C."""
    demo = demo_signing(services(app)).start()
    click.echo(f"OCSP/CRL/TSA at {demo.pki.base_url}; CSC v2 at {demo.csc_url}. Ctrl-C stops.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        demo.stop()


def register(cli: click.Group) -> None:
    cli.add_command(pki_group)
