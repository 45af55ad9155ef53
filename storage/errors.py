"""Errors of the storage package: database, object store, backups, jobs."""

from __future__ import annotations

from eforms.errors import EformsError


class StorageError(EformsError):
    """Base of every storage error."""

    code = "storage.error"
    http_status = 503


class DatabaseConfigError(StorageError):
    """The database URL or options cannot be used."""

    code = "storage.database_config"
    http_status = 500


class DatabaseUnavailableError(StorageError):
    """The database cannot be reached or refused the connection."""

    code = "storage.database_unavailable"
