"""Accounts, agencies and roles scoped to an agency.

Plain functions on a SQLAlchemy session (no Flask): the views and commands
call them inside a unit of work and translate their errors.
"""

from portal.accounts.errors import AccountError, PermissionDeniedError
from portal.accounts.federation import find_or_create_federated_citizen
from portal.accounts.roles import Role
from portal.accounts.services import (
    Account,
    active_account,
    authenticate,
    create_agency,
    create_user,
    get_account,
    grant_role,
    grantable_roles,
    list_users,
    validate_agency_id,
)

__all__ = [
    "Account",
    "AccountError",
    "PermissionDeniedError",
    "Role",
    "active_account",
    "authenticate",
    "create_agency",
    "create_user",
    "find_or_create_federated_citizen",
    "get_account",
    "grant_role",
    "grantable_roles",
    "list_users",
    "validate_agency_id",
]
