"""The S3 object store through the ``minio`` SDK (Ceph RGW, MinIO, AWS).

The bucket has object lock (and so versioning) on; retention and legal hold
are set per object version by the server, which enforces them. The adapter
also checks the same rules before asking (``lock_rules``), so that every
adapter refuses the same things with the same errors, even servers such as
moto that enforce only part of object lock.

Bytes are spooled (in memory up to one part, on disk beyond) while the
SHA-256 is computed, so a wrong checksum is refused before anything is sent
and a failed request can be retried from the start. Objects up to
``part_size`` go in one PUT carrying ``x-amz-checksum-sha256`` (the server
verifies it); larger ones go multipart. Over plain HTTP each request's
payload hash is signed (SigV4), over HTTPS each carries Content-MD5: either
way the server verifies every byte it stores.
"""

from __future__ import annotations

import base64
import hashlib
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO, TypeVar

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED
from minio.deleteobjects import DeleteObject
from minio.error import InvalidResponseError, S3Error, ServerError
from minio.helpers import md5sum_hash
from minio.retention import Retention as MinioRetention
from minio.xml import marshal

from storage import lock_rules
from storage.errors import ObjectNotFoundError, StoreConfigError, StoreUnreachableError
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
from storage.s3_errors import translate

T = TypeVar("T")
_SHA256_META = "x-amz-meta-sha256"
_TRANSIENT = (urllib3.exceptions.HTTPError, ServerError, ConnectionError, TimeoutError)


@dataclass(frozen=True)
class S3Config:
    """Where and how to reach the S3 store."""

    endpoint: str
    """``host:port`` without scheme."""
    bucket: str
    access_key: str
    secret_key: str
    region: str = "us-east-1"
    secure: bool = True
    """HTTPS when true."""
    part_size: int = 16 * 1024 * 1024
    """Objects larger than this go multipart, in parts of this size (>= 5 MiB)."""
    retries: int = 4
    """Attempts after the first one when the store cannot be reached or answers 5xx."""
    backoff_seconds: float = 0.5
    """First wait between attempts; doubled each time."""
    connect_timeout: float = 5.0
    read_timeout: float = 120.0


def parse_s3_date(value: str) -> datetime:
    """Parse an S3 ISO-8601 date; Ceph RGW sends nine fractional digits."""
    text = value.strip().rstrip("Z")
    if "." in text:
        whole, fraction = text.split(".", 1)
        text = f"{whole}.{fraction[:6]}"
    return datetime.fromisoformat(text + "+00:00")


class S3ObjectStore:
    """Object store in one S3 bucket with object lock."""

    def __init__(self, config: S3Config, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self._sleep = sleep
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout),
            maxsize=10,
            retries=False,  # retried here, with backoff, from the spooled start
        )
        self.client = Minio(
            config.endpoint,
            access_key=config.access_key,
            secret_key=config.secret_key,
            secure=config.secure,
            region=config.region,
            http_client=http,
        )

    # -- plumbing ----------------------------------------------------------

    def _call(self, func: Callable[[], T], *, key: str | None = None, guarded: bool = False) -> T:
        """Run one request, retrying transient failures with exponential backoff.

        ``guarded``: object lock may refuse this request (see ``translate``).
        """
        delay = self.config.backoff_seconds
        for attempt in range(self.config.retries + 1):
            try:
                return func()
            except (S3Error, InvalidResponseError) as exc:
                raise translate(exc, key=key, bucket=self.config.bucket, guarded=guarded) from exc
            except _TRANSIENT as exc:
                if attempt == self.config.retries:
                    raise self._unreachable(exc) from exc
                self._sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def _unreachable(self, exc: BaseException) -> StoreUnreachableError:
        where = f"{'https' if self.config.secure else 'http'}://{self.config.endpoint}"
        return StoreUnreachableError(
            f"Không kết nối được kho lưu trữ S3 tại {where} sau "
            f"{self.config.retries + 1} lần thử. Kiểm tra EFORMS_S3_ENDPOINT và mạng.",
            f"Cannot reach the S3 store at {where} after {self.config.retries + 1} "
            "attempts. Check EFORMS_S3_ENDPOINT and the network.",
            details={"endpoint": where, "cause": type(exc).__name__},
        )

    def ensure_bucket(self) -> None:
        """Create the bucket with object lock if missing; refuse one without lock."""
        bucket = self.config.bucket
        if not self._call(lambda: self.client.bucket_exists(bucket)):
            self._call(lambda: self.client.make_bucket(bucket, object_lock=True))
            return
        if not self._lock_enabled():
            raise StoreConfigError(
                f"Bucket '{bucket}' chưa bật object lock; không thể bảo đảm lưu giữ. "
                "Tạo bucket mới có object lock.",
                f"Bucket '{bucket}' has no object lock; retention cannot be guaranteed. "
                "Create a new bucket with object lock.",
                details={"bucket": bucket},
            )

    def _lock_enabled(self) -> bool:
        try:
            config = self._call(lambda: self.client.get_object_lock_config(self.config.bucket))
        except StoreConfigError:
            return False
        return config is not None

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
        """Store; see :meth:`storage.ports.ObjectStore.put`."""
        check_key(key)
        expected = check_sha256(sha256)
        if retention is not None:
            lock_rules.check_new_retention(key, retention, now=utc_now())
        self._check_overwrite(key)
        part_size = self.config.part_size
        with tempfile.SpooledTemporaryFile(max_size=part_size) as spool:
            digest = hashlib.sha256()
            size = 0
            while chunk := data.read(CHUNK_SIZE):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
            actual = digest.hexdigest()
            if expected is not None and expected != actual:
                raise mismatch_error(key, expected=expected, actual=actual)
            metadata: dict[str, Any] = {_SHA256_META: actual}
            if size <= part_size:
                metadata["x-amz-sdk-checksum-algorithm"] = "SHA256"
                metadata["x-amz-checksum-sha256"] = base64.b64encode(digest.digest()).decode()
            lock = MinioRetention(retention.mode.value, retention.until) if retention else None

            def send() -> Any:
                spool.seek(0)
                return self.client.put_object(
                    self.config.bucket,
                    key,
                    spool,  # type: ignore[arg-type]
                    size,
                    content_type=content_type,
                    metadata=metadata,
                    part_size=part_size,
                    num_parallel_uploads=1,
                    retention=lock,
                    legal_hold=legal_hold,
                )

            result = self._call(send, key=key, guarded=True)
        return ObjectInfo(
            key=key,
            size=size,
            sha256=actual,
            content_type=content_type,
            version_id=result.version_id,
            last_modified=utc_now(),
            retention=retention,
            legal_hold=legal_hold,
        )

    def _check_overwrite(self, key: str) -> None:
        if self.exists(key):
            lock_rules.check_overwrite(self.head(key), now=utc_now())

    # -- reading -----------------------------------------------------------

    def head(self, key: str, *, version_id: str | None = None) -> ObjectInfo:
        """Metadata, retention and hold from one HEAD request."""
        check_key(key)
        stat = self._call(
            lambda: self.client.stat_object(self.config.bucket, key, version_id=version_id),
            key=key,
        )
        headers = {k.lower(): v for k, v in (stat.metadata or {}).items()}
        retention = None
        if headers.get("x-amz-object-lock-mode"):
            retention = Retention(
                RetentionMode(headers["x-amz-object-lock-mode"].upper()),
                parse_s3_date(headers["x-amz-object-lock-retain-until-date"]),
            )
        return ObjectInfo(
            key=key,
            size=int(stat.size or 0),
            sha256=headers.get(_SHA256_META, ""),
            content_type=stat.content_type or "application/octet-stream",
            version_id=stat.version_id,
            last_modified=stat.last_modified,
            retention=retention,
            legal_hold=headers.get("x-amz-object-lock-legal-hold", "").upper() == "ON",
        )

    def get(self, key: str, *, version_id: str | None = None) -> ObjectReader:
        """Stream the version the HEAD described, so the checksum applies to it."""
        info = self.head(key, version_id=version_id)
        response = self._call(
            lambda: self.client.get_object(self.config.bucket, key, version_id=info.version_id),
            key=key,
        )

        def release() -> None:
            response.close()
            response.release_conn()

        return ObjectReader(info, response, on_close=release)  # type: ignore[arg-type]

    def exists(self, key: str) -> bool:
        """Whether a current (not deleted) version exists."""
        try:
            self.head(key)
        except ObjectNotFoundError:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Current objects under ``prefix``; one HEAD each for checksum and locks."""
        check_prefix(prefix)
        listing = self._call(
            lambda: list(
                self.client.list_objects(self.config.bucket, prefix=prefix or None, recursive=True)
            )
        )
        for item in sorted(listing, key=lambda o: o.object_name or ""):
            if item.object_name and not item.is_dir:
                yield self.head(item.object_name)

    def _versions(self, key: str) -> list[Any]:
        return self._call(
            lambda: [
                v
                for v in self.client.list_objects(
                    self.config.bucket, prefix=key, include_version=True
                )
                if v.object_name == key
            ]
        )

    # -- deleting and locking ----------------------------------------------

    def delete(self, key: str, *, bypass_governance: bool = False) -> None:
        """Delete every version of ``key`` (a plain S3 delete only adds a marker)."""
        info = self.head(key)
        lock_rules.check_delete(info, now=utc_now(), bypass_governance=bypass_governance)
        targets = [DeleteObject(key, v.version_id) for v in self._versions(key)]
        errors = self._call(
            lambda: list(
                self.client.remove_objects(
                    self.config.bucket, targets, bypass_governance_mode=bypass_governance
                )
            ),
            key=key,
            guarded=True,
        )
        if errors:
            raise translate(errors[0], key=key, bucket=self.config.bucket, guarded=True)

    def set_retention(
        self, key: str, retention: Retention, *, bypass_governance: bool = False
    ) -> None:
        """PUT ?retention on the current version, with the bypass header if asked."""
        info = self.head(key)
        lock_rules.check_retention_change(
            key, info.retention, retention, now=utc_now(), bypass_governance=bypass_governance
        )
        body = marshal(MinioRetention(retention.mode.value, retention.until))
        headers = {"Content-MD5": md5sum_hash(body)}
        if bypass_governance:
            headers["x-amz-bypass-governance-retention"] = "true"
        query = (
            {"retention": "", "versionId": info.version_id}
            if info.version_id
            else {"retention": ""}
        )
        # The SDK's set_object_retention cannot send the bypass header;
        # _execute is the request it would make (minio pinned < 8).
        self._call(
            lambda: self.client._execute(  # noqa: SLF001
                "PUT", self.config.bucket, key, body=body, headers=headers, query_params=query
            ),
            key=key,
            guarded=True,
        )

    def get_retention(self, key: str) -> Retention | None:
        """Read from HEAD headers (moto lacks GetObjectRetention); None once expired."""
        retention = self.head(key).retention
        if retention is None or not retention.active(utc_now()):
            return None
        return retention

    def set_legal_hold(self, key: str, on: bool) -> None:
        """Turn the legal hold of the current version on or off."""
        version = self.head(key).version_id
        if on:
            action = self.client.enable_object_legal_hold
        else:
            action = self.client.disable_object_legal_hold
        self._call(
            lambda: action(self.config.bucket, key, version_id=version), key=key, guarded=True
        )

    def get_legal_hold(self, key: str) -> bool:
        """Whether the current version is held."""
        return self.head(key).legal_hold

    def describe(self) -> Mapping[str, Any]:
        """Reach the bucket and report its lock and versioning state."""
        bucket = self.config.bucket
        if not self._call(lambda: self.client.bucket_exists(bucket)):
            raise StoreConfigError(
                f"Bucket '{bucket}' không tồn tại trên {self.config.endpoint}.",
                f"Bucket '{bucket}' does not exist on {self.config.endpoint}.",
                details={"bucket": bucket},
            )
        versioning = self._call(lambda: self.client.get_bucket_versioning(bucket))
        return {
            "kind": "s3",
            "location": f"{self.config.endpoint}/{bucket}",
            "object_lock": self._lock_enabled(),
            "versioning": versioning.status == ENABLED,
        }
