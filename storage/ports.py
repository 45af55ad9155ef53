"""Ports of the storage package: the object store and the job queue.

The docstrings are the contract every adapter honours; the shared contract
suite in ``tests/storage/`` checks it against each one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO, Protocol

from storage.jobs import JobProgress, JobState
from storage.objects import ObjectInfo, ObjectReader, Retention


class ObjectStore(Protocol):
    """Stores immutable-by-default blobs under keys, with S3 object-lock rules."""

    def put(
        self,
        key: str,
        data: BinaryIO,
        *,
        sha256: str | None = None,
        content_type: str = "application/octet-stream",
        retention: Retention | None = None,
        legal_hold: bool = False,
    ) -> ObjectInfo:
        """Store the stream under ``key`` and return what was stored.

        The SHA-256 is computed while streaming; when ``sha256`` is given and
        differs, raise ``ChecksumMismatchError`` and store nothing. The object
        becomes visible whole or not at all. If the current object under
        ``key`` is under an active retention raise ``ObjectLockedError``, and
        if it is held ``ObjectHeldError``: the old object stays readable.
        ``retention`` and ``legal_hold`` apply to the new object atomically.
        A full disk raises ``StoreFullError``, an unreachable store
        ``StoreUnreachableError``, refused credentials ``StoreCredentialsError``.
        """
        ...

    def get(self, key: str, *, version_id: str | None = None) -> ObjectReader:
        """Open the object for streaming; ``ObjectNotFoundError`` if absent.

        Reading to the end verifies the stored SHA-256.
        """
        ...

    def head(self, key: str, *, version_id: str | None = None) -> ObjectInfo:
        """Size, checksum, retention and legal hold; ``ObjectNotFoundError`` if absent."""
        ...

    def exists(self, key: str) -> bool:
        """Whether a current object is stored under ``key``."""
        ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Current objects whose key starts with ``prefix``, in key order.

        Each item is as complete as ``head`` would give (checksum, retention,
        legal hold). A prefix that climbs out of the store (``..``) raises
        ``InvalidObjectKeyError``.
        """
        ...

    def delete(self, key: str, *, bypass_governance: bool = False) -> None:
        """Remove the object for good.

        ``ObjectHeldError`` under a legal hold; ``ObjectLockedError`` while a
        COMPLIANCE retention runs, or a GOVERNANCE one unless
        ``bypass_governance``. ``ObjectNotFoundError`` if absent.
        """
        ...

    def set_retention(
        self, key: str, retention: Retention, *, bypass_governance: bool = False
    ) -> None:
        """Set or change the retention of the current object.

        A date in the past raises ``InvalidRetentionError``. COMPLIANCE may be
        extended, never shortened nor turned into GOVERNANCE
        (``ObjectLockedError``, bypass or not). An active GOVERNANCE period
        may be extended or made COMPLIANCE; shortening it needs
        ``bypass_governance``.
        """
        ...

    def get_retention(self, key: str) -> Retention | None:
        """The current retention, or None (including when it has expired)."""
        ...

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Put a legal hold on the object or lift it."""
        ...

    def get_legal_hold(self, key: str) -> bool:
        """Whether the object is under a legal hold."""
        ...

    def describe(self) -> Mapping[str, Any]:
        """Reach the store and say what it is and whether it enforces locks.

        Keys: ``kind``, ``location``, ``object_lock`` (bool), ``versioning``
        (bool). Raises ``StoreUnreachableError``/``StoreCredentialsError``.
        """
        ...


JobFunction = Callable[..., Any]
"""A job: called as ``func(progress, **payload)``; ``progress`` is a :class:`JobReporter`."""


class JobReporter(Protocol):
    """What a running job uses to tell the world how far it is."""

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        """Record progress: ``done`` of ``total`` units, with a short message."""
        ...


class JobQueue(Protocol):
    """Runs registered jobs in the background and records their progress.

    State lives in the database, so any instance (web, CLI, worker) can read
    the progress of a job another instance started.
    """

    def submit(self, name: str, payload: Mapping[str, Any] | None = None) -> str:
        """Queue the job registered as ``name``; return its id at once.

        ``payload`` must be JSON-serialisable (it may cross to a worker).
        ``UnknownJobError`` if no job is registered under ``name``.
        """
        ...

    def progress(self, job_id: str) -> JobProgress:
        """The last recorded state; ``JobNotFoundError`` if unknown."""
        ...

    def wait(self, job_id: str, *, timeout: float) -> JobProgress:
        """Block until the job ends or ``timeout`` seconds pass; return its state."""
        ...

    def shutdown(self) -> None:
        """Stop accepting jobs and release threads or connections."""
        ...


__all__ = ["JobFunction", "JobQueue", "JobReporter", "JobState", "ObjectStore"]
