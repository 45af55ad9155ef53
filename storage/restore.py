"""Checking backups and restoring one into an empty directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.backup import (
    content_key,
    file_sha256,
    libpq_command_env,
    list_backups,
    open_set,
    read_manifest,
)
from storage.db import Database
from storage.errors import BackupError, StorageError
from storage.fs_store import FsObjectStore
from storage.objects import Retention, RetentionMode, utc_now
from storage.ports import JobReporter


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify_backups` found."""

    backups: list[str]
    objects_checked: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class RestoreResult:
    """What :func:`restore_backup` rebuilt."""

    backup_id: str
    into: Path
    objects: int
    files: int
    database: str
    """The SQLite file, or the PostgreSQL URL restored into (without password)."""


def verify_backups(target: Path, *, backup_id: str | None = None) -> VerifyReport:
    """Recompute every checksum of one backup (or of all) and list what is wrong."""
    ids = [backup_id] if backup_id else [m["id"] for m in list_backups(target)]
    if not ids:
        raise BackupError(f"Không có bản sao lưu nào trong {target}.", f"No backup in {target}.")
    problems: list[str] = []
    checked = 0
    for one in ids:
        try:
            manifest = read_manifest(target, one)
            backup_set = open_set(target, manifest)
        except BackupError as exc:
            problems.append(f"{one}: {exc.message_en}")
            continue
        directory = target / "backups" / one
        database = manifest["database"]
        if _sha_or_none(directory / database["file"]) != database["sha256"]:
            problems.append(f"{one}: database snapshot {database['file']} missing or altered")
        for entry in manifest["files"]:
            if _sha_or_none(directory / "files" / entry["path"]) != entry["sha256"]:
                problems.append(f"{one}: file {entry['path']} missing or altered")
        for entry in manifest["objects"]:
            checked += 1
            problem = _check_content(backup_set, entry)
            if problem:
                problems.append(f"{one}: object {entry['key']}: {problem}")
    return VerifyReport(backups=ids, objects_checked=checked, problems=problems)


def _sha_or_none(path: Path) -> str | None:
    return file_sha256(path) if path.is_file() else None


def _check_content(backup_set: FsObjectStore, entry: dict[str, Any]) -> str | None:
    try:
        with backup_set.get(content_key(entry["sha256"])) as reader:
            for _chunk in reader.chunks():
                pass
    except StorageError as exc:
        return exc.message_en
    return None


def restore_backup(
    target: Path,
    *,
    into: Path,
    backup_id: str | None = None,
    database_url: str | None = None,
    progress: JobReporter | None = None,
) -> RestoreResult:
    """Rebuild a data directory from a backup into ``into`` (absent or empty).

    Everything is first written to a sibling temporary directory, every
    checksum verified, and renamed to ``into`` only at the end. A SQLite
    snapshot becomes ``into/eforms.db``; a PostgreSQL dump is restored into
    ``database_url`` (required then). Retention still running and legal
    holds are put back on the restored objects.
    """
    if into.exists() and any(into.iterdir()):
        raise BackupError(
            f"Thư mục đích {into} không rỗng; chọn một thư mục mới.",
            f"The directory {into} is not empty; restore into a new one.",
            details={"into": str(into)},
        )
    manifest = read_manifest(target, backup_id)
    source = target / "backups" / manifest["id"]
    backup_set = open_set(target, manifest)
    staging = into.parent / f".{into.name}.restoring"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        database = _restore_database(manifest, source, staging, database_url)
        files = _restore_files(manifest, source, staging)
        objects = _restore_objects(
            manifest, backup_set, FsObjectStore(staging / "objects"), progress
        )
        if into.exists():
            into.rmdir()
        os.replace(staging, into)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if database.startswith(str(staging)):
        database = str(into / Path(database).name)
    return RestoreResult(manifest["id"], into, objects, files, database)


def _restore_database(
    manifest: dict[str, Any], source: Path, staging: Path, database_url: str | None
) -> str:
    info = manifest["database"]
    snapshot = source / info["file"]
    if file_sha256(snapshot) != info["sha256"]:
        raise BackupError(
            f"Bản chụp cơ sở dữ liệu của '{manifest['id']}' bị hỏng.",
            f"The database snapshot of '{manifest['id']}' is corrupt.",
        )
    if info["backend"] == "sqlite":
        dest = staging / "eforms.db"
        shutil.copy2(snapshot, dest)
        return str(dest)
    if not database_url:
        raise BackupError(
            "Bản sao lưu chứa cơ sở dữ liệu PostgreSQL: hãy chỉ định --database-url "
            "của một cơ sở dữ liệu rỗng để khôi phục vào.",
            "This backup holds a PostgreSQL database: pass --database-url of an empty "
            "database to restore into.",
        )
    url, env = libpq_command_env(Database(database_url))
    done = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(snapshot)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore thất bại: {done.stderr.strip()[-500:]}",
            f"pg_restore failed: {done.stderr.strip()[-500:]}",
        )
    return url


def _restore_files(manifest: dict[str, Any], source: Path, staging: Path) -> int:
    for entry in manifest["files"]:
        origin = source / "files" / entry["path"]
        dest = staging / entry["path"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, dest)
        if file_sha256(dest) != entry["sha256"]:
            raise BackupError(
                f"Tệp {entry['path']} trong bản sao lưu bị hỏng.",
                f"The file {entry['path']} in the backup is corrupt.",
            )
    return len(manifest["files"])


def _restore_objects(
    manifest: dict[str, Any],
    backup_set: FsObjectStore,
    store: FsObjectStore,
    progress: JobReporter | None,
) -> int:
    entries = manifest["objects"]
    now = utc_now()
    for done, entry in enumerate(entries, start=1):
        retention = None
        if entry.get("retention"):
            candidate = Retention(
                RetentionMode(entry["retention"]["mode"]),
                datetime.fromisoformat(entry["retention"]["until"]),
            )
            retention = candidate if candidate.active(now) else None
        with backup_set.get(content_key(entry["sha256"])) as reader:
            store.put(
                entry["key"],
                reader,  # type: ignore[arg-type]
                sha256=entry["sha256"],
                content_type=entry.get("content_type", "application/octet-stream"),
                retention=retention,
                legal_hold=bool(entry.get("legal_hold")),
            )
        if progress is not None:
            progress.report(done, len(entries), f"objects {done}/{len(entries)}")
    return len(entries)
