"""Building the object store and job queue from plain configuration values.

The portal calls these with its settings object; they read only the
attributes named here, so the core stays free of the settings module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from storage.fs_store import FsObjectStore
from storage.jobs import JobLedger, JobRegistry
from storage.ports import JobQueue, ObjectStore


class StorageSettings(Protocol):
    """The settings attributes the storage wiring reads."""

    object_store: str
    s3_endpoint: str
    s3_bucket: str
    s3_access_key: str
    s3_secret_key: str
    s3_region: str
    s3_secure: bool
    job_broker_url: str
    job_workers: int

    @property
    def resolved_objects_dir(self) -> Path: ...


def build_object_store(settings: StorageSettings) -> ObjectStore:
    """The filesystem store, or the S3 store when ``object_store`` is ``s3``.

    Nothing is contacted here: the S3 bucket is checked or created by
    ``eforms storage check --create-bucket``.
    """
    if settings.object_store == "s3":
        from storage.s3_store import S3Config, S3ObjectStore  # the SDK only when used

        return S3ObjectStore(
            S3Config(
                endpoint=settings.s3_endpoint,
                bucket=settings.s3_bucket,
                access_key=settings.s3_access_key,
                secret_key=settings.s3_secret_key,
                region=settings.s3_region,
                secure=settings.s3_secure,
            )
        )
    return FsObjectStore(settings.resolved_objects_dir)


def build_job_queue(
    settings: StorageSettings, ledger: JobLedger, registry: JobRegistry
) -> JobQueue:
    """Celery when a broker URL is set, else a thread pool in this process."""
    if settings.job_broker_url:
        from storage.celery_jobs import CeleryJobQueue, make_celery

        celery = make_celery(settings.job_broker_url, ledger, registry)
        return CeleryJobQueue(celery, ledger, registry)
    from storage.thread_jobs import ThreadJobQueue

    return ThreadJobQueue(ledger, registry, workers=settings.job_workers)
