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


class InvalidObjectKeyError(StorageError):
    """An object key is empty, absolute, or climbs out of the store."""

    code = "storage.invalid_key"
    http_status = 400


class ObjectNotFoundError(StorageError):
    """No object (or no such version) under the key."""

    code = "storage.object_missing"
    http_status = 404


class ObjectLockedError(StorageError):
    """A retention period forbids the delete, overwrite or change asked for."""

    code = "storage.object_locked"
    http_status = 409


class ObjectHeldError(StorageError):
    """A legal hold forbids deleting or overwriting the object."""

    code = "storage.object_held"
    http_status = 409


class InvalidRetentionError(StorageError):
    """A retention date is in the past or its mode unknown."""

    code = "storage.invalid_retention"
    http_status = 400


class ChecksumMismatchError(StorageError):
    """The bytes do not match the SHA-256 they were announced or stored with."""

    code = "storage.checksum_mismatch"
    http_status = 422


class StoreUnreachableError(StorageError):
    """The object store cannot be reached (network, DNS, server down)."""

    code = "storage.unreachable"
    http_status = 503


class StoreCredentialsError(StorageError):
    """The object store refused the access key or secret."""

    code = "storage.credentials"
    http_status = 503


class StoreFullError(StorageError):
    """The disk or quota of the store is full; nothing was written."""

    code = "storage.disk_full"
    http_status = 507


class StoreConfigError(StorageError):
    """The store is set up in a way the service cannot use (e.g. no object lock)."""

    code = "storage.store_config"
    http_status = 500


class BackupError(StorageError):
    """A backup or restore cannot be made or read."""

    code = "storage.backup"
    http_status = 500


class JobNotFoundError(StorageError):
    """No background job has this id."""

    code = "storage.job_missing"
    http_status = 404


class UnknownJobError(StorageError):
    """No job function is registered under this name."""

    code = "storage.job_unknown"
    http_status = 400
