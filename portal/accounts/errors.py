"""Errors of accounts, login and role management."""

from __future__ import annotations

from eforms.errors import EformsError


class AccountError(EformsError):
    """Base of account errors."""

    code = "accounts.error"
    http_status = 400


class InvalidCredentialsError(AccountError):
    code = "accounts.invalid_credentials"
    http_status = 401


class AccountLockedError(AccountError):
    code = "accounts.locked"
    http_status = 423


class DuplicateAccountError(AccountError):
    code = "accounts.duplicate"
    http_status = 409


class UnknownAgencyError(AccountError):
    code = "accounts.unknown_agency"
    http_status = 404


class PermissionDeniedError(AccountError):
    """The actor may not do this (role or agency scope)."""

    code = "accounts.permission_denied"
    http_status = 403
