"""Filesystem store specifics: kills mid-put, full disk, bit rot, expiry, fsyncs per put."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage.errors import ChecksumMismatchError, ObjectHeldError, ObjectLockedError, StoreFullError
from storage.fs_store import FsObjectStore
from storage.objects import Retention, RetentionMode, utc_now

WRITER = textwrap.dedent(
    """
    import io, sys
    from pathlib import Path
    from storage.fs_store import FsObjectStore

    store = FsObjectStore(Path(sys.argv[1]))
    size = int(sys.argv[2])
    i = 0
    while True:
        store.put("dossier/result.pdf", io.BytesIO(bytes([i % 251]) * size))
        if i == 0:
            print("ready", flush=True)
        i += 1
    """
)


def test_writer_killed_mid_put_leaves_old_or_new_never_torn(tmp_path: Path) -> None:
    root = tmp_path / "objects"
    size = 3 * 1024 * 1024
    valid = {hashlib.sha256(bytes([i]) * size).hexdigest() for i in range(251)}
    rng = random.Random(9)
    for _round in range(8):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), str(size)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        proc.stdout.close()
        # Kill at a random point of the put cycle (spool, fsync, renames).
        subprocess.run(["sleep", f"{rng.uniform(0.0, 0.15):.3f}"], check=True)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()

        store = FsObjectStore(root)
        store.recover(older_than=0)  # the writer is dead: every leftover goes
        with store.get("dossier/result.pdf") as reader:
            data = reader.read()  # reading to the end verifies the SHA-256
        assert hashlib.sha256(data).hexdigest() in valid
        assert len(data) == size
        assert list((root / ".tmp").iterdir()) == []
        files = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
        assert files == [".lock", "keys/dossier/result.pdf#obj"], "a restart finds no partial state"


def test_bit_rot_is_detected_when_reading(tmp_path: Path) -> None:
    store = FsObjectStore(tmp_path)
    store.put("a/b", io.BytesIO(b"original bytes"))
    path = store.object_file("a/b")
    path.write_bytes(b"tampered" + path.read_bytes()[len(b"tampered") :])
    with pytest.raises(ChecksumMismatchError), store.get("a/b") as reader:
        reader.read()


@pytest.mark.parametrize("size", [10, 300_000])  # read with its record, or streamed after it
@pytest.mark.parametrize("damage", ["record", "footer", "truncated"])
def test_a_damaged_record_is_a_clear_error(tmp_path: Path, size: int, damage: str) -> None:
    """A record that bit rot changed is refused, not read as another retention date."""
    store = FsObjectStore(tmp_path)
    until = utc_now() + timedelta(days=400)
    store.put(
        "aip/x", io.BytesIO(b"x" * size), retention=Retention(RetentionMode.COMPLIANCE, until)
    )
    path = store.object_file("aip/x")
    data = bytearray(path.read_bytes())
    if damage == "record":
        data[data.rindex(str(until.year).encode())] ^= 0x01  # the year of the retention date
    elif damage == "footer":
        data[-1] ^= 0xFF
    else:
        del data[-5:]
    path.write_bytes(bytes(data))
    for action in (
        lambda: store.head("aip/x"),
        lambda: store.get("aip/x"),
        lambda: store.delete("aip/x"),
    ):
        with pytest.raises(ChecksumMismatchError) as caught:
            action()
        assert "damaged" in caught.value.message_en and "bị hỏng" in caught.value.message_vi
    assert path.exists()


def test_a_record_longer_than_one_read_is_found(tmp_path: Path) -> None:
    """The record is usually in the file's last 8 KiB; a long content type pushes it out."""
    store = FsObjectStore(tmp_path)
    content_type = "application/x-" + "a" * 20_000
    for size in (10, 300_000):
        store.put(f"x/{size}", io.BytesIO(b"y" * size), content_type=content_type)
        assert store.head(f"x/{size}").content_type == content_type
        with store.get(f"x/{size}") as reader:
            assert reader.read() == b"y" * size


def test_a_put_makes_one_file_fsync_and_one_directory_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What makes a put durable, and all it costs in fsyncs (the earlier layout made four)."""
    store = FsObjectStore(tmp_path)
    store.put("dossiers/G01/first.pdf", io.BytesIO(b"creates the directory"))
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    store.put("dossiers/G01/to-khai.pdf", io.BytesIO(b"%PDF-1.7" * 1000))
    assert [Path(p).parent.name for p in synced[:1]] == [".tmp"], synced
    assert synced[1:] == [str((tmp_path / "keys" / "dossiers" / "G01").resolve())]
    synced.clear()
    store.put("dossiers/G01/to-khai.pdf", io.BytesIO(b"replaced"))
    store.set_legal_hold("dossiers/G01/to-khai.pdf", True)
    assert len(synced) == 4, "a replacement and a lock change are two fsyncs each"
    monkeypatch.undo()
    with store.get("dossiers/G01/to-khai.pdf") as reader:
        assert reader.read() == b"replaced"


def test_a_lock_change_belongs_to_the_object_it_was_made_on(tmp_path: Path) -> None:
    """A lock file left by an earlier object under the key (a crash) does not apply."""
    store = FsObjectStore(tmp_path)
    store.put("case/x", io.BytesIO(b"v1"))
    store.set_legal_hold("case/x", True)
    lock_file = tmp_path / "keys" / "case" / "x#lock"
    kept = lock_file.read_bytes()
    store.set_legal_hold("case/x", False)
    store.put("case/x", io.BytesIO(b"v2"))
    assert not lock_file.exists(), "the replaced object's lock file goes with it"
    lock_file.write_bytes(kept)  # as if a crash undid that removal
    assert not store.get_legal_hold("case/x")
    store.put("case/x", io.BytesIO(b"v3"))  # not held: the stale hold is not ours
    store.set_legal_hold("case/x", True)
    with pytest.raises(ObjectHeldError):
        store.put("case/x", io.BytesIO(b"v4"))
    reopened = FsObjectStore(tmp_path)
    assert reopened.get_legal_hold("case/x")
    reopened.set_legal_hold("case/x", False)
    reopened.delete("case/x")
    assert not lock_file.exists() and not reopened.exists("case/x")


def test_compliance_ends_at_its_date(tmp_path: Path) -> None:
    now = [utc_now()]
    store = FsObjectStore(tmp_path, clock=lambda: now[0])
    until = now[0] + timedelta(days=3650)
    store.put("aip/x", io.BytesIO(b"x"), retention=Retention(RetentionMode.COMPLIANCE, until))
    now[0] = until - timedelta(seconds=1)
    with pytest.raises(ObjectLockedError):
        store.delete("aip/x")
    now[0] = until
    assert store.get_retention("aip/x") is None
    store.delete("aip/x")
    assert not store.exists("aip/x")


def test_concurrent_writers_never_tear(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store = FsObjectStore(tmp_path)
    payloads = [bytes([i]) * 200_000 for i in range(20)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda p: store.put("same/key", io.BytesIO(p)), payloads))
    with store.get("same/key") as reader:
        assert reader.read() in payloads
    assert store.recover() == []


def test_recover_beside_live_writers_loses_nothing(tmp_path: Path) -> None:
    """``storage check --repair`` on a running system: every put commits and reads back."""
    import threading

    store = FsObjectStore(tmp_path)
    stop = threading.Event()
    passes: list[int] = []

    def repair() -> None:
        while not stop.is_set():
            store.recover()
            passes.append(1)

    repairer = threading.Thread(target=repair)
    repairer.start()
    written = {}
    try:
        for i in range(300):
            data = os.urandom(64 * 1024 + i)
            store.put(f"dossier/{i:04d}.pdf", io.BytesIO(data))
            written[f"dossier/{i:04d}.pdf"] = data
    finally:
        stop.set()
        repairer.join()
    assert len(passes) > 10
    for key, data in written.items():
        with store.get(key) as reader:
            assert reader.read() == data, key


def test_recover_waits_for_the_commit_lock_and_spares_recent_leftovers(tmp_path: Path) -> None:
    import fcntl
    import threading
    import time

    store = FsObjectStore(tmp_path)
    store.put("kept", io.BytesIO(b"kept"))
    store.set_legal_hold("kept", True)
    store.put("gone", io.BytesIO(b"gone"))
    store.set_legal_hold("gone", True)
    orphan = tmp_path / "keys" / "gone#lock"
    held = orphan.read_bytes()
    store.set_legal_hold("gone", False)
    store.delete("gone")
    orphan.write_bytes(held)  # a delete killed before removing the lock file
    spool = tmp_path / ".tmp" / "obj-0123456789abcdef"
    spool.write_bytes(b"a put still streaming")
    assert store.recover() == ["gone#lock"], "recent temporary files may be a live writer's"
    orphan.write_bytes(held)
    old = time.time() - 2 * 3600
    os.utime(spool, (old, old))
    done: list[list[str]] = []
    with open(tmp_path / ".lock", "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a writer committing
        worker = threading.Thread(target=lambda: done.append(store.recover(older_than=3600)))
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and orphan.exists(), "recover must wait for the commit lock"
        fcntl.flock(lock, fcntl.LOCK_UN)
    worker.join(5)
    assert sorted(done[0]) == sorted(["gone#lock", spool.name])
    assert not store.exists("gone") and store.get_legal_hold("kept")
    with store.get("kept") as reader:
        assert reader.read() == b"kept"


def _mount_tmpfs(path: Path, size: str) -> str | None:
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    path.mkdir(parents=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return f"cannot mount a tmpfs here: {done.stderr.strip()}"
    return None


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "tiny"
    reason = _mount_tmpfs(mount_point, "2m")
    if reason:
        pytest.skip(reason)
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def test_full_disk_is_a_clear_error_and_nothing_is_half_written(tiny_disk: Path) -> None:
    store = FsObjectStore(tiny_disk / "objects")
    store.put("small/ok", io.BytesIO(b"still here"))
    with pytest.raises(StoreFullError) as caught:
        store.put("big/too-big", io.BytesIO(os.urandom(3 * 1024 * 1024)))
    assert "full" in caught.value.message_en and "đầy" in caught.value.message_vi
    assert not store.exists("big/too-big")
    assert [i.key for i in store.list()] == ["small/ok"]
    assert list((tiny_disk / "objects" / ".tmp").iterdir()) == []
    with store.get("small/ok") as reader:
        assert reader.read() == b"still here"
    # The space is back: the next put that fits succeeds.
    store.put("small/next", io.BytesIO(b"x" * 1024))


def test_full_disk_while_replacing_keeps_the_old_object(tiny_disk: Path) -> None:
    store = FsObjectStore(tiny_disk / "objects")
    store.put("doc", io.BytesIO(b"v1" * 1000))
    with pytest.raises(StoreFullError):
        store.put("doc", io.BytesIO(os.urandom(3 * 1024 * 1024)))
    with store.get("doc") as reader:
        assert reader.read() == b"v1" * 1000
