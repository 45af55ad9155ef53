"""Background jobs: the registry, the ledger in the database, and running one.

A job is a function registered under a name and called as
``func(progress, **payload)``. Its state and progress live in the ``jobs``
table, written by whichever process runs it (a thread of the web app, or a
Celery worker elsewhere) and read by any instance: the CLI and the UI show
the same figures. The queue adapters (``thread_jobs``, ``celery_jobs``) only
decide where :func:`run_job` is called.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from eforms.errors import EformsError
from storage.db import Database
from storage.errors import JobNotFoundError, UnknownJobError
from storage.schema.base import utcnow
from storage.schema.jobs import JobRow

log = logging.getLogger(__name__)

REPORT_INTERVAL_SECONDS = 0.5
"""Progress is written at most this often (and always at the end)."""


class JobState(StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobState.SUCCEEDED, JobState.FAILED)


@dataclass(frozen=True)
class JobProgress:
    """A job's state as last recorded."""

    id: str
    name: str
    state: JobState
    done: int
    total: int | None
    message: str
    result: Any = None
    error_code: str | None = None
    error_message: str | None = None
    created_at: datetime | None = None
    finished_at: datetime | None = None

    @property
    def percent(self) -> float | None:
        """Done as a percentage of total, when the total is known."""
        if not self.total:
            return None
        return round(100.0 * self.done / self.total, 1)


class JobRegistry:
    """Job functions by name; the same registry is built in web app and workers."""

    def __init__(self) -> None:
        self._jobs: dict[str, Callable[..., Any]] = {}

    def register(self, name: str, func: Callable[..., Any]) -> None:
        """Register ``func`` as the job ``name`` (called ``func(progress, **payload)``)."""
        self._jobs[name] = func

    def lookup(self, name: str) -> Callable[..., Any]:
        """The job function, or ``UnknownJobError``."""
        try:
            return self._jobs[name]
        except KeyError as exc:
            raise UnknownJobError(
                f"Không có tác vụ nền nào tên '{name}'.",
                f"No background job is registered as '{name}'.",
                details={"name": name, "known": sorted(self._jobs)},
            ) from exc

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._jobs)


REQUEST_ID_KEY = "_request_id"
"""Payload key carrying the id of the request that started a job (taken out before the call)."""

job_request_id: ContextVar[str | None] = ContextVar("job_request_id", default=None)
"""While a job runs: the id of the request that started it, for its log lines."""


class JobLedger:
    """Reads and writes job rows; each call is its own short transaction.

    ``correlation`` gives the id of the request being served, if any: a job
    created during a request carries it, and its log lines say it
    (:data:`job_request_id`), wherever the job runs.
    """

    def __init__(
        self, db: Database, *, correlation: Callable[[], str | None] | None = None
    ) -> None:
        self.db = db
        self.correlation = correlation

    def create(self, name: str, payload: Mapping[str, Any]) -> str:
        """Record a queued job and return its new id."""
        job_id = str(uuid.uuid4())
        clean = json.loads(json.dumps(dict(payload)))
        request_id = self.correlation() if self.correlation else None
        if request_id:
            clean[REQUEST_ID_KEY] = request_id
        with self.db.unit_of_work() as session:
            session.add(JobRow(id=job_id, name=name, state=JobState.QUEUED, payload=clean, done=0))
        return job_id

    def update(self, job_id: str, **values: Any) -> None:
        """Set columns of one job row (and its ``updated_at``)."""
        with self.db.unit_of_work() as session:
            row = session.get(JobRow, job_id)
            if row is None:
                raise _not_found(job_id)
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = utcnow()

    def get(self, job_id: str) -> JobProgress:
        """The job's last recorded state; ``JobNotFoundError`` if unknown."""
        with self.db.unit_of_work() as session:
            row = session.get(JobRow, job_id)
            if row is None:
                raise _not_found(job_id)
            return _progress(row)

    def recent(self, *, limit: int = 20) -> list[JobProgress]:
        """The newest jobs first."""
        with self.db.unit_of_work() as session:
            rows = session.scalars(select(JobRow).order_by(JobRow.created_at.desc()).limit(limit))
            return [_progress(row) for row in rows]

    def unfinished(self) -> dict[tuple[str, JobState], int]:
        """How many jobs of each name are queued or running, for queue-depth figures.

        Read from the ledger, so every process (web workers, Celery workers,
        other instances) is counted once, whoever asks.
        """
        waiting = (JobState.QUEUED, JobState.RUNNING)
        with self.db.unit_of_work() as session:
            rows = session.execute(
                select(JobRow.name, JobRow.state, func.count())
                .where(JobRow.state.in_(waiting))
                .group_by(JobRow.name, JobRow.state)
            ).all()
        return {(name, JobState(state)): count for name, state, count in rows}


class LedgerReporter:
    """Progress reporter that writes to the ledger, at most every half second."""

    def __init__(self, ledger: JobLedger, job_id: str) -> None:
        self._ledger = ledger
        self._job_id = job_id
        self._last = 0.0

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        """Record progress; intermediate calls inside the interval are skipped."""
        now = time.monotonic()
        final = total is not None and done >= total
        if not final and now - self._last < REPORT_INTERVAL_SECONDS:
            return
        self._last = now
        self._ledger.update(self._job_id, done=done, total=total, message=message[:2000])


def run_job(ledger: JobLedger, registry: JobRegistry, job_id: str) -> JobProgress:
    """Run the job ``job_id`` here and now, recording its start, progress and end.

    A project error is recorded with its code and English message; any
    other exception is recorded as ``job.crashed`` and logged with its
    traceback. The job's return value is stored as its result.
    """
    job = ledger.get(job_id)
    ledger.update(job_id, state=JobState.RUNNING, started_at=utcnow())
    with ledger.db.unit_of_work() as session:
        payload = dict(session.get(JobRow, job_id).payload or {})  # type: ignore[union-attr]
    token = job_request_id.set(payload.pop(REQUEST_ID_KEY, None))
    log.info("job %s (%s) started", job_id, job.name)
    try:
        result = registry.lookup(job.name)(LedgerReporter(ledger, job_id), **payload)
    except EformsError as exc:
        ledger.update(
            job_id,
            state=JobState.FAILED,
            error_code=exc.code,
            error_message=f"{exc.message_en} / {exc.message_vi}",
            finished_at=utcnow(),
        )
    except Exception as exc:  # noqa: BLE001 - a job's crash is recorded, then logged
        log.exception("job %s (%s) crashed", job_id, job.name)
        ledger.update(
            job_id,
            state=JobState.FAILED,
            error_code="job.crashed",
            error_message=f"{type(exc).__name__}: {exc}",
            finished_at=utcnow(),
        )
    else:
        ledger.update(
            job_id,
            state=JobState.SUCCEEDED,
            result=json.loads(json.dumps(result, default=str)),
            finished_at=utcnow(),
        )
    finally:
        job_request_id.reset(token)
    return ledger.get(job_id)


def wait_for(ledger: JobLedger, job_id: str, *, timeout: float, poll: float = 0.1) -> JobProgress:
    """Poll the ledger until the job has finished or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        progress = ledger.get(job_id)
        if progress.state.finished or time.monotonic() >= deadline:
            return progress
        time.sleep(poll)


def _not_found(job_id: str) -> JobNotFoundError:
    return JobNotFoundError(
        f"Không tìm thấy tác vụ nền '{job_id}'.",
        f"No background job '{job_id}'.",
        details={"job_id": job_id},
    )


def _progress(row: JobRow) -> JobProgress:
    return JobProgress(
        id=row.id,
        name=row.name,
        state=JobState(row.state),
        done=row.done,
        total=row.total,
        message=row.message or "",
        result=row.result,
        error_code=row.error_code,
        error_message=row.error_message,
        created_at=row.created_at,
        finished_at=row.finished_at,
    )
