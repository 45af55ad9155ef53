"""``eforms users``: accounts and roles from the server's command line."""

from __future__ import annotations

import click
from flask import Flask

from portal.accounts import Role, create_user, grant_role, list_users
from portal.cli.context import with_app
from portal.services import services

ROLE_CHOICE = click.Choice([str(r) for r in Role])


@click.group("users")
def users_group() -> None:
    """Tài khoản và vai trò / Accounts and roles."""


@users_group.command("create")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--agency", "agency_id", required=True, help="Agency identifier, 000.00.00.H56.")
@click.option("--role", "roles", multiple=True, type=ROLE_CHOICE, help="Role (repeatable).")
@click.option("--email", default=None)
@click.option("--personal-id", default=None, help="12-digit personal identification number.")
@click.password_option(help="Initial password (prompted when omitted).")
@with_app
def create(
    app: Flask,
    username: str,
    full_name: str,
    agency_id: str,
    roles: tuple[str, ...],
    email: str | None,
    personal_id: str | None,
    password: str,
) -> None:
    """Create a local account with roles in one agency."""
    with services(app).db.unit_of_work() as session:
        account = create_user(
            session,
            actor=None,
            username=username,
            full_name=full_name,
            password=password,
            agency_id=agency_id,
            roles=tuple(Role(r) for r in roles),
            email=email,
            personal_id=personal_id,
        )
    click.echo(f"Created {account.username} in {agency_id} with roles {', '.join(roles) or '-'}.")


@users_group.command("grant")
@click.argument("username")
@click.argument("role", type=ROLE_CHOICE)
@click.option("--agency", "agency_id", required=True, help="Agency the role applies to.")
@with_app
def grant(app: Flask, username: str, role: str, agency_id: str) -> None:
    """Grant ROLE to USERNAME in an agency."""
    with services(app).db.unit_of_work() as session:
        grant_role(session, actor=None, username=username, role=Role(role), agency_id=agency_id)
    click.echo(f"Granted {role} in {agency_id} to {username}.")


@users_group.command("list")
@click.option("--agency", "agency_id", default=None, help="Only this agency.")
@with_app
def list_(app: Flask, agency_id: str | None) -> None:
    """List accounts with their roles."""
    with services(app).db.unit_of_work() as session:
        accounts = list_users(session, actor=None, agency_id=agency_id)
    for a in accounts:
        roles = ", ".join(f"{r}@{ag}" for r, ag in sorted(a.grants))
        click.echo(f"{a.username:<20} {a.agency_id or '-':<15} {roles}")


def register(cli: click.Group) -> None:
    cli.add_command(users_group)
