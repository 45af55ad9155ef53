"""Authentication and authorisation for the portal."""

from portal.auth.session import audit, client_ip, current_account, require_role

__all__ = ["audit", "client_ip", "current_account", "require_role"]
