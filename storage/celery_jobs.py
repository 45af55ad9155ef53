"""Job queue on Celery with a Redis broker, for several instances and workers.

The web app and the workers build the same :class:`JobRegistry` and point at
the same database; the broker carries only the job id. A worker is started
with ``celery -A portal.worker worker`` (see ``docs/storage.md``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from celery import Celery

from storage.jobs import JobLedger, JobProgress, JobRegistry, run_job, wait_for

TASK_NAME = "eforms.run_job"


def make_celery(broker_url: str, ledger: JobLedger, registry: JobRegistry) -> Celery:
    """A Celery app whose single task runs a recorded job by id.

    Results are not kept in a Celery backend: the ledger is the record.
    Tasks are acknowledged late so that a worker killed mid-job leaves the
    message for another worker.
    """
    app = Celery("eforms", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
    )

    @app.task(name=TASK_NAME)
    def run(job_id: str) -> None:
        run_job(ledger, registry, job_id)

    return app


class CeleryJobQueue:
    """Queues jobs to Celery workers; reads progress from the ledger."""

    def __init__(self, celery: Celery, ledger: JobLedger, registry: JobRegistry) -> None:
        self.celery = celery
        self.ledger = ledger
        self.registry = registry

    def submit(self, name: str, payload: Mapping[str, Any] | None = None) -> str:
        """Record the job, then send its id to the broker."""
        self.registry.lookup(name)
        job_id = self.ledger.create(name, payload or {})
        self.celery.send_task(TASK_NAME, args=[job_id])
        return job_id

    def progress(self, job_id: str) -> JobProgress:
        """The job's last recorded state."""
        return self.ledger.get(job_id)

    def wait(self, job_id: str, *, timeout: float) -> JobProgress:
        """Poll the ledger until the job ends or ``timeout`` passes."""
        return wait_for(self.ledger, job_id, timeout=timeout)

    def shutdown(self) -> None:
        """Close the broker connections."""
        self.celery.close()
