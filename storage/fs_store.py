"""The filesystem object store: the default, enforcing object lock itself.

Layout under the root directory::

    keys/<key>#obj       the object: its bytes, then its record (storage.fs_records)
    keys/<key>#lock      the retention and legal hold, once changed after the put
    .tmp/                files being written (emptied when the store opens)
    .lock                flock'd while a commit checks locks and renames
    meta/, blobs/        objects of the earlier two-file layout (storage.fs_legacy)

A put streams into ``.tmp`` while hashing, appends the record (size,
SHA-256, retention, hold), fsyncs the file, renames it over
``keys/<key>#obj`` and fsyncs that directory: two fsyncs. The rename is the
single commit point, so a reader sees the old object or the new one, never
a torn one, and a writer killed mid-way leaves only a temporary file, which
:meth:`FsObjectStore.recover` removes. ``#`` cannot occur in a key, so an
object file never collides with the directory of a longer key.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import io
import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from storage import fs_records, lock_rules
from storage.errors import ObjectNotFoundError, StorageError, StoreFullError
from storage.fs_legacy import LegacyLayout
from storage.fs_records import (
    info_of,
    keys_under,
    rename_durably,
    retention_from_json,
    retention_to_json,
)
from storage.objects import (
    CHUNK_SIZE,
    ObjectInfo,
    ObjectReader,
    Retention,
    check_key,
    check_prefix,
    check_sha256,
    mismatch_error,
    utc_now,
)

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
_OBJECT = "#obj"
_LOCK = "#lock"
STALE_TMP_SECONDS = 3600.0
"""Temporary files older than this are removed when a store opens, and leftovers
older than this by :meth:`FsObjectStore.recover` (``eforms storage check --repair``)."""


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


@dataclass
class _Found:
    """The current object under a key, as read from disk."""

    record: dict[str, Any]
    """Its record, with the retention and legal hold in force."""
    generation: str
    """Names this object among those ever put under the key (the blob, in the old layout)."""
    legacy: bool = False
    lock_file: bool = False
    """Whether a lock file of this generation applies."""
    content: bytes | None = None
    """The whole content, when it came with the record (small objects)."""
    file: BinaryIO | None = field(default=None, repr=False)
    """The open file of the bytes, when they were asked for and did not come whole."""


class FsObjectStore:
    """Object store in a local directory with S3 object-lock semantics.

    ``clock`` returns the current UTC time; tests pass a fake one to see
    retention periods end.
    """

    def __init__(self, root: Path, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.root = Path(root)
        self._clock = clock
        self._keys = self.root / "keys"
        self._tmp = self.root / ".tmp"
        for path in (self._keys, self._tmp):
            path.mkdir(parents=True, exist_ok=True)
        legacy = LegacyLayout(self.root)
        self._legacy = legacy if legacy.present() else None
        """The earlier layout, when this store has objects in it."""
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

    def _object_path(self, key: str) -> Path:
        return self._keys / f"{check_key(key)}{_OBJECT}"

    def _lock_path(self, key: str) -> Path:
        return self._keys / f"{key}{_LOCK}"

    # -- finding the current object ----------------------------------------

    def _find(self, key: str, *, open_content: bool = False) -> _Found | None:
        """The current object under ``key``, or None; the new layout shadows the old.

        ``open_content``: also bring the bytes (``content``, or an open ``file``).
        """
        found = self._find_new(key, open_content=open_content)
        if found is not None or self._legacy is None:
            return found
        found = self._find_legacy(key, open_content=open_content)
        if found is not None:
            return found
        # A put may have replaced an old-layout object between the two looks.
        return self._find_new(key, open_content=open_content)

    def _find_new(self, key: str, *, open_content: bool) -> _Found | None:
        try:
            fh = open(self._object_path(key), "rb", buffering=0)  # noqa: SIM115 - closed below or by the reader
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _io_error(self.root, exc) from exc
        try:
            whole_up_to = fs_records.WHOLE_READ if open_content else 0
            framed = fs_records.read_framed(fh.fileno(), key, whole_up_to=whole_up_to)
            if (
                framed.record.get("size") != framed.content_size
                or "generation" not in framed.record
            ):
                raise fs_records.damaged_error(key)
            found = self._apply_lock_file(key, _Found(framed.record, framed.record["generation"]))
        except OSError as exc:
            fh.close()
            raise _io_error(self.root, exc) from exc
        except BaseException:
            fh.close()
            raise
        if open_content and framed.content is None:
            found.file = fh  # type: ignore[assignment]  # a raw FileIO reads like BinaryIO
            return found
        fh.close()
        found.content = framed.content
        return found

    def _find_legacy(self, key: str, *, open_content: bool) -> _Found | None:
        if self._legacy is None:
            return None
        try:
            read = self._legacy.read(key, open_blob=open_content)
        except OSError as exc:
            raise _io_error(self.root, exc) from exc
        if read is None:
            return None
        record, blob = read
        try:
            found = self._apply_lock_file(key, _Found(record, record["blob"], legacy=True))
        except BaseException:
            if blob is not None:
                blob.close()
            raise
        found.file = blob
        return found

    def _apply_lock_file(self, key: str, found: _Found) -> _Found:
        """Apply the lock file of ``found``'s generation, if there is one."""
        lock = fs_records.read_lock_file(self._lock_path(key), key, found.generation)
        if lock is not None:
            found.lock_file = True
            found.record = {**found.record, **lock}
        return found

    def _require(self, key: str) -> _Found:
        found = self._find(key)
        if found is None:
            raise _missing(key)
        return found

    # -- writing -----------------------------------------------------------

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
        target = self._object_path(key)
        expected = check_sha256(sha256)
        if retention is not None:
            lock_rules.check_new_retention(key, retention, now=self._clock())
        self._check_overwrite(key)  # fail fast, before streaming the bytes
        fields = {
            "key": key,
            "content_type": content_type,
            "generation": secrets.token_hex(16),
            "retention": retention_to_json(retention),
            "legal_hold": bool(legal_hold),
        }
        tmp, record = self._spool(data, fields, expected=expected)
        committed = False
        try:
            with self._locked():
                old = self._check_overwrite(key)
                rename_durably(tmp, target)
                committed = True
                if old is not None:
                    self._forget_replaced(key, old)
        except OSError as exc:
            raise _io_error(self.root, exc) from exc
        finally:
            if not committed:
                tmp.unlink(missing_ok=True)
        return info_of(record)

    def _spool(
        self, data: BinaryIO, fields: Mapping[str, Any], *, expected: str | None
    ) -> tuple[Path, dict[str, Any]]:
        """Write the bytes, then their record, into a temporary file and fsync it.

        The SHA-256 is computed on the way; a mismatch with ``expected`` is
        refused before anything is made durable.
        """
        tmp = self._tmp / f"obj-{secrets.token_hex(8)}"
        digest = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "xb") as fh:
                while chunk := data.read(CHUNK_SIZE):
                    digest.update(chunk)
                    fh.write(chunk)
                    size += len(chunk)
                actual = digest.hexdigest()
                if expected is not None and expected != actual:
                    raise mismatch_error(fields["key"], expected=expected, actual=actual)
                created = self._clock().isoformat()
                record = {**fields, "size": size, "sha256": actual, "created": created}
                fh.write(fs_records.frame(record))
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _io_error(self.root, exc) from exc
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return tmp, record

    def _check_overwrite(self, key: str) -> _Found | None:
        found = self._find(key)
        if found is not None:
            lock_rules.check_overwrite(info_of(found.record), now=self._clock())
        return found

    def _forget_replaced(self, key: str, old: _Found) -> None:
        """After a put committed, under the lock: drop what described the replaced object.

        No fsync: if a crash brings either back, a lock file of an older
        generation is ignored and an old-layout record is shadowed by the new
        object (``recover`` removes both).
        """
        if old.lock_file:
            self._lock_path(key).unlink(missing_ok=True)
        if old.legacy and self._legacy is not None:
            self._legacy.record_path(key).unlink(missing_ok=True)
            self._legacy.blob_path(old.generation).unlink(missing_ok=True)

    # -- reading -----------------------------------------------------------

    def get(self, key: str, *, version_id: str | None = None) -> ObjectReader:
        """Open for streaming; see :meth:`storage.ports.ObjectStore.get`.

        This store keeps one version per key: any ``version_id`` is unknown.
        A small object comes with the read of its record, in one ``pread``.
        """
        if version_id is not None:
            raise _missing(key)
        found = self._find(key, open_content=True)
        if found is None:
            raise _missing(key)
        info = info_of(found.record)
        if found.file is None:
            whole = io.BytesIO(found.content or b"")
            return ObjectReader(info, whole, on_close=whole.close)
        content = fs_records.ContentReader(found.file, info.size)
        return ObjectReader(info, content, on_close=found.file.close)  # type: ignore[arg-type]

    def head(self, key: str, *, version_id: str | None = None) -> ObjectInfo:
        """Metadata; see :meth:`storage.ports.ObjectStore.head`."""
        if version_id is not None:
            raise _missing(key)
        return info_of(self._require(key).record)

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        path = self._object_path(key)
        if path.is_file():
            return True
        if self._legacy is None:
            return False
        # Looked at again: a put may have replaced an old-layout object meanwhile.
        return self._legacy.record_path(key).is_file() or path.is_file()

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects whose key starts with ``prefix``, in key order."""
        check_prefix(prefix)  # no '..' walking out of the store
        directory = prefix.rpartition("/")[0]
        keys = set(keys_under(self._keys, directory, _OBJECT))
        if self._legacy is not None:
            keys.update(self._legacy.keys(directory))
        for key in sorted(keys):
            if not key.startswith(prefix):
                continue
            found = self._find(key)
            if found is not None:
                yield info_of(found.record)

    def object_file(self, key: str) -> Path:
        """The file whose first ``size`` bytes are the object (for operators and tests).

        ``ObjectNotFoundError`` if absent.
        """
        found = self._require(key)
        if found.legacy and self._legacy is not None:
            return self._legacy.blob_path(found.generation)
        return self._object_path(key)

    # -- deleting and locking ----------------------------------------------

    def delete(self, key: str, *, bypass_governance: bool = False) -> None:
        """Remove for good; see :meth:`storage.ports.ObjectStore.delete`."""
        blob = None
        with self._locked():
            found = self._require(key)
            lock_rules.check_delete(
                info_of(found.record), now=self._clock(), bypass_governance=bypass_governance
            )
            try:
                # An old-layout record goes first, shadowed or not: a crash
                # must not bring it back once the new object is gone.
                if self._legacy is not None:
                    blob = self._legacy.remove_record(key)
                if not found.legacy:
                    self._object_path(key).unlink()
                    fs_records.fsync_dir(self._object_path(key).parent)
                self._lock_path(key).unlink(missing_ok=True)  # ignored without its object
            except OSError as exc:
                raise _io_error(self.root, exc) from exc
        if blob is not None and self._legacy is not None:
            self._legacy.blob_path(blob).unlink(missing_ok=True)

    def set_retention(
        self, key: str, retention: Retention, *, bypass_governance: bool = False
    ) -> None:
        """Change the retention; see :meth:`storage.ports.ObjectStore.set_retention`."""
        with self._locked():
            found = self._require(key)
            lock_rules.check_retention_change(
                key,
                retention_from_json(found.record.get("retention")),
                retention,
                now=self._clock(),
                bypass_governance=bypass_governance,
            )
            self._write_lock_file(key, found, retention=retention_to_json(retention))

    def get_retention(self, key: str) -> Retention | None:
        """The retention still running, or None."""
        retention = retention_from_json(self._require(key).record.get("retention"))
        if retention is None or not retention.active(self._clock()):
            return None
        return retention

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Put or lift a legal hold."""
        with self._locked():
            self._write_lock_file(key, self._require(key), legal_hold=bool(on))

    def get_legal_hold(self, key: str) -> bool:
        """Whether a legal hold is on."""
        return bool(self._require(key).record.get("legal_hold"))

    def _write_lock_file(self, key: str, found: _Found, **changes: Any) -> None:
        """Write ``found``'s lock state with ``changes``, durably (under the commit lock)."""
        lock = {
            "key": key,
            "generation": found.generation,
            "retention": found.record.get("retention"),
            "legal_hold": bool(found.record.get("legal_hold")),
            **changes,
        }
        tmp = self._tmp / f"lock-{secrets.token_hex(8)}"
        try:
            fs_records.write_durably(tmp, self._lock_path(key), fs_records.frame(lock))
        except OSError as exc:
            raise _io_error(self.root, exc) from exc

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
        """Remove what killed writers left behind; return the removed names.

        Temporary files untouched for ``older_than`` seconds (sparing the
        files of puts still streaming), lock files whose object is gone or
        was replaced, and in the old layout the records a newer object
        shadows and blobs no record names. Safe while the store is in use:
        the commit lock is held throughout. ``older_than=0`` removes every
        temporary file; use it only when no writer runs.
        """
        with self._locked():
            removed = self._clear_tmp(older_than=older_than)
            for path in self._keys.rglob(f"*{_LOCK}"):
                found = self._find(str(path.relative_to(self._keys))[: -len(_LOCK)])
                if found is None or not found.lock_file:
                    path.unlink()
                    removed.append(path.name)
            if self._legacy is not None:
                removed += self._legacy.recover(
                    older_than=older_than, shadowed=lambda key: self._object_path(key).is_file()
                )
        return removed


def _missing(key: str) -> ObjectNotFoundError:
    return ObjectNotFoundError(
        f"Không tìm thấy đối tượng '{key}' trong kho lưu trữ.",
        f"No object '{key}' in the store.",
        details={"key": key},
    )
