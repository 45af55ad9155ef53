"""``eforms demo``: demo data for a fresh installation."""

from __future__ import annotations

import click
from flask import Flask

from forms_builder.library import install_library
from portal.cli.context import with_app
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.demo_dossiers import seed_demo_dossiers
from portal.services import services


@click.group("demo")
def demo_group() -> None:
    """Dữ liệu dùng thử / Demo data."""


@demo_group.command("seed")
@click.option(
    "--dossiers/--no-dossiers",
    "with_dossiers",
    default=True,
    help="Also create demo dossiers in every status, closed ones with signed results.",
)
@with_app
def seed(app: Flask, with_dossiers: bool) -> None:
    """Create demo agencies, one account per role and demo dossiers (idempotent).

    Prints the logins. Demo dossiers are signed with the demo PKI
    (``eforms pki init`` first; its OCSP/CRL/TSA are served while seeding).
    """
    svc = services(app)
    if not (svc.settings.demo or svc.settings.allow_demo_in_production):
        raise click.ClickException(
            "Dữ liệu mẫu chỉ dùng ở chế độ thử nghiệm (EFORMS_DEMO=1); cài đặt này đang chạy "
            "thật (EFORMS_DEMO=0). / Demo data is for demo mode only (EFORMS_DEMO=1); this "
            "installation runs for real (EFORMS_DEMO=0)."
        )
    if not svc.db.has_schema():
        svc.db.upgrade()
    accounts = seed_demo(svc.db)
    installed = install_library(svc.forms)
    click.echo(f"Official forms library: {len(installed)} new form versions installed.")
    if with_dossiers:
        try:
            seed_demo_dossiers(svc, base_url=svc.settings.resolved_base_url, echo=click.echo)
        finally:
            svc.signing.stop()
    click.echo(f"Tài khoản dùng thử / Demo logins (password for all: {DEMO_PASSWORD}):")
    for account in accounts:
        click.echo(f"  {account.username:<11} {account.role.label_en:<22} {account.agency_id}")


def register(cli: click.Group) -> None:
    cli.add_command(demo_group)
