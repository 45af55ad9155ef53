"""``eforms storage``, ``backup``, ``restore`` and ``jobs``: object store, backups, jobs."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from portal.cli.context import with_app
from portal.services import services
from storage.backup import BackupKind, list_backups, run_backup
from storage.fs_store import FsObjectStore
from storage.jobs import JobProgress
from storage.restore import restore_backup, verify_backups
from storage.s3_store import S3ObjectStore


class _EchoProgress:
    """Prints job progress on the terminal, at most one line per ten percent."""

    def __init__(self) -> None:
        self._shown = -1

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        step = int(10 * done / total) if total else 0
        if step != self._shown:
            self._shown = step
            click.echo(f"  {message}", err=True)


@click.group("storage")
def storage_group() -> None:
    """Kho lưu trữ đối tượng / Object store."""


@storage_group.command("check")
@click.option("--create-bucket", is_flag=True, help="Create the S3 bucket (with object lock).")
@click.option(
    "--repair",
    is_flag=True,
    help="Filesystem store: remove leftovers of killed writes older than an hour "
    "(safe while the service runs: it takes the store's commit lock).",
)
@with_app
def check(app: Flask, create_bucket: bool, repair: bool) -> None:
    """Reach the configured store and report its lock support."""
    store = services(app).object_store
    if create_bucket and isinstance(store, S3ObjectStore):
        store.ensure_bucket()
    if repair and isinstance(store, FsObjectStore):
        removed = store.recover()
        click.echo(f"Removed {len(removed)} leftover file(s).")
    described = store.describe()
    click.echo(f"Kho / Store: {described['kind']} at {described['location']}")
    click.echo(f"Object lock: {'yes' if described['object_lock'] else 'NO'}")
    click.echo(f"Versioning: {'yes' if described['versioning'] else 'no'}")
    if not described["object_lock"]:
        raise click.ClickException(
            "The store does not enforce retention: records could be deleted early."
        )


@click.group("backup", invoke_without_command=True)
@click.option("--full", is_flag=True, help="Force a full backup (default: by schedule).")
@click.option(
    "-o", "--output", "target", type=click.Path(path_type=Path),
    help="Backup directory (default EFORMS_BACKUP_TARGET or <data dir>/backups).",
)  # fmt: skip
@click.pass_context
def backup_group(ctx: click.Context, full: bool, target: Path | None) -> None:
    """Sao lưu / Back up the database, objects and keys.

    Without a subcommand: make a backup. By schedule a full one on the first
    backup of each month, incremental otherwise (run it daily from cron or a
    systemd timer).
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(_make_backup, full=full, target=target)


@with_app
def _make_backup(app: Flask, full: bool, target: Path | None) -> None:
    built = services(app)
    target = target or built.settings.resolved_backup_target
    result = run_backup(
        db=built.db,
        store=built.object_store,
        target=target,
        data_dir=built.settings.data_dir,
        kind=BackupKind.FULL if full else None,
        progress=_EchoProgress(),
    )
    click.echo(
        f"Backup {result.id} ({result.kind.value}): {result.objects} objects, "
        f"{result.copied} copied ({result.bytes_copied} bytes) -> {result.path}"
    )


@backup_group.command("verify")
@click.argument("target", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--backup", "backup_id", help="Only this backup id (default: all).")
def verify(target: Path, backup_id: str | None) -> None:
    """Recompute every checksum of the backups in TARGET."""
    report = verify_backups(target, backup_id=backup_id)
    for problem in report.problems:
        click.echo(f"  PROBLEM {problem}", err=True)
    click.echo(
        f"{len(report.backups)} backup(s), {report.objects_checked} object(s) checked: "
        f"{'OK' if report.ok else f'{len(report.problems)} problem(s)'}"
    )
    if not report.ok:
        raise SystemExit(1)


@backup_group.command("list")
@click.argument("target", type=click.Path(exists=True, file_okay=False, path_type=Path))
def list_command(target: Path) -> None:
    """List the complete backups in TARGET, oldest first."""
    for manifest in list_backups(target):
        click.echo(
            f"{manifest['id']}  {manifest['kind']:<11}  set {manifest['set']}  "
            f"{len(manifest['objects'])} objects"
        )


@click.command("restore")
@click.argument("target", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--into", required=True, type=click.Path(path_type=Path),
              help="New, empty data directory to rebuild.")  # fmt: skip
@click.option("--backup", "backup_id", help="Backup id (default: the newest).")
@click.option("--database-url", help="PostgreSQL backups: the empty database to restore into.")
def restore(target: Path, into: Path, backup_id: str | None, database_url: str | None) -> None:
    """Khôi phục / Rebuild a data directory from a backup in TARGET."""
    result = restore_backup(
        target, into=into, backup_id=backup_id, database_url=database_url,
        progress=_EchoProgress(),
    )  # fmt: skip
    click.echo(
        f"Restored {result.backup_id}: {result.objects} objects, {result.files} files, "
        f"database {result.database} -> {result.into}"
    )
    click.echo(f"Start it with EFORMS_DATA_DIR={result.into}")


@click.group("jobs")
def jobs_group() -> None:
    """Tác vụ nền / Background jobs and their progress."""


def _line(job: JobProgress) -> str:
    total = f"/{job.total}" if job.total is not None else ""
    percent = f" ({job.percent}%)" if job.percent is not None else ""
    error = f" [{job.error_code}] {job.error_message}" if job.error_code else ""
    head = f"{job.id}  {job.name:<20} {job.state.value:<9}"
    return f"{head} {job.done}{total}{percent} {job.message}{error}"


@jobs_group.command("list")
@click.option("--limit", default=20, show_default=True, help="How many of the newest jobs.")
@with_app
def jobs_list(app: Flask, limit: int) -> None:
    """The newest jobs with their progress."""
    for job in services(app).job_ledger.recent(limit=limit):
        click.echo(_line(job))


@jobs_group.command("show")
@click.argument("job_id")
@click.option("--wait", "wait_seconds", type=float, default=0.0, help="Wait up to N seconds.")
@with_app
def jobs_show(app: Flask, job_id: str, wait_seconds: float) -> None:
    """One job's state, done/total and message."""
    queue = services(app).jobs
    job = queue.wait(job_id, timeout=wait_seconds) if wait_seconds else queue.progress(job_id)
    click.echo(_line(job))


@jobs_group.command("worker")
@click.option("--concurrency", default=2, show_default=True, help="Worker processes.")
@with_app
def jobs_worker(app: Flask, concurrency: int) -> None:
    """Run a Celery worker for EFORMS_JOB_BROKER_URL (blocks)."""
    queue = services(app).jobs
    celery = getattr(queue, "celery", None)
    if celery is None:
        raise click.ClickException("EFORMS_JOB_BROKER_URL is not set: jobs run in-process.")
    celery.worker_main(["worker", "--loglevel=INFO", f"--concurrency={concurrency}"])


def register(cli: click.Group) -> None:
    cli.add_command(storage_group)
    cli.add_command(backup_group)
    cli.add_command(restore)
    cli.add_command(jobs_group)
