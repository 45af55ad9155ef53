"""``eforms demo``: demo data for a fresh installation."""

from __future__ import annotations

import click
from flask import Flask

from forms_builder.library import install_library
from portal.cli.context import with_app
from portal.demo import DEMO_PASSWORD, seed_demo
from portal.services import services


@click.group("demo")
def demo_group() -> None:
    """Dữ liệu dùng thử / Demo data."""


@demo_group.command("seed")
@with_app
def seed(app: Flask) -> None:
    """Create demo agencies and one account per role (idempotent); print the logins."""
    svc = services(app)
    if not svc.db.has_schema():
        svc.db.upgrade()
    accounts = seed_demo(svc.db)
    installed = install_library(svc.forms)
    click.echo(f"Official forms library: {len(installed)} new form versions installed.")
    click.echo(f"Tài khoản dùng thử / Demo logins (password for all: {DEMO_PASSWORD}):")
    for account in accounts:
        click.echo(f"  {account.username:<11} {account.role.label_en:<22} {account.agency_id}")


def register(cli: click.Group) -> None:
    cli.add_command(demo_group)
