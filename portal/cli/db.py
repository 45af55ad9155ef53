"""``eforms db``: database migrations."""

from __future__ import annotations

import click
from flask import Flask

from portal.cli.context import with_app
from portal.services import services


@click.group("db")
def db_group() -> None:
    """Cơ sở dữ liệu / Database."""


@db_group.command("upgrade")
@with_app
def upgrade(app: Flask) -> None:
    """Apply every pending migration (SQLite or PostgreSQL)."""
    database = services(app).db
    database.upgrade()
    click.echo(f"Database at the newest schema ({database.backend}).")


def register(cli: click.Group) -> None:
    cli.add_command(db_group)
