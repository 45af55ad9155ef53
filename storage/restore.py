"""Checking backups and restoring one into an empty directory."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from storage.backup import (
    NullReporter,
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

    Two phases, so that a damaged backup changes nothing:

    1. Check and stage: the manifest's checksum, the database snapshot's,
       and every file and object, copied into ``.<into>.restoring`` beside
       ``into`` and verified on the way (retention still running and legal
       holds are put back on the objects). A PostgreSQL backup also needs
       ``database_url`` to name an empty, reachable database. Any failure
       removes the staging directory: neither ``into`` nor the database has
       been touched.
    2. Swap: a PostgreSQL dump is restored with ``pg_restore`` in a single
       transaction (it restores everything or nothing), then the staging
       directory is renamed to ``into``. Only a failed rename after a
       successful ``pg_restore`` leaves work to finish; the error then says
       what is where and the command that finishes it.

    A SQLite snapshot becomes ``into/eforms.db``.
    """
    _require_empty_directory(into)
    manifest = read_manifest(target, backup_id)
    source = target / "backups" / manifest["id"]
    backup_set = open_set(target, manifest)
    pg_url = (
        _require_empty_database(manifest, database_url)
        if manifest["database"]["backend"] != "sqlite"
        else None
    )
    reporter = progress or NullReporter()
    staging = into.parent / f".{into.name}.restoring"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        snapshot = _stage_database(manifest, source, staging)
        files = _restore_files(manifest, source, staging)
        staged = FsObjectStore(staging / "objects")
        objects = _restore_objects(manifest, backup_set, staged, reporter)
        _require_empty_directory(into)  # still: nothing may have appeared there meanwhile
        restored_pg = None
        if pg_url is not None:
            reporter.report(objects, objects, "restoring the database (one transaction)")
            restored_pg = _pg_restore(manifest, snapshot, pg_url)
            reporter.report(objects, objects, f"database restored into {restored_pg}")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, into, manifest["id"], database=restored_pg)
    database = restored_pg or str(into / "eforms.db")
    return RestoreResult(manifest["id"], into, objects, files, database)


def _require_empty_directory(into: Path) -> None:
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise BackupError(
            f"Thư mục đích {into} không rỗng; chọn một thư mục mới.",
            f"The directory {into} is not empty; restore into a new one.",
            details={"into": str(into)},
        )


def _require_empty_database(manifest: dict[str, Any], database_url: str | None) -> str:
    """The URL to restore a PostgreSQL backup into, checked to be reachable and empty."""
    if not database_url:
        raise BackupError(
            "Bản sao lưu chứa cơ sở dữ liệu PostgreSQL: hãy chỉ định --database-url "
            "của một cơ sở dữ liệu rỗng để khôi phục vào.",
            "This backup holds a PostgreSQL database: pass --database-url of an empty "
            "database to restore into.",
            details={"backup": manifest["id"]},
        )
    db = Database(database_url)
    if db.backend != "postgresql":
        db.dispose()
        raise BackupError(
            "Bản sao lưu chứa cơ sở dữ liệu PostgreSQL: --database-url phải là địa chỉ "
            "postgresql://... của một cơ sở dữ liệu rỗng.",
            "This backup holds a PostgreSQL database: --database-url must be a "
            "postgresql://... URL of an empty database.",
            details={"backup": manifest["id"], "backend": db.backend},
        )
    try:
        tables = inspect(db.engine).get_table_names()
    except OperationalError as exc:
        raise BackupError(
            "Không kết nối được cơ sở dữ liệu đích để khôi phục; chưa có gì bị thay đổi.",
            "Cannot reach the database to restore into; nothing was changed.",
            details={"database": db.url.render_as_string(hide_password=True)},
        ) from exc
    finally:
        db.dispose()
    if tables:
        shown = db.url.render_as_string(hide_password=True)
        raise BackupError(
            f"Cơ sở dữ liệu đích {shown} đã có {len(tables)} bảng; khôi phục chỉ ghi vào "
            "một cơ sở dữ liệu rỗng (tạo mới bằng createdb). Chưa có gì bị thay đổi.",
            f"The database {shown} already has {len(tables)} table(s); a restore only "
            "writes into an empty database (make one with createdb). Nothing was changed.",
            details={"database": shown, "tables": sorted(tables)[:20]},
        )
    return database_url


def _stage_database(manifest: dict[str, Any], source: Path, staging: Path) -> Path:
    """Check the snapshot's SHA-256; SQLite's is copied into the staging directory."""
    info = manifest["database"]
    snapshot = source / info["file"]
    if not snapshot.is_file() or file_sha256(snapshot) != info["sha256"]:
        raise BackupError(
            f"Bản chụp cơ sở dữ liệu của '{manifest['id']}' bị thiếu hoặc hỏng; "
            "chưa có gì bị thay đổi.",
            f"The database snapshot of '{manifest['id']}' is missing or corrupt; "
            "nothing was changed.",
            details={"backup": manifest["id"], "file": info["file"]},
        )
    if info["backend"] != "sqlite":
        return snapshot
    dest = staging / "eforms.db"
    shutil.copy2(snapshot, dest)
    if file_sha256(dest) != info["sha256"]:
        raise BackupError(
            f"Bản chụp cơ sở dữ liệu của '{manifest['id']}' bị hỏng khi sao chép; "
            "chưa có gì bị thay đổi.",
            f"The database snapshot of '{manifest['id']}' was damaged while copying; "
            "nothing was changed.",
            details={"backup": manifest["id"]},
        )
    return dest


def _pg_restore(manifest: dict[str, Any], snapshot: Path, database_url: str) -> str:
    """Restore the dump in one transaction: on failure the database stays as it was."""
    url, env = libpq_command_env(Database(database_url))
    args = ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
    try:
        done = subprocess.run(
            [*args, f"--dbname={url}", str(snapshot)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError as exc:
        raise BackupError(
            "Không tìm thấy pg_restore; cài gói postgresql-client. Chưa có gì bị thay đổi.",
            "pg_restore is not installed; install postgresql-client. Nothing was changed.",
        ) from exc
    if done.returncode != 0:
        tail = done.stderr.strip()[-500:]
        raise BackupError(
            f"pg_restore thất bại, cơ sở dữ liệu đích giữ nguyên (giao dịch bị hủy): {tail}",
            f"pg_restore failed; the database is unchanged (its transaction was rolled "
            f"back): {tail}",
            details={"backup": manifest["id"]},
        )
    return url


def _swap(staging: Path, into: Path, backup_id: str, *, database: str | None) -> None:
    """Rename the verified staging directory to ``into``: the restore's last step."""
    try:
        if into.exists():
            into.rmdir()
        os.replace(staging, into)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if database is None:
            shutil.rmtree(staging, ignore_errors=True)
            raise BackupError(
                f"Không đổi tên được thư mục khôi phục thành {into} ({reason}); "
                "chưa có gì bị thay đổi, hãy chạy lại với một thư mục rỗng.",
                f"Cannot rename the restored directory to {into} ({reason}); nothing was "
                "changed: run the restore again into an empty directory.",
                details={"into": str(into)},
            ) from exc
        raise BackupError(
            f"Đã khôi phục cơ sở dữ liệu {database} từ '{backup_id}', nhưng không đổi tên "
            f"được thư mục {staging} (đã kiểm tra đủ tệp và đối tượng) thành {into} "
            f"({reason}). Để hoàn tất: làm rỗng hoặc xóa {into}, rồi chạy "
            f"`mv {staging} {into}`; không chạy lại lệnh khôi phục vào cơ sở dữ liệu này.",
            f"The database {database} was restored from '{backup_id}', but the verified "
            f"files and objects in {staging} could not be renamed to {into} ({reason}). "
            f"To finish: empty or remove {into}, then run `mv {staging} {into}`; do not "
            "restore into this database again.",
            details={"database": database, "staging": str(staging), "into": str(into)},
        ) from exc


def _restore_files(manifest: dict[str, Any], source: Path, staging: Path) -> int:
    for entry in manifest["files"]:
        origin = source / "files" / entry["path"]
        dest = staging / entry["path"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_file():
            shutil.copy2(origin, dest)
        if not dest.is_file() or file_sha256(dest) != entry["sha256"]:
            raise BackupError(
                f"Tệp {entry['path']} trong bản sao lưu '{manifest['id']}' bị thiếu hoặc "
                "hỏng; chưa có gì bị thay đổi.",
                f"The file {entry['path']} in backup '{manifest['id']}' is missing or "
                "corrupt; nothing was changed.",
                details={"backup": manifest["id"], "file": entry["path"]},
            )
    return len(manifest["files"])


def _restore_objects(
    manifest: dict[str, Any],
    backup_set: FsObjectStore,
    store: FsObjectStore,
    progress: JobReporter,
) -> int:
    entries = manifest["objects"]
    now = utc_now()
    for done, entry in enumerate(entries, start=1):
        try:
            _restore_object(entry, backup_set, store, now=now)
        except StorageError as exc:
            raise BackupError(
                f"Đối tượng {entry['key']} trong bản sao lưu '{manifest['id']}' bị thiếu "
                f"hoặc hỏng ({exc.message_vi}); chưa có gì bị thay đổi.",
                f"The object {entry['key']} in backup '{manifest['id']}' is missing or "
                f"corrupt ({exc.message_en}); nothing was changed.",
                details={"backup": manifest["id"], "key": entry["key"], "cause": exc.code},
            ) from exc
        progress.report(done, len(entries), f"objects {done}/{len(entries)}")
    return len(entries)


def _restore_object(
    entry: dict[str, Any], backup_set: FsObjectStore, store: FsObjectStore, *, now: datetime
) -> None:
    """Copy one object's content into the store, checked against its SHA-256."""
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
