"""On-disk records of the filesystem object store (:mod:`storage.fs_store`), made durable.

An object file holds the object's bytes, then its record, then a footer::

    <content: size bytes> <record: JSON, UTF-8> <footer: 16 bytes>

The footer is the record's length (8 bytes, big-endian), the CRC-32 of the
record (4 bytes) and the magic ``EFO1``. The record carries the key, size,
SHA-256, content type, creation time, a random ``generation`` and the
retention and legal hold the object was put with. Keeping it in the same
file is what lets one file fsync and one directory fsync make a put durable.

A lock file holds the retention and legal hold set after the put: the same
record and footer with no content, naming the generation of the object it
belongs to (a lock file left from an earlier object under the key is
ignored). The CRC-32 turns a damaged record into a clear error instead of a
silently different retention date.
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from storage.errors import ChecksumMismatchError
from storage.objects import ObjectInfo, Retention, RetentionMode

FOOTER = struct.Struct(">QI4s")
MAGIC = b"EFO1"
RECORD_READ = 8 * 1024
"""Bytes read from a file's end to find its record (a record with a 900-character key fits)."""
WHOLE_READ = 64 * 1024
"""Object files up to this size are read whole, with their record, when the object is read."""


def fsync_dir(path: Path) -> None:
    """Make the entries of directory ``path`` durable (renames, unlinks, new files)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs(path: Path) -> None:
    """Create ``path`` and missing parents, fsyncing each parent that gained an entry.

    Without it a crash could lose a new directory, and with it the files
    inside that were fsynced.
    """
    if path.is_dir():
        return
    make_dirs(path.parent)
    try:
        path.mkdir()
    except FileExistsError:
        return
    fsync_dir(path.parent)


def rename_durably(source: Path, target: Path) -> None:
    """Rename the fsynced file ``source`` over ``target``; fsync the target's directory.

    The target's directory is created on first use (tried after the rename
    fails, which saves a ``stat`` on every other put).
    """
    try:
        os.replace(source, target)
    except FileNotFoundError:
        make_dirs(target.parent)
        os.replace(source, target)
    fsync_dir(target.parent)


def write_durably(tmp: Path, target: Path, data: bytes) -> None:
    """Write ``data`` to the new file ``tmp``, fsync it, and rename it durably over ``target``."""
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        rename_durably(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def keys_under(base: Path, directory: str, suffix: str) -> Iterator[str]:
    """Keys of the files named ``<key><suffix>`` under ``base/directory`` (unsorted)."""
    start = base / directory if directory else base
    if not start.is_dir():
        return
    for path in start.rglob(f"*{suffix}"):
        if path.is_file():
            yield str(path.relative_to(base))[: -len(suffix)]


def frame(record: Mapping[str, Any]) -> bytes:
    """The record and its footer, as appended to an object file or written as a lock file."""
    body = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
    return body + FOOTER.pack(len(body), zlib.crc32(body), MAGIC)


@dataclass(frozen=True)
class Framed:
    """What :func:`read_framed` found at the end of a file."""

    record: dict[str, Any]
    content_size: int
    """Bytes before the record: the object's content (0 in a lock file)."""
    content: bytes | None
    """The whole content when it came with the read of the record, else None."""


def read_framed(fd: int, key: str, *, whole_up_to: int = 0) -> Framed:
    """Read the record at the end of the open file ``fd`` (of the object ``key``).

    One ``pread`` usually brings the record: of the last ``RECORD_READ``
    bytes, or of the whole file when it is at most ``whole_up_to`` bytes (a
    small object then comes with its record). Raises
    :class:`ChecksumMismatchError` if the footer, the CRC-32 or the JSON is
    not right.
    """
    total = os.fstat(fd).st_size
    offset = 0 if total <= whole_up_to else max(0, total - RECORD_READ)
    tail = os.pread(fd, total - offset, offset)
    if total < FOOTER.size or len(tail) != total - offset:
        raise damaged_error(key)
    length, crc, magic = FOOTER.unpack_from(tail, len(tail) - FOOTER.size)
    start = total - FOOTER.size - length
    if magic != MAGIC or start < 0:
        raise damaged_error(key)
    if start >= offset:
        body = tail[start - offset : len(tail) - FOOTER.size]
    else:
        body = os.pread(fd, length, start)
    if len(body) != length or zlib.crc32(body) != crc:
        raise damaged_error(key)
    try:
        record = json.loads(body)
    except ValueError as exc:
        raise damaged_error(key) from exc
    content = tail[:start] if offset == 0 else None
    return Framed(record, start, content)


def read_lock_file(path: Path, key: str, generation: str) -> dict[str, Any] | None:
    """The retention and legal hold in the lock file ``path``, if it belongs to ``generation``.

    None when there is no lock file, or it was left by an earlier object
    under the key (a crash between a put's commit and its removal).
    """
    try:
        with open(path, "rb", buffering=0) as fh:
            lock = read_framed(fh.fileno(), key).record
    except FileNotFoundError:
        return None
    if lock.get("generation") != generation:
        return None
    return {"retention": lock["retention"], "legal_hold": lock["legal_hold"]}


class ContentReader:
    """Reads of an open object file that stop where its record begins."""

    def __init__(self, fh: BinaryIO, size: int) -> None:
        self._fh = fh
        self._left = size

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the content (the rest of it when negative)."""
        if size is None or size < 0 or size > self._left:
            size = self._left
        data = self._fh.read(size) if size else b""
        self._left -= len(data)
        return data


def damaged_error(key: str) -> ChecksumMismatchError:
    """The error for an object or lock file whose record cannot be trusted."""
    return ChecksumMismatchError(
        f"Bản ghi của đối tượng '{key}' trong kho lưu trữ bị hỏng (mã kiểm tra không khớp). "
        "Khôi phục đối tượng từ bản sao lưu.",
        f"The record of object '{key}' in the store is damaged (its checksum does not "
        "match). Restore the object from a backup.",
        details={"key": key},
    )


def retention_to_json(retention: Retention | None) -> dict[str, str] | None:
    """A retention as stored in a record."""
    if retention is None:
        return None
    return {"mode": retention.mode.value, "until": retention.until.isoformat()}


def retention_from_json(value: Mapping[str, str] | None) -> Retention | None:
    """A retention read from a record."""
    if not value:
        return None
    return Retention(RetentionMode(value["mode"]), datetime.fromisoformat(value["until"]))


def info_of(record: Mapping[str, Any]) -> ObjectInfo:
    """The ObjectInfo a record describes (both layouts use these fields)."""
    return ObjectInfo(
        key=record["key"],
        size=record["size"],
        sha256=record["sha256"],
        content_type=record.get("content_type", "application/octet-stream"),
        last_modified=datetime.fromisoformat(record["created"]),
        retention=retention_from_json(record.get("retention")),
        legal_hold=bool(record.get("legal_hold")),
    )
