"""The filesystem object store: the default, enforcing object lock itself.

Layout under the root directory::

    meta/<key>.json      the commit record: size, SHA-256, blob name, retention, hold
    blobs/<xx>/<token>   the bytes, under a fresh random name per put
    .tmp/                files being written (emptied when the store opens)
    .lock                flock'd while a commit checks locks and renames

A put streams into ``.tmp`` while hashing, fsyncs, renames the bytes into
``blobs/``, then writes the record to ``.tmp`` and renames it over
``meta/<key>.json`` (fsyncing each directory). The record's rename is the
single commit point, so a reader sees the old object or the new one, never a
torn one; a writer killed mid-way leaves only a temporary file or an
unreferenced blob, which :meth:`FsObjectStore.recover` removes (under the
commit lock, so it may run beside live writers).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from storage import lock_rules
from storage.errors import ObjectNotFoundError, StorageError, StoreFullError
from storage.objects import (
    CHUNK_SIZE,
    ObjectInfo,
    ObjectReader,
    Retention,
    RetentionMode,
    check_key,
    check_prefix,
    check_sha256,
    mismatch_error,
    utc_now,
)

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
STALE_TMP_SECONDS = 3600.0
"""Temporary files older than this are removed when a store opens, and leftovers
older than this by :meth:`FsObjectStore.recover` (``eforms storage check --repair``)."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_dirs(path: Path) -> None:
    """Create ``path`` and missing parents, fsyncing each parent that gained an entry.

    Without it a crash could lose a new directory, and with it the records
    inside that were fsynced.
    """
    if path.is_dir():
        return
    _make_dirs(path.parent)
    try:
        path.mkdir()
    except FileExistsError:
        return
    _fsync_dir(path.parent)


def _full_error(root: Path, exc: OSError) -> StoreFullError:
    return StoreFullError(
        f"Ổ đĩa của kho lưu trữ ({root}) đã đầy; không có gì được ghi. "
        "Giải phóng dung lượng hoặc mở rộng ổ đĩa rồi thử lại.",
        f"The object store's disk ({root}) is full; nothing was stored. "
        "Free or add space and try again.",
        details={"root": str(root)},
    )


def _io_error(root: Path, exc: OSError) -> StorageError:
    if exc.errno in _NO_SPACE:
        return _full_error(root, exc)
    return StorageError(
        f"Lỗi đọc/ghi kho lưu trữ tại {root}: {exc.strerror}.",
        f"Object store I/O error at {root}: {exc.strerror}.",
        details={"root": str(root), "errno": exc.errno},
    )


class FsObjectStore:
    """Object store in a local directory with S3 object-lock semantics.

    ``clock`` returns the current UTC time; tests pass a fake one to see
    retention periods end.
    """

    def __init__(self, root: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.root = Path(root)
        self._clock = clock
        self._meta = self.root / "meta"
        self._blobs = self.root / "blobs"
        self._tmp = self.root / ".tmp"
        for path in (self._meta, self._blobs, self._tmp):
            path.mkdir(parents=True, exist_ok=True)
        (self.root / ".lock").touch(exist_ok=True)
        self._clear_tmp(older_than=STALE_TMP_SECONDS)

    # -- bookkeeping -------------------------------------------------------

    def _clear_tmp(self, *, older_than: float = 0.0) -> list[str]:
        # Another process may be writing right now: at open, only remove
        # files nobody has touched for a long time.
        limit = time.time() - older_than
        removed = []
        for leftover in self._tmp.iterdir():
            try:
                if older_than == 0.0 or leftover.stat().st_mtime < limit:
                    leftover.unlink()
                    removed.append(leftover.name)
            except FileNotFoundError:
                continue
        return removed

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # A fresh open file description per call: flock then also excludes
        # other threads of this process, not only other processes.
        with open(self.root / ".lock", "rb") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _meta_path(self, key: str) -> Path:
        return self._meta / f"{check_key(key)}.json"

    def _blob_path(self, token: str) -> Path:
        return self._blobs / token[:2] / token

    def _read_record(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self._meta_path(key).read_text())
        except FileNotFoundError:
            return None

    def _require_record(self, key: str) -> dict[str, Any]:
        record = self._read_record(key)
        if record is None:
            raise _missing(key)
        return record

    def _write_record(self, key: str, record: Mapping[str, Any]) -> None:
        target = self._meta_path(key)
        try:
            _make_dirs(target.parent)
        except OSError as exc:
            raise _io_error(self.root, exc) from exc
        tmp = self._tmp / f"meta-{secrets.token_hex(8)}"
        try:
            with open(tmp, "x") as fh:
                json.dump(record, fh, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _io_error(self.root, exc) from exc

    # -- writing -----------------------------------------------------------

    def _spool(self, data: BinaryIO) -> tuple[Path, str, int]:
        """Copy the stream into a temporary file; return (path, sha256, size)."""
        tmp = self._tmp / f"blob-{secrets.token_hex(8)}"
        digest = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "xb") as fh:
                while chunk := data.read(CHUNK_SIZE):
                    digest.update(chunk)
                    fh.write(chunk)
                    size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _io_error(self.root, exc) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp, digest.hexdigest(), size

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
        """Store atomically; see :meth:`storage.ports.ObjectStore.put`."""
        check_key(key)
        expected = check_sha256(sha256)
        if retention is not None:
            lock_rules.check_new_retention(key, retention, now=self._clock())
        self._check_overwrite(key)  # fail fast, before streaming the bytes
        tmp, actual, size = self._spool(data)
        try:
            if expected is not None and expected != actual:
                raise mismatch_error(key, expected=expected, actual=actual)
            token = secrets.token_hex(16)
            record = {
                "key": key,
                "size": size,
                "sha256": actual,
                "content_type": content_type,
                "blob": token,
                "created": self._clock().isoformat(),
                "retention": _retention_to_json(retention),
                "legal_hold": bool(legal_hold),
            }
            with self._locked():
                old = self._check_overwrite(key)
                self._commit_blob(tmp, token)
                try:
                    self._write_record(key, record)
                except StorageError:
                    self._blob_path(token).unlink(missing_ok=True)
                    raise
        finally:
            tmp.unlink(missing_ok=True)
        if old is not None:
            self._blob_path(old["blob"]).unlink(missing_ok=True)
        return _info(record)

    def _check_overwrite(self, key: str) -> dict[str, Any] | None:
        record = self._read_record(key)
        if record is not None:
            lock_rules.check_overwrite(_info(record), now=self._clock())
        return record

    def _commit_blob(self, tmp: Path, token: str) -> None:
        target = self._blob_path(token)
        try:
            _make_dirs(target.parent)
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            target.unlink(missing_ok=True)
            raise _io_error(self.root, exc) from exc

    # -- reading -----------------------------------------------------------

    def get(self, key: str, *, version_id: str | None = None) -> ObjectReader:
        """Open for streaming; see :meth:`storage.ports.ObjectStore.get`.

        This store keeps one version per key: any ``version_id`` is unknown.
        """
        if version_id is not None:
            raise _missing(key)
        for _attempt in range(3):
            record = self._require_record(key)
            try:
                fh = open(self._blob_path(record["blob"]), "rb")  # noqa: SIM115
            except FileNotFoundError:
                continue  # replaced between reading the record and opening: retry
            return ObjectReader(_info(record), fh, on_close=fh.close)
        raise _missing(key)

    def head(self, key: str, *, version_id: str | None = None) -> ObjectInfo:
        """Metadata; see :meth:`storage.ports.ObjectStore.head`."""
        if version_id is not None:
            raise _missing(key)
        return _info(self._require_record(key))

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        return self._meta_path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects whose key starts with ``prefix``, in key order."""
        check_prefix(prefix)  # no '..' walking out of the store
        start = self._meta / prefix.rpartition("/")[0] if "/" in prefix else self._meta
        if not start.is_dir():
            return
        keys = sorted(
            str(path.relative_to(self._meta))[: -len(".json")] for path in start.rglob("*.json")
        )
        for key in keys:
            if not key.startswith(prefix):
                continue
            record = self._read_record(key)
            if record is not None:
                yield _info(record)

    # -- deleting and locking ----------------------------------------------

    def delete(self, key: str, *, bypass_governance: bool = False) -> None:
        """Remove for good; see :meth:`storage.ports.ObjectStore.delete`."""
        with self._locked():
            record = self._require_record(key)
            lock_rules.check_delete(
                _info(record), now=self._clock(), bypass_governance=bypass_governance
            )
            path = self._meta_path(key)
            path.unlink()
            _fsync_dir(path.parent)
        self._blob_path(record["blob"]).unlink(missing_ok=True)

    def set_retention(
        self, key: str, retention: Retention, *, bypass_governance: bool = False
    ) -> None:
        """Change the retention; see :meth:`storage.ports.ObjectStore.set_retention`."""
        with self._locked():
            record = self._require_record(key)
            lock_rules.check_retention_change(
                key,
                _retention_from_json(record.get("retention")),
                retention,
                now=self._clock(),
                bypass_governance=bypass_governance,
            )
            record["retention"] = _retention_to_json(retention)
            self._write_record(key, record)

    def get_retention(self, key: str) -> Retention | None:
        """The retention still running, or None."""
        retention = _retention_from_json(self._require_record(key).get("retention"))
        if retention is None or not retention.active(self._clock()):
            return None
        return retention

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Put or lift a legal hold."""
        with self._locked():
            record = self._require_record(key)
            record["legal_hold"] = bool(on)
            self._write_record(key, record)

    def get_legal_hold(self, key: str) -> bool:
        """Whether a legal hold is on."""
        return bool(self._require_record(key).get("legal_hold"))

    def describe(self) -> Mapping[str, Any]:
        """Kind, location and lock support of this store."""
        stat = os.statvfs(self.root)
        return {
            "kind": "fs",
            "location": str(self.root.resolve()),
            "object_lock": True,
            "versioning": False,
            "free_bytes": stat.f_bavail * stat.f_frsize,
        }

    def recover(self, *, older_than: float = STALE_TMP_SECONDS) -> list[str]:
        """Remove what a killed writer left behind; return the removed names.

        Temporary files, and blobs no commit record names, untouched for
        ``older_than`` seconds. Safe while the store is in use: the commit
        lock is held throughout, so no put is between renaming its blob into
        ``blobs/`` and renaming its record (the blob would look unreferenced),
        and the age limit spares the temporary files of puts still streaming.
        ``older_than=0`` removes every leftover; use it only when no writer runs.
        """
        limit = time.time() - older_than
        with self._locked():
            removed = self._clear_tmp(older_than=older_than)
            referenced = {
                json.loads(path.read_text())["blob"] for path in self._meta.rglob("*.json")
            }
            for blob in self._blobs.rglob("*"):
                if blob.name in referenced or not blob.is_file():
                    continue
                try:
                    if older_than and blob.stat().st_mtime >= limit:
                        continue
                    blob.unlink()
                except FileNotFoundError:
                    continue  # the replaced blob of a put that just committed, already gone
                removed.append(blob.name)
        return removed


def _missing(key: str) -> ObjectNotFoundError:
    return ObjectNotFoundError(
        f"Không tìm thấy đối tượng '{key}' trong kho lưu trữ.",
        f"No object '{key}' in the store.",
        details={"key": key},
    )


def _retention_to_json(retention: Retention | None) -> dict[str, str] | None:
    if retention is None:
        return None
    return {"mode": retention.mode.value, "until": retention.until.isoformat()}


def _retention_from_json(value: Mapping[str, str] | None) -> Retention | None:
    if not value:
        return None
    return Retention(RetentionMode(value["mode"]), datetime.fromisoformat(value["until"]))


def _info(record: Mapping[str, Any]) -> ObjectInfo:
    return ObjectInfo(
        key=record["key"],
        size=record["size"],
        sha256=record["sha256"],
        content_type=record.get("content_type", "application/octet-stream"),
        last_modified=datetime.fromisoformat(record["created"]),
        retention=_retention_from_json(record.get("retention")),
        legal_hold=bool(record.get("legal_hold")),
    )
