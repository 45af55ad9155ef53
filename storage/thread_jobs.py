"""The default job queue: a thread pool inside the running process."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from storage.jobs import JobLedger, JobProgress, JobRegistry, run_job, wait_for


class ThreadJobQueue:
    """Runs jobs on a few threads of this process; state in the database.

    Jobs queued here die with the process; a queued job whose process ended
    stays ``queued`` in the ledger, visible to the operator. Use Celery
    (``EFORMS_JOB_BROKER_URL``) when jobs must survive restarts or scale out.
    """

    def __init__(self, ledger: JobLedger, registry: JobRegistry, *, workers: int = 2) -> None:
        self.ledger = ledger
        self.registry = registry
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="eforms-job")

    def submit(self, name: str, payload: Mapping[str, Any] | None = None) -> str:
        """Record and queue the job; return its id."""
        self.registry.lookup(name)
        job_id = self.ledger.create(name, payload or {})
        self._pool.submit(run_job, self.ledger, self.registry, job_id)
        return job_id

    def progress(self, job_id: str) -> JobProgress:
        """The job's last recorded state."""
        return self.ledger.get(job_id)

    def wait(self, job_id: str, *, timeout: float) -> JobProgress:
        """Poll until the job ends or ``timeout`` passes."""
        return wait_for(self.ledger, job_id, timeout=timeout)

    def shutdown(self) -> None:
        """Finish running jobs, then stop the threads."""
        self._pool.shutdown(wait=True)
