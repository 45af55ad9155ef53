"""The ObjectStore contract, run against every adapter (fs, moto, Ceph RGW)."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta

import pytest

from storage.errors import (
    ChecksumMismatchError,
    InvalidObjectKeyError,
    InvalidRetentionError,
    ObjectHeldError,
    ObjectLockedError,
    ObjectNotFoundError,
)
from storage.objects import Retention, RetentionMode, utc_now
from storage.ports import ObjectStore

COMPLIANCE = RetentionMode.COMPLIANCE
GOVERNANCE = RetentionMode.GOVERNANCE


def _read(store: ObjectStore, key: str, version_id: str | None = None) -> bytes:
    with store.get(key, version_id=version_id) as reader:
        return b"".join(reader.chunks())


def _later(hours: float = 1) -> Retention:
    return Retention(COMPLIANCE, utc_now() + timedelta(hours=hours))


def test_put_get_head_round_trip(store: ObjectStore) -> None:
    data = "Tờ khai đăng ký khai sinh".encode() * 100
    info = store.put("dossiers/G01/to-khai.pdf", io.BytesIO(data), content_type="application/pdf")
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == len(data)
    head = store.head("dossiers/G01/to-khai.pdf")
    assert (head.sha256, head.size, head.content_type) == (
        info.sha256,
        len(data),
        "application/pdf",
    )
    assert _read(store, "dossiers/G01/to-khai.pdf") == data
    assert store.exists("dossiers/G01/to-khai.pdf")


def test_expected_checksum_is_verified(store: ObjectStore) -> None:
    data = b"ket qua"
    good = hashlib.sha256(data).hexdigest()
    assert store.put("a/ok", io.BytesIO(data), sha256=good.upper()).sha256 == good
    with pytest.raises(ChecksumMismatchError) as caught:
        store.put("a/bad", io.BytesIO(data), sha256="0" * 64)
    assert caught.value.details["actual"] == good
    assert not store.exists("a/bad")


def test_checksum_mismatch_leaves_old_object(store: ObjectStore) -> None:
    store.put("a/doc", io.BytesIO(b"old"))
    with pytest.raises(ChecksumMismatchError):
        store.put("a/doc", io.BytesIO(b"new"), sha256=hashlib.sha256(b"other").hexdigest())
    assert _read(store, "a/doc") == b"old"


def test_large_object_streams_in_parts(store: ObjectStore) -> None:
    data = os.urandom(6 * 1024 * 1024 + 123)  # above the 5 MiB part size of the S3 fixtures
    info = store.put("big/scan.tif", io.BytesIO(data))
    assert info.size == len(data)
    assert _read(store, "big/scan.tif") == data
    assert store.head("big/scan.tif").sha256 == hashlib.sha256(data).hexdigest()


def test_missing_objects(store: ObjectStore) -> None:
    for action in (
        lambda: store.get("none/here"),
        lambda: store.head("none/here"),
        lambda: store.delete("none/here"),
    ):
        with pytest.raises(ObjectNotFoundError):
            action()
    assert not store.exists("none/here")


@pytest.mark.parametrize("key", ["", "/abs", "a/../b", "a//b", ".hidden", "a/.meta", "sp ace"])
def test_bad_keys_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidObjectKeyError):
        store.put(key, io.BytesIO(b"x"))


def test_list_by_prefix_in_key_order(store: ObjectStore) -> None:
    for key in ("d/2/b", "d/1/a", "d/10", "e/1", "d-x"):
        store.put(key, io.BytesIO(key.encode()))
    assert [i.key for i in store.list("d/")] == ["d/1/a", "d/10", "d/2/b"]
    assert [i.key for i in store.list("d/1")] == ["d/1/a", "d/10"]
    assert [i.key for i in store.list()] == ["d-x", "d/1/a", "d/10", "d/2/b", "e/1"]
    assert all(i.sha256 == hashlib.sha256(i.key.encode()).hexdigest() for i in store.list())


def test_delete_unlocked(store: ObjectStore) -> None:
    store.put("tmp/x", io.BytesIO(b"1"))
    store.put("tmp/x", io.BytesIO(b"2"))
    store.delete("tmp/x")
    assert not store.exists("tmp/x")
    assert list(store.list("tmp/")) == []


def test_compliance_lock_cannot_be_deleted_or_overwritten(store: ObjectStore) -> None:
    lock = _later()
    store.put("archive/aip.zip", io.BytesIO(b"original"), retention=lock)
    for bypass in (False, True):
        with pytest.raises(ObjectLockedError):
            store.delete("archive/aip.zip", bypass_governance=bypass)
    with pytest.raises(ObjectLockedError):
        store.put("archive/aip.zip", io.BytesIO(b"replacement"))
    assert _read(store, "archive/aip.zip") == b"original"
    got = store.get_retention("archive/aip.zip")
    assert got is not None and got.mode is COMPLIANCE
    assert abs(got.until - lock.until) < timedelta(seconds=1)


def test_compliance_can_be_extended_never_shortened_or_downgraded(store: ObjectStore) -> None:
    lock = _later(hours=2)
    store.put("archive/x", io.BytesIO(b"x"), retention=lock)
    for change in (
        Retention(COMPLIANCE, lock.until - timedelta(hours=1)),
        Retention(GOVERNANCE, lock.until + timedelta(hours=1)),
    ):
        for bypass in (False, True):
            with pytest.raises(ObjectLockedError):
                store.set_retention("archive/x", change, bypass_governance=bypass)
    longer = Retention(COMPLIANCE, lock.until + timedelta(days=1))
    store.set_retention("archive/x", longer)
    got = store.get_retention("archive/x")
    assert got is not None and abs(got.until - longer.until) < timedelta(seconds=1)


def test_governance_needs_bypass(store: ObjectStore) -> None:
    lock = Retention(GOVERNANCE, utc_now() + timedelta(hours=2))
    store.put("drafts/g", io.BytesIO(b"g"), retention=lock)
    with pytest.raises(ObjectLockedError):
        store.delete("drafts/g")
    shorter = Retention(GOVERNANCE, utc_now() + timedelta(hours=1))
    with pytest.raises(ObjectLockedError):
        store.set_retention("drafts/g", shorter)
    store.set_retention("drafts/g", shorter, bypass_governance=True)
    store.delete("drafts/g", bypass_governance=True)
    assert not store.exists("drafts/g")


def test_legal_hold_blocks_delete_until_lifted(store: ObjectStore) -> None:
    store.put("case/evidence", io.BytesIO(b"e"), legal_hold=True)
    assert store.get_legal_hold("case/evidence")
    with pytest.raises(ObjectHeldError):
        store.delete("case/evidence", bypass_governance=True)
    with pytest.raises(ObjectHeldError):
        store.put("case/evidence", io.BytesIO(b"other"))
    store.set_legal_hold("case/evidence", False)
    assert not store.get_legal_hold("case/evidence")
    store.set_legal_hold("case/evidence", True)
    store.set_legal_hold("case/evidence", False)
    store.delete("case/evidence")
    assert not store.exists("case/evidence")


def test_retention_in_the_past_is_refused(store: ObjectStore) -> None:
    past = Retention(COMPLIANCE, utc_now() - timedelta(minutes=1))
    with pytest.raises(InvalidRetentionError):
        store.put("p/x", io.BytesIO(b"x"), retention=past)
    assert not store.exists("p/x")
    store.put("p/y", io.BytesIO(b"y"))
    with pytest.raises(InvalidRetentionError):
        store.set_retention("p/y", past)


def test_corrupted_bytes_are_detected_on_read(store: ObjectStore) -> None:
    info = store.put("fixity/x", io.BytesIO(b"abc"))
    assert info.sha256 == hashlib.sha256(b"abc").hexdigest()
    # Reading verifies; a reader stopped early does not raise.
    with store.get("fixity/x") as reader:
        assert reader.read(1) == b"a"


def test_describe_reports_lock_support(store: ObjectStore) -> None:
    described = store.describe()
    assert described["object_lock"] is True
    assert described["kind"] in ("fs", "s3")


def test_a_prefix_cannot_climb_out_of_the_store(store: ObjectStore) -> None:
    store.put("inside/x", io.BytesIO(b"x"))
    for prefix in ("../../etc/", "../", "/inside/"):
        with pytest.raises(InvalidObjectKeyError):
            list(store.list(prefix))
    assert [i.key for i in store.list("ins")] == ["inside/x"]
