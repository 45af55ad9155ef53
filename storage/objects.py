"""Value objects shared by every object store adapter.

Keys are POSIX-like paths (``dossiers/2026/G01.pdf``); checksums are SHA-256
in lowercase hex; dates are timezone-aware UTC. Lock semantics follow S3
object lock: a retention (GOVERNANCE or COMPLIANCE) until a date, and a
legal hold that is either on or off.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from types import TracebackType
from typing import BinaryIO

from storage.errors import ChecksumMismatchError, InvalidObjectKeyError, InvalidRetentionError

CHUNK_SIZE = 1024 * 1024
"""Bytes read or written at a time while streaming."""

_KEY_SEGMENT = re.compile(r"^[A-Za-z0-9._@+=,~\-]+$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


class RetentionMode(StrEnum):
    """S3 object-lock retention modes."""

    GOVERNANCE = "GOVERNANCE"
    """Deletable or shortenable only with an explicit bypass permission."""
    COMPLIANCE = "COMPLIANCE"
    """Nobody may delete, overwrite, shorten or downgrade it before the date."""


@dataclass(frozen=True)
class Retention:
    """A retention period on one object."""

    mode: RetentionMode
    until: datetime
    """End of the period, timezone-aware (stored in UTC)."""

    def __post_init__(self) -> None:
        if self.until.tzinfo is None:
            raise InvalidRetentionError(
                "Ngày hết hạn lưu giữ phải có múi giờ.",
                "The retention date must be timezone-aware.",
            )
        object.__setattr__(self, "until", self.until.astimezone(UTC))
        object.__setattr__(self, "mode", RetentionMode(self.mode))

    def active(self, now: datetime) -> bool:
        """Whether the period still runs at ``now``."""
        return now < self.until


@dataclass(frozen=True)
class ObjectInfo:
    """What a store knows about one stored object."""

    key: str
    size: int
    """Bytes."""
    sha256: str
    """Lowercase hex SHA-256 of the content."""
    content_type: str = "application/octet-stream"
    version_id: str | None = None
    """The store's version id (S3); None where the store keeps one version."""
    last_modified: datetime | None = None
    retention: Retention | None = None
    legal_hold: bool = False


def check_key(key: str) -> str:
    """Return ``key`` if it is a safe object key, else raise InvalidObjectKeyError.

    Segments use letters, digits and ``._@+=,~-``; no empty, ``.`` or ``..``
    segment and no segment starting with a dot (reserved by the filesystem
    store for its own bookkeeping).
    """
    segments = key.split("/") if key else []
    bad = (
        not segments
        or len(key) > 900
        or any(not _KEY_SEGMENT.match(s) or s.startswith(".") for s in segments)
    )
    if bad:
        raise InvalidObjectKeyError(
            f"Khoá đối tượng không hợp lệ: {key!r}. Dùng chữ, số, '/', '.', '-', '_' "
            "và không bắt đầu một đoạn bằng dấu chấm.",
            f"Invalid object key {key!r}. Use letters, digits, '/', '.', '-', '_' and "
            "no segment starting with a dot.",
            details={"key": key},
        )
    return key


def check_prefix(prefix: str) -> str:
    """Return a listing prefix whose directory part is a safe key (or empty)."""
    directory = prefix.rpartition("/")[0]
    if directory or prefix.startswith("/"):
        check_key(directory)
    return prefix


def check_sha256(value: str | None) -> str | None:
    """Normalise an expected SHA-256 (hex, any case) or raise ChecksumMismatchError."""
    if value is None:
        return None
    lowered = value.lower()
    if not _SHA256_HEX.match(lowered):
        raise ChecksumMismatchError(
            f"Giá trị SHA-256 không hợp lệ: {value!r} (cần 64 ký tự hex).",
            f"Invalid SHA-256 value {value!r} (64 hex characters expected).",
        )
    return lowered


def mismatch_error(key: str, *, expected: str, actual: str) -> ChecksumMismatchError:
    """The error for bytes whose SHA-256 is not the one announced or stored."""
    return ChecksumMismatchError(
        f"Dữ liệu của '{key}' không khớp mã kiểm tra SHA-256 (mong đợi {expected}, "
        f"nhận được {actual}). Không có gì được ghi; hãy gửi lại tệp.",
        f"The bytes of '{key}' do not match their SHA-256 (expected {expected}, got "
        f"{actual}). Nothing was stored; send the file again.",
        details={"key": key, "expected": expected, "actual": actual},
    )


class ObjectReader:
    """A streamed object: read it in chunks; its SHA-256 is checked at the end.

    Reading to the end raises :class:`ChecksumMismatchError` if the bytes do
    not hash to ``info.sha256`` (bit rot, tampering); an empty ``info.sha256``
    (an object written by another tool) is not checked. Always close it (or use
    it as a context manager) so that connections and files are released.
    """

    def __init__(self, info: ObjectInfo, raw: BinaryIO, *, on_close: Callable[[], None]) -> None:
        self.info = info
        self._raw = raw
        self._on_close = on_close
        self._hash = hashlib.sha256()
        self._done = False
        self.sha256: str | None = None
        """The SHA-256 of what was read, once read to the end."""

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes (all when negative); ``b""`` at the end."""
        data = self._raw.read() if size is None or size < 0 else self._raw.read(size)
        if data:
            self._hash.update(data)
        if not data or size is None or size < 0:
            self._finish()
        return data

    def chunks(self, size: int = CHUNK_SIZE) -> Iterator[bytes]:
        """Iterate over the content in chunks of at most ``size`` bytes."""
        while chunk := self.read(size):
            yield chunk

    def _finish(self) -> None:
        if self._done:
            return
        self._done = True
        actual = self._hash.hexdigest()
        self.sha256 = actual
        # Objects another tool wrote into an S3 bucket carry no checksum of ours.
        if self.info.sha256 and actual != self.info.sha256:
            raise mismatch_error(self.info.key, expected=self.info.sha256, actual=actual)

    def close(self) -> None:
        """Release the underlying file or connection."""
        self._on_close()

    def __enter__(self) -> ObjectReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def utc_now() -> datetime:
    """The current time in UTC, timezone-aware (the default store clock)."""
    return datetime.now(UTC)
