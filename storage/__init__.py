"""Storage: the database, object stores, backups and background jobs.

Ports are in :mod:`storage.ports` (``ObjectStore``, ``JobQueue``); adapters
in ``fs_store`` (default; its file format in ``fs_records``, its earlier
layout in ``fs_legacy``), ``s3_store`` (minio SDK, object lock),
``thread_jobs`` (default) and ``celery_jobs``; backups in ``backup`` and
``restore``; errors in ``errors``. Submodules are imported on demand so that
``import storage`` stays cheap and pulls in no SDK.
"""

__all__ = [
    "audit",
    "backup",
    "celery_jobs",
    "db",
    "errors",
    "fs_legacy",
    "fs_records",
    "fs_store",
    "jobs",
    "lock_rules",
    "objects",
    "ports",
    "restore",
    "s3_store",
    "schema",
    "testing",
    "thread_jobs",
    "wiring",
]
