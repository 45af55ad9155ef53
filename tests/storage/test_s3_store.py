"""S3 adapter specifics: server-side lock enforcement, versions, errors."""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio.error import S3Error

from storage.errors import StoreCredentialsError, StoreFullError, StoreUnreachableError
from storage.objects import Retention, RetentionMode, utc_now
from storage.s3_store import S3Config, S3ObjectStore, parse_s3_date
from storage.testing import S3Server, free_port


def test_rgw_dates_with_nine_fractional_digits_parse() -> None:
    expected = datetime(2026, 11, 23, 22, 27, 39, 123456, tzinfo=UTC)
    assert parse_s3_date("2026-11-23T22:27:39.123456789Z") == expected
    assert parse_s3_date("2026-11-23T22:27:39Z") == expected.replace(microsecond=0)


def test_unreachable_endpoint_is_a_clear_error_after_retries() -> None:
    waits: list[float] = []
    store = S3ObjectStore(
        S3Config(
            endpoint=f"127.0.0.1:{free_port()}",
            bucket="eforms",
            access_key="k",
            secret_key="s",
            secure=False,
            retries=3,
            backoff_seconds=0.01,
            connect_timeout=1,
        ),
        sleep=waits.append,
    )
    with pytest.raises(StoreUnreachableError) as caught:
        store.put("a/b", io.BytesIO(b"x"))
    assert waits == [0.01, 0.02, 0.04]  # exponential backoff between the 4 attempts
    assert "EFORMS_S3_ENDPOINT" in caught.value.message_en
    assert "EFORMS_S3_ENDPOINT" in caught.value.message_vi


@pytest.mark.integration
@pytest.mark.parametrize("server_name", ["moto", "ceph"])
def test_server_keeps_locked_version_when_overwritten_behind_our_back(
    make_s3_store: Callable[[str], S3ObjectStore], server_name: str
) -> None:
    """A raw client bypassing our checks makes a new version; the locked one stays."""
    store = make_s3_store(server_name)
    lock = Retention(RetentionMode.COMPLIANCE, utc_now() + timedelta(hours=1))
    old = store.put("aip/1", io.BytesIO(b"original"), retention=lock)
    store.client.put_object(store.config.bucket, "aip/1", io.BytesIO(b"evil"), 4)
    store.client.remove_object(store.config.bucket, "aip/1")  # only a delete marker
    with store.get("aip/1", version_id=old.version_id) as reader:
        assert reader.read() == b"original"


@pytest.mark.integration
def test_rgw_itself_refuses_deleting_a_compliance_version(
    make_s3_store: Callable[[str], S3ObjectStore],
) -> None:
    store = make_s3_store("ceph")
    lock = Retention(RetentionMode.COMPLIANCE, utc_now() + timedelta(hours=1))
    info = store.put("aip/2", io.BytesIO(b"keep"), retention=lock)
    with pytest.raises(S3Error) as caught:
        store.client.remove_object(store.config.bucket, "aip/2", version_id=info.version_id)
    assert caught.value.code == "AccessDenied"
    assert store.get_retention("aip/2") is not None


@pytest.mark.integration
def test_wrong_credentials_are_a_clear_error_and_nothing_is_written(
    ceph_server: S3Server, make_s3_store: Callable[[str], S3ObjectStore]
) -> None:
    good = make_s3_store("ceph")
    bad = S3ObjectStore(
        S3Config(
            endpoint=ceph_server.endpoint,
            bucket=good.config.bucket,
            access_key=ceph_server.access_key,
            secret_key="not-the-secret",
            secure=False,
            retries=0,
        )
    )
    with pytest.raises(StoreCredentialsError) as caught:
        bad.put("a/x", io.BytesIO(b"x"))
    assert "EFORMS_S3_SECRET_KEY" in caught.value.message_en
    with pytest.raises(StoreCredentialsError):
        bad.describe()
    assert not good.exists("a/x")


@pytest.mark.integration
def test_a_full_quota_is_a_clear_error_and_nothing_is_written(ceph_server: S3Server) -> None:
    """RGW's user quota stands in for a full S3 store."""
    ceph_server.rgw_admin("user", "create", "--uid=tiny", "--display-name=tiny",
                          "--access-key=TINYKEY", "--secret-key=tinysecret")  # fmt: skip
    ceph_server.rgw_admin("quota", "set", "--quota-scope=user", "--uid=tiny", "--max-size=1048576")
    ceph_server.rgw_admin("quota", "enable", "--quota-scope=user", "--uid=tiny")
    store = S3ObjectStore(
        S3Config(
            ceph_server.endpoint, "eforms-tiny", "TINYKEY", "tinysecret", secure=False, retries=0
        )  # fmt: skip
    )
    store.ensure_bucket()
    store.put("kept", io.BytesIO(b"k" * 500_000))
    with pytest.raises(StoreFullError) as caught:
        store.put("too-big", io.BytesIO(b"x" * 2_000_000))
    assert "quota" in caught.value.message_en and "hạn mức" in caught.value.message_vi
    assert not store.exists("too-big")
    with store.get("kept") as reader:
        assert reader.read() == b"k" * 500_000


@pytest.mark.integration
def test_objects_written_by_another_tool_are_read_and_backed_up(
    make_s3_store: Callable[[str], S3ObjectStore], tmp_path: Path
) -> None:
    from storage.backup import run_backup
    from storage.db import Database
    from storage.restore import verify_backups

    store = make_s3_store("moto")
    data = b"uploaded by another tool"
    store.client.put_object(
        store.config.bucket, "foreign/x", io.BytesIO(data), len(data),
        metadata={"x-amz-checksum-sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
                  "x-amz-sdk-checksum-algorithm": "SHA256"},
    )  # fmt: skip
    assert store.head("foreign/x").sha256 == ""
    with store.get("foreign/x") as reader:
        assert reader.read() == data
    db = Database(f"sqlite:///{tmp_path / 'e.db'}")
    db.upgrade()
    result = run_backup(db=db, store=store, target=tmp_path / "b")
    assert result.objects == 1 and verify_backups(tmp_path / "b").ok
    db.dispose()
