"""Backups: a consistent database snapshot, objects copied incrementally, a manifest.

Layout of a backup target directory::

    backups/<id>/manifest.json         what this backup holds, with SHA-256 of everything
    backups/<id>/manifest.json.sha256  the manifest's own checksum
    backups/<id>/database.sqlite3      SQLite online-backup snapshot (or database.pgdump)
    backups/<id>/files/...             the data directory's other files (keys, PKI)
    sets/<full-id>/                    a filesystem object store, content-addressed:
                                       ``sha256/<2 hex>/<sha256>``

A full backup starts a new set and copies every object; an incremental one
copies into the newest set only the contents it lacks. Content addressing
keeps every earlier backup of the set restorable even when objects are
replaced later. A backup is built under ``backups/.<id>.partial`` and
renamed when complete, so a crashed backup never looks like one.

The database is snapshotted before the objects are listed. Services store an
object before the row that names it, so every object the snapshot refers to
is in the backup.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from eforms import __version__
from storage.db import Database
from storage.errors import BackupError
from storage.fs_store import FsObjectStore
from storage.objects import CHUNK_SIZE, utc_now
from storage.ports import JobReporter, ObjectStore

MANIFEST = "manifest.json"
FORMAT = "eforms-backup/1"
DATABASE_FILES = ("eforms.db", "eforms.db-wal", "eforms.db-shm", "eforms.db-journal")


class BackupKind(StrEnum):
    """Full (new object set) or incremental (adds to the newest set)."""

    FULL = "full"
    INCREMENTAL = "incremental"


@dataclass(frozen=True)
class BackupResult:
    """What :func:`run_backup` made."""

    id: str
    kind: BackupKind
    path: Path
    objects: int
    """Objects the backup covers."""
    copied: int
    """Object contents copied by this run (the rest were in the set already)."""
    bytes_copied: int


class NullReporter:
    """Progress reporter that reports nowhere (a backup or restore run without a job)."""

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        return None


def content_key(sha256: str) -> str:
    """Key of a content in a backup set."""
    return f"sha256/{sha256[:2]}/{sha256}"


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK_SIZE):
            digest.update(chunk)
    return digest.hexdigest()


def list_backups(target: Path) -> list[dict[str, Any]]:
    """Manifests of the complete backups in ``target``, oldest first."""
    root = target / "backups"
    if not root.is_dir():
        return []
    manifests = []
    for path in sorted(root.iterdir()):
        if path.name.startswith(".") or not (path / MANIFEST).is_file():
            continue
        manifests.append(json.loads((path / MANIFEST).read_text()))
    return manifests


def due_kind(target: Path, *, now: datetime) -> BackupKind:
    """The scheduled kind: full on the first backup of a month, else incremental."""
    fulls = [m for m in list_backups(target) if m["kind"] == BackupKind.FULL]
    if not fulls:
        return BackupKind.FULL
    last = datetime.fromisoformat(fulls[-1]["created_at"])
    return (
        BackupKind.INCREMENTAL
        if (last.year, last.month) == (now.year, now.month)
        else (BackupKind.FULL)
    )


def run_backup(
    *,
    db: Database,
    store: ObjectStore,
    target: Path,
    data_dir: Path | None = None,
    kind: BackupKind | None = None,
    progress: JobReporter | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Back up the database, the objects and the data directory's files to ``target``.

    ``kind`` None follows the schedule (:func:`due_kind`). Every object is
    copied with its SHA-256 verified on the way.
    """
    now = now or utc_now()
    reporter = progress or NullReporter()
    kind = kind or due_kind(target, now=now)
    fulls = [m for m in list_backups(target) if m["kind"] == BackupKind.FULL]
    if kind is BackupKind.INCREMENTAL and not fulls:
        kind = BackupKind.FULL
    backup_id = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}-{kind.value}"
    set_id = backup_id if kind is BackupKind.FULL else fulls[-1]["set"]
    partial = target / "backups" / f".{backup_id}.partial"
    try:
        partial.mkdir(parents=True)
        reporter.report(0, None, "database snapshot")
        database = _snapshot_database(db, partial)
        objects, copied, copied_bytes = _copy_objects(
            store, FsObjectStore(target / "sets" / set_id), reporter
        )
        files = _copy_data_files(data_dir, partial / "files", exclude=target) if data_dir else []
        manifest = {
            "format": FORMAT,
            "id": backup_id,
            "kind": kind.value,
            "set": set_id,
            "created_at": now.isoformat(),
            "eforms_version": __version__,
            "database": database,
            "objects": objects,
            "files": files,
        }
        _write_manifest(partial, manifest)
        final = target / "backups" / backup_id
        os.replace(partial, final)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise BackupError(
            f"Không ghi được bản sao lưu vào {target}: {exc.strerror or exc}.",
            f"Cannot write the backup to {target}: {exc.strerror or exc}.",
            details={"target": str(target)},
        ) from exc
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    reporter.report(len(objects), len(objects), f"backup {backup_id} complete")
    return BackupResult(backup_id, kind, final, len(objects), copied, copied_bytes)


def make_backup_job(
    *, db: Database, store: ObjectStore, default_target: Path, data_dir: Path
) -> Callable[..., dict[str, Any]]:
    """The ``storage.backup`` job: payload ``target`` (default ``default_target``), ``full``."""

    def backup(progress: JobReporter, *, target: str = "", full: bool = False) -> dict[str, Any]:
        result = run_backup(
            db=db,
            store=store,
            target=Path(target) if target else default_target,
            data_dir=data_dir,
            kind=BackupKind.FULL if full else None,
            progress=progress,
        )
        return {"id": result.id, "objects": result.objects, "copied": result.copied}

    return backup


def _snapshot_database(db: Database, into: Path) -> dict[str, Any]:
    if db.backend == "sqlite":
        target = into / "database.sqlite3"
        source = sqlite3.connect(str(db.url.database))
        dest = sqlite3.connect(str(target))
        try:
            with dest:
                source.backup(dest)  # the online backup API: a consistent copy
        finally:
            dest.close()
            source.close()
    else:
        target = into / "database.pgdump"
        _pg_dump(db, target)
    return {
        "backend": db.backend,
        "file": target.name,
        "sha256": file_sha256(target),
        "size": target.stat().st_size,
    }


def libpq_command_env(db: Database) -> tuple[str, dict[str, str]]:
    """A libpq URL without password, and an environment carrying it (not argv)."""
    url = db.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _pg_dump(db: Database, target: Path) -> None:
    url, env = libpq_command_env(db)
    args = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={url}"]
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            "Không tìm thấy pg_dump; cài gói postgresql-client.",
            "pg_dump is not installed; install postgresql-client.",
        ) from exc
    if done.returncode != 0:
        raise BackupError(
            f"pg_dump thất bại: {done.stderr.strip()[-500:]}",
            f"pg_dump failed: {done.stderr.strip()[-500:]}",
        )


def _copy_objects(
    store: ObjectStore, backup_set: FsObjectStore, reporter: JobReporter
) -> tuple[list[dict[str, Any]], int, int]:
    listed = list(store.list())
    entries: list[dict[str, Any]] = []
    copied = copied_bytes = 0
    for done, info in enumerate(listed, start=1):
        if not info.sha256:
            info = replace(info, sha256=_hash_object(store, info.key))
        key = content_key(info.sha256)
        if not backup_set.exists(key):
            with store.get(info.key) as reader:
                backup_set.put(key, reader, sha256=info.sha256)  # type: ignore[arg-type]
            copied += 1
            copied_bytes += info.size
        entries.append(
            {
                "key": info.key,
                "sha256": info.sha256,
                "size": info.size,
                "content_type": info.content_type,
                "retention": (
                    {"mode": info.retention.mode.value, "until": info.retention.until.isoformat()}
                    if info.retention
                    else None
                ),
                "legal_hold": info.legal_hold,
            }
        )
        reporter.report(done, len(listed), f"objects {done}/{len(listed)}")
    return entries, copied, copied_bytes


def _hash_object(store: ObjectStore, key: str) -> str:
    """SHA-256 of an object stored without one (written by another tool)."""
    with store.get(key) as reader:
        for _chunk in reader.chunks():
            pass
    return str(reader.sha256)


def _data_files(data_dir: Path, *, exclude: Path) -> Iterator[Path]:
    skip_dirs = {(data_dir / "objects").resolve(), exclude.resolve()}
    for root, dirs, names in os.walk(data_dir):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if (here / d).resolve() not in skip_dirs)
        for name in sorted(names):
            if here == data_dir and name in DATABASE_FILES:
                continue
            yield here / name


def _copy_data_files(data_dir: Path, into: Path, *, exclude: Path) -> list[dict[str, Any]]:
    entries = []
    for path in _data_files(data_dir, exclude=exclude):
        relative = path.relative_to(data_dir)
        dest = into / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
        entries.append({"path": relative.as_posix(), "sha256": file_sha256(dest)})
    return entries


def _write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    body = json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False).encode()
    (directory / MANIFEST).write_bytes(body)
    (directory / f"{MANIFEST}.sha256").write_text(
        f"{hashlib.sha256(body).hexdigest()}  {MANIFEST}\n"
    )
    for path in directory.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def read_manifest(target: Path, backup_id: str | None = None) -> dict[str, Any]:
    """The manifest of ``backup_id`` (default: the newest), its checksum checked."""
    backups = list_backups(target)
    if not backups:
        raise BackupError(
            f"Không có bản sao lưu hoàn chỉnh nào trong {target}.",
            f"No complete backup in {target}.",
            details={"target": str(target)},
        )
    chosen = backups[-1]["id"] if backup_id is None else backup_id
    directory = target / "backups" / chosen
    try:
        body = (directory / MANIFEST).read_bytes()
        recorded = (directory / f"{MANIFEST}.sha256").read_text().split()[0]
    except FileNotFoundError as exc:
        raise BackupError(
            f"Không có bản sao lưu '{chosen}' trong {target}.",
            f"No backup '{chosen}' in {target}.",
            details={"target": str(target), "backup": chosen},
        ) from exc
    if hashlib.sha256(body).hexdigest() != recorded:
        raise BackupError(
            f"Tệp kê khai của bản sao lưu '{chosen}' đã bị thay đổi hoặc hỏng.",
            f"The manifest of backup '{chosen}' was altered or is corrupt.",
            details={"backup": chosen},
        )
    return json.loads(body)


def open_set(target: Path, manifest: dict[str, Any]) -> FsObjectStore:
    """The object set a backup's contents live in."""
    path = target / "sets" / manifest["set"]
    if not path.is_dir():
        raise BackupError(
            f"Thiếu tập đối tượng '{manifest['set']}' của bản sao lưu '{manifest['id']}'.",
            f"The object set '{manifest['set']}' of backup '{manifest['id']}' is missing.",
        )
    return FsObjectStore(path)


__all__ = [
    "BackupKind",
    "BackupResult",
    "NullReporter",
    "due_kind",
    "list_backups",
    "make_backup_job",
    "read_manifest",
    "run_backup",
]
