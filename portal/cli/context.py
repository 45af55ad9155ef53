"""Shared plumbing for commands: build the app once and run inside it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])


def with_app(func: F) -> F:
    """Run the command inside an application context; pass the app first.

    The app is built from the environment (``EFORMS_*``) unless the click
    context already carries one (``obj`` set by tests through CliRunner).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        app = ctx.obj if isinstance(ctx.obj, Flask) else None
        if app is None:
            from portal import create_app

            app = create_app()
            ctx.obj = app
        with app.app_context():
            return func(app, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
