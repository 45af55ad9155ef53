"""Objects a real installation stored in the earlier two-file layout stay usable."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.errors import ObjectHeldError, ObjectLockedError
from storage.fs_store import FsObjectStore
from storage.objects import Retention, RetentionMode
from tests.storage.old_layout import OLD_STORE, to_old_layout, write_old_store

PDF = "dossiers/2026/G01.000.pdf"
DRAFT = "drafts/to-khai.json"
UNTIL = datetime(2046, 1, 1, tzinfo=UTC)


@pytest.fixture
def old(tmp_path: Path) -> Path:
    return write_old_store(tmp_path / "objects")


def _read(store: FsObjectStore, key: str) -> bytes:
    with store.get(key) as reader:
        return reader.read()  # to the end: the SHA-256 is checked


def test_old_objects_read_as_before(old: Path) -> None:
    store = FsObjectStore(old)
    assert _read(store, PDF) == b"%PDF-1.7 ket qua" and _read(store, DRAFT) == b"{}"
    head = store.head(PDF)
    assert (head.size, head.content_type, head.legal_hold) == (16, "application/pdf", True)
    assert head.sha256 == hashlib.sha256(b"%PDF-1.7 ket qua").hexdigest()
    assert head.retention == Retention(RetentionMode.COMPLIANCE, UNTIL)
    assert head.last_modified == datetime(2026, 11, 24, 8, 58, 30, 454844, tzinfo=UTC)
    assert store.exists(PDF) and not store.exists("drafts/none")
    store.put("dossiers/2026/G02.000.pdf", io.BytesIO(b"new"))
    assert [i.key for i in store.list("dossiers/")] == [PDF, "dossiers/2026/G02.000.pdf"]
    assert [i.key for i in store.list()] == [PDF, "dossiers/2026/G02.000.pdf", DRAFT]
    assert store.object_file(PDF).read_bytes() == b"%PDF-1.7 ket qua"


def test_old_objects_keep_their_locks(old: Path) -> None:
    store = FsObjectStore(old)
    for refused in (
        lambda: store.delete(PDF, bypass_governance=True),
        lambda: store.put(PDF, io.BytesIO(b"replacement")),
    ):
        with pytest.raises(ObjectHeldError):
            refused()
    store.set_legal_hold(PDF, False)
    with pytest.raises(ObjectLockedError):
        store.delete(PDF, bypass_governance=True)
    with pytest.raises(ObjectLockedError):
        store.set_retention(PDF, Retention(RetentionMode.COMPLIANCE, UNTIL - timedelta(days=1)))
    store.set_retention(PDF, Retention(RetentionMode.COMPLIANCE, UNTIL + timedelta(days=365)))
    reopened = FsObjectStore(old)
    assert reopened.get_retention(PDF) == Retention(
        RetentionMode.COMPLIANCE, UNTIL + timedelta(days=365)
    )
    assert not reopened.get_legal_hold(PDF)
    with pytest.raises(ObjectLockedError):
        reopened.put(PDF, io.BytesIO(b"replacement"))
    assert _read(reopened, PDF) == b"%PDF-1.7 ket qua"
    assert (old / "meta/dossiers/2026/G01.000.pdf.json").read_bytes() == OLD_STORE[
        "meta/dossiers/2026/G01.000.pdf.json"
    ], "the old record is never rewritten"


def test_a_put_over_an_old_object_replaces_it_in_the_new_layout(old: Path) -> None:
    store = FsObjectStore(old)
    draft = '{"ho_ten": "Nguyễn Văn A"}'.encode()
    store.put(DRAFT, io.BytesIO(draft), content_type="application/json")
    assert _read(FsObjectStore(old), DRAFT) == draft
    assert not (old / "meta/drafts/to-khai.json.json").exists()
    assert not (old / "blobs/28/28f77c0f96ef02cdc906128585ce3959").exists()
    assert store.object_file(DRAFT) == old / "keys/drafts/to-khai.json#obj"
    assert [i.key for i in store.list("drafts/")] == [DRAFT]


def test_deleting_an_old_object_removes_record_and_blob(old: Path) -> None:
    store = FsObjectStore(old)
    store.delete(DRAFT)
    assert not FsObjectStore(old).exists(DRAFT)
    assert not (old / "meta/drafts/to-khai.json.json").exists()
    assert not (old / "blobs/28/28f77c0f96ef02cdc906128585ce3959").exists()


def test_a_shadowed_old_record_never_comes_back(old: Path) -> None:
    """A put over an old object killed before it removed the old record."""
    record = old / "meta/drafts/to-khai.json.json"
    store = FsObjectStore(old)
    store.put(DRAFT, io.BytesIO(b"new"))
    record.write_bytes(OLD_STORE["meta/drafts/to-khai.json.json"])
    (old / "blobs/28").mkdir(exist_ok=True)
    (old / "blobs/28/28f77c0f96ef02cdc906128585ce3959").write_bytes(b"{}")
    assert _read(store, DRAFT) == b"new"
    assert [i.key for i in store.list("drafts/")] == [DRAFT]
    assert sorted(store.recover(older_than=0)) == sorted(
        ["to-khai.json.json", "28f77c0f96ef02cdc906128585ce3959"]
    )
    record.write_bytes(OLD_STORE["meta/drafts/to-khai.json.json"])
    store.delete(DRAFT)
    assert not record.exists()
    assert not FsObjectStore(old).exists(DRAFT), "the old object must not reappear"


def test_to_old_layout_writes_what_the_old_store_wrote(tmp_path: Path) -> None:
    """The helper other tests use to make an old installation, checked against the real one."""
    created = datetime(2026, 11, 24, 8, 58, 30, 454844, tzinfo=UTC)
    store = FsObjectStore(tmp_path, clock=lambda: created)
    store.put(PDF, io.BytesIO(b"%PDF-1.7 ket qua"), content_type="application/pdf")
    store.set_retention(PDF, Retention(RetentionMode.COMPLIANCE, UNTIL))
    store.set_legal_hold(PDF, True)
    to_old_layout(tmp_path)
    record = json.loads((tmp_path / "meta" / f"{PDF}.json").read_text())
    expected = json.loads(OLD_STORE["meta/dossiers/2026/G01.000.pdf.json"])
    assert record == {**expected, "blob": record["blob"]}
    written = (tmp_path / "meta" / f"{PDF}.json").read_bytes()
    assert written == OLD_STORE["meta/dossiers/2026/G01.000.pdf.json"].replace(
        expected["blob"].encode(), record["blob"].encode()
    )
    assert list((tmp_path / "keys").rglob("*#*")) == []


REPLACER = """
import io, sys
from pathlib import Path
from storage.fs_store import FsObjectStore

store = FsObjectStore(Path(sys.argv[1]))
print("ready", flush=True)
sys.stdin.readline()
for key in sys.argv[2:]:
    store.put(key, io.BytesIO(b"new " + key.encode()))
"""


def test_readers_see_old_or_new_while_old_objects_are_replaced(tmp_path: Path) -> None:
    """Another process replaces old-layout objects: readers never see one missing or torn."""
    store = FsObjectStore(tmp_path)
    keys = [f"d/{i:03d}" for i in range(300)]
    for key in keys:
        store.put(key, io.BytesIO(b"old " + key.encode()))
    to_old_layout(tmp_path)
    store = FsObjectStore(tmp_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", REPLACER, str(tmp_path), *keys],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert writer.stdin is not None and writer.stdout is not None
    assert writer.stdout.readline() == b"ready\n"
    writer.stdin.close()  # go
    try:
        while writer.poll() is None:
            for key in keys:
                assert _read(store, key) in (b"old " + key.encode(), b"new " + key.encode())
                assert store.exists(key), key
    finally:
        assert writer.wait(60) == 0
    assert all(_read(store, key).startswith(b"new ") for key in keys)
