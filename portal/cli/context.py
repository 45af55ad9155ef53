"""Shared plumbing for commands: the app, the acting account, quiet signature checks."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

import click
from flask import Flask

from portal.accounts import Account, PermissionDeniedError, Role, active_account, authenticate
from portal.accounts.services import LoginPolicy
from portal.services import services

F = TypeVar("F", bound=Callable[..., Any])

Step = tuple[str, str]
"""What a command does or where to look, in Vietnamese and English."""


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


def acting_account(
    app: Flask, username: str, step: Step, *roles: Role, confirm_password: bool = False
) -> Account:
    """The active account ``username`` holding one of ``roles``; refused otherwise.

    The command line runs with the operator's rights: every step is done in
    the name of a real, active account with the role the portal would
    require, so that the audit trail names it. With ``confirm_password`` the
    account's own password is asked for (from the terminal, or one line on
    standard input) and checked as the login page checks it (failures
    counted, lockout, audited): the two people of a disposal must each know
    their own password, one operator cannot simply name two accounts.
    """
    if confirm_password:
        _check_password(app, username)
    with services(app).db.unit_of_work() as session:
        account = active_account(session, username)
    if account is None:
        raise PermissionDeniedError(
            f"Không có tài khoản đang hoạt động tên '{username}'. Dùng --actor với tên "
            "đăng nhập của chính bạn (xem 'eforms users list').",
            f"No active account named '{username}'. Pass your own username with --actor "
            "(see 'eforms users list').",
            details={"actor": username},
        )
    if not any(account.has_role(role) for role in roles):
        needed_vi = " hoặc ".join(role.label_vi for role in roles)
        needed_en = " or ".join(role.label_en for role in roles)
        raise PermissionDeniedError(
            f"Tài khoản '{account.username}' không có vai trò {needed_vi}, cần để {step[0]}.",
            f"Account '{account.username}' does not hold the {needed_en} role needed to {step[1]}.",
            details={"actor": account.username, "required": [str(r) for r in roles]},
        )
    return account


def _check_password(app: Flask, username: str) -> None:
    password = click.prompt(
        f"Mật khẩu của {username} / Password of {username}",
        hide_input=True,
        err=True,
    )
    settings = services(app).settings
    policy = LoginPolicy(
        max_attempts=settings.login_max_attempts,
        lockout=timedelta(minutes=settings.login_lockout_minutes),
    )
    with services(app).db.unit_of_work() as session:
        result = authenticate(
            session, username=username, password=password, policy=policy, source_ip=None
        )
    if result.error is not None:
        raise result.error


PYHANKO_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


class _Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def signature_checks(outcome: Step) -> Iterator[None]:
    """Keep pyHanko's tracebacks off the console; say in two languages what they mean.

    pyHanko logs every certificate problem with its traceback (an OCSP
    responder that does not answer gives one per signature). The verdict and
    its reason are already among the problems the command prints.
    """
    handler = _Collected()
    loggers = [logging.getLogger(name) for name in PYHANKO_LOGGERS]
    propagate = [lg.propagate for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
    try:
        yield
    finally:
        for lg, before in zip(loggers, propagate, strict=True):
            lg.removeHandler(handler)
            lg.propagate = before
    if handler.records:
        n = len(handler.records)
        click.echo(
            f"  GHI CHÚ: {n} lỗi khi kiểm tra chứng thư số (thường do máy chủ OCSP/CRL không "
            f"trả lời); {outcome[0]}. / NOTE: {n} certificate validation error(s) (often an "
            f"OCSP/CRL server not answering); {outcome[1]}.",
            err=True,
        )
