"""Object store throughput against bare baselines measured in the same run.

1. Filesystem adapter vs a plain file copy that hashes with SHA-256 and
   fsyncs (the same durability), and vs one that does not fsync.
2. S3 adapter on a local Ceph RGW vs the minio SDK's own bare put/get on the
   same server (needs root and Debian's Ceph packages; ``--skip-ceph``).

The workload: ``--objects`` objects (default 1,000) of mixed sizes, mostly
4-64 KiB documents, some 256 KiB-2 MiB scans, and five of 20 MiB. Each is
put, then read back in full. Prints seconds, MB/s and the ratio to the
baseline. Run from the repository root: ``.venv/bin/python -m benchmarks.storage``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name
# would hide the ``storage`` package: drop it.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    del sys.path[0]

import argparse
import hashlib
import io
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable

from minio import Minio

from storage.fs_store import FsObjectStore
from storage.objects import CHUNK_SIZE
from storage.s3_store import S3Config, S3ObjectStore
from storage.testing import ceph_available, ceph_rgw

MIB = 1024 * 1024


def workload(count: int, seed: int = 13) -> list[tuple[str, bytes]]:
    """``count`` (key, bytes) pairs of mixed sizes from one random buffer."""
    rng = random.Random(seed)
    pool = os.urandom(21 * MIB)
    sizes = [20 * MIB] * min(5, count // 100)
    sizes += [rng.randint(256 * 1024, 2 * MIB) for _ in range(count // 40)]
    sizes += [rng.randint(4 * 1024, 64 * 1024) for _ in range(count - len(sizes))]
    rng.shuffle(sizes)
    items = []
    for i, size in enumerate(sizes):
        start = rng.randint(0, len(pool) - size)
        items.append((f"bench/{i:05d}.bin", pool[start : start + size]))
    return items


def timed(label: str, func: Callable[[], None], total_bytes: int) -> float:
    start = time.perf_counter()
    func()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:8.2f} s  {2 * total_bytes / MIB / seconds:8.1f} MB/s")
    return seconds


def plain_copy(
    items: list[tuple[str, bytes]], root: Path, *, fsync: bool, atomic: bool = False
) -> None:
    """Baseline: write each object to a file while hashing, then read and hash it.

    ``atomic``: through a temporary file renamed into place, with the
    directory fsynced after (the least a crash-safe store must do).
    """
    for key, data in items:
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        source = io.BytesIO(data)
        written = path.with_suffix(".tmp") if atomic else path
        with open(written, "wb") as fh:
            while chunk := source.read(CHUNK_SIZE):
                digest.update(chunk)
                fh.write(chunk)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        if atomic:
            os.replace(written, path)
            directory = os.open(path.parent, os.O_RDONLY)
            os.fsync(directory)
            os.close(directory)
    for key, _data in items:
        digest = hashlib.sha256()
        with open(root / key, "rb") as fh:
            while chunk := fh.read(CHUNK_SIZE):
                digest.update(chunk)


def through_store(items: list[tuple[str, bytes]], store: object) -> None:
    """Put every object through the adapter, then read each back (verified)."""
    for key, data in items:
        store.put(key, io.BytesIO(data))  # type: ignore[attr-defined]
    for key, _data in items:
        with store.get(key) as reader:  # type: ignore[attr-defined]
            for _chunk in reader.chunks():
                pass


def bare_minio(items: list[tuple[str, bytes]], client: Minio, bucket: str) -> None:
    """Baseline: the SDK's own put_object/get_object, no hashing of ours."""
    for key, data in items:
        client.put_object(bucket, key, io.BytesIO(data), len(data), part_size=16 * MIB)
    for key, _data in items:
        response = client.get_object(bucket, key)
        try:
            for _chunk in response.stream(CHUNK_SIZE):
                pass
        finally:
            response.close()
            response.release_conn()


def bench_fs(items: list[tuple[str, bytes]], total: int, *, repeat: int) -> None:
    """Each variant ``repeat`` times, interleaved; the best time of each counts.

    The machine is shared, so single runs are noisy; the minimum is the
    figure least disturbed by other processes.
    """
    print(f"Filesystem adapter vs plain file copy with SHA-256 (best of {repeat})")
    variants: dict[str, Callable[[Path], None]] = {
        "plain copy + SHA-256 + fsync (baseline)": lambda d: plain_copy(items, d, fsync=True),
        "atomic copy: temp, fsync, rename, fsync dir": lambda d: plain_copy(
            items, d, fsync=True, atomic=True
        ),
        "plain copy + SHA-256, no fsync": lambda d: plain_copy(items, d, fsync=False),
        "FsObjectStore put + get": lambda d: through_store(items, FsObjectStore(d)),
    }
    best = dict.fromkeys(variants, float("inf"))
    for _round in range(repeat):
        for label, run in variants.items():
            work = Path(tempfile.mkdtemp(prefix="eforms-bench-"))
            try:
                start = time.perf_counter()
                run(work / "x")
                best[label] = min(best[label], time.perf_counter() - start)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    for label, seconds in best.items():
        print(f"  {label:<44} {seconds:8.2f} s  {2 * total / MIB / seconds:8.1f} MB/s")
    ours = best["FsObjectStore put + get"]
    durable, atomic, loose = (best[k] for k in list(variants)[:3])
    print(f"  ratio vs durable copy: {ours / durable:.2f}x   vs atomic copy: "
          f"{ours / atomic:.2f}x   vs no-fsync copy: {ours / loose:.2f}x")  # fmt: skip


def bench_ceph(items: list[tuple[str, bytes]], total: int) -> None:
    print("S3 adapter vs bare minio SDK, on a local Ceph RGW (memstore)")
    with ceph_rgw(memstore_bytes=6 * 1024**3) as server:
        client = Minio(server.endpoint, server.access_key, server.secret_key, secure=False)
        client.make_bucket("bench-bare", object_lock=True)
        store = S3ObjectStore(
            S3Config(
                server.endpoint, "bench-ours", server.access_key, server.secret_key, secure=False
            )  # fmt: skip
        )
        store.ensure_bucket()
        bare = timed("minio put_object + get_object (baseline)", lambda: bare_minio(
            items, client, "bench-bare"), total)  # fmt: skip
        ours = timed("S3ObjectStore put + get", lambda: through_store(items, store), total)
        print(f"  ratio vs bare SDK: {ours / bare:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--skip-ceph", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="Filesystem runs per variant.")
    parser.add_argument(
        "--by-size",
        action="store_true",
        help="Filesystem: also the objects up to 64 KiB and the larger ones, each on their own.",
    )
    args = parser.parse_args()
    items = workload(args.objects)
    total = sum(len(d) for _k, d in items)
    print(f"{len(items)} objects, {total / MIB:.1f} MiB, "
          f"{min(len(d) for _k, d in items) // 1024} KiB to "
          f"{max(len(d) for _k, d in items) // MIB} MiB")  # fmt: skip
    bench_fs(items, total, repeat=args.repeat)
    if args.by_size:
        for label, small in (("up to 64 KiB", True), ("of 256 KiB and more", False)):
            part = [(k, d) for k, d in items if (len(d) <= 64 * 1024) is small]
            part_total = sum(len(d) for _k, d in part)
            print(f"-- {len(part)} objects {label}, {part_total / MIB:.1f} MiB")
            bench_fs(part, part_total, repeat=args.repeat)
    reason = None if not args.skip_ceph else "--skip-ceph"
    reason = reason or ceph_available()
    if reason:
        print(f"Ceph RGW part skipped: {reason}")
        return
    bench_ceph(items, total)


if __name__ == "__main__":
    main()
