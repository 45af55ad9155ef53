"""The ``eforms`` command line: one group per capability.

Commands only parse their arguments and call the library; each capability
lives in its own module here and registers its commands on :data:`cli`.
"""

from __future__ import annotations

import importlib
import sys

import click

from eforms import __version__
from eforms.errors import EformsError

# One module per capability; each defines ``register(cli)``.
COMMAND_MODULES = (
    "portal.cli.serve",
    "portal.cli.db",
    "portal.cli.demo",
    "portal.cli.users",
    "portal.cli.audit",
    "portal.cli.doctor",
    "portal.cli.outbox",
    "portal.cli.dossiers",
    "portal.cli.prefill",
    "portal.cli.storage",
    "portal.cli.pki",
    "portal.cli.sign",
    "portal.cli.forms",
    # After the module that defines the ``forms`` group: adds ``forms render`` to it.
    "portal.cli.render",
    "portal.cli.verify",
    "portal.cli.archive",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="eforms")
def cli() -> None:
    """eforms: biểu mẫu điện tử, chữ ký số và lưu trữ hồ sơ TTHC.

    E-forms, digital signatures and archives for administrative procedures.
    Settings come from EFORMS_* environment variables (see README).
    """


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main() -> None:
    """Console entry point: domain errors become a clear message and exit code 1."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except EformsError as exc:
        click.echo(f"Lỗi / Error [{exc.code}]: {exc.message_vi}", err=True)
        if exc.message_en != exc.message_vi:
            click.echo(f"  {exc.message_en}", err=True)
        sys.exit(1)
