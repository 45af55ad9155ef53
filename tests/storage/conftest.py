"""Fixtures for the storage tests: every object store adapter on real servers.

The S3 servers are started once per session on loopback (moto in a thread,
Ceph RGW as daemons in a temporary directory) and torn down at the end; each
test gets a fresh bucket so tests never see each other's locked objects.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storage.fs_store import FsObjectStore
from storage.s3_store import S3Config, S3ObjectStore
from storage.testing import S3Server, ceph_available, ceph_rgw, moto_s3

_buckets = itertools.count(1)

SMALL_PART = 5 * 1024 * 1024
"""The smallest multipart part S3 allows; keeps the multipart test small."""


@pytest.fixture(scope="session")
def moto_server() -> Iterator[S3Server]:
    with moto_s3() as server:
        yield server


@pytest.fixture(scope="session")
def ceph_server() -> Iterator[S3Server]:
    reason = ceph_available()
    if reason:
        pytest.skip(reason)
    with ceph_rgw() as server:
        yield server


@pytest.fixture
def make_s3_store(request: pytest.FixtureRequest) -> Callable[[str], S3ObjectStore]:
    """Build a store on a fresh bucket of ``moto`` or ``ceph``."""

    def make(server_name: str) -> S3ObjectStore:
        return s3_store_on(request.getfixturevalue(f"{server_name}_server"))

    return make


def s3_store_on(server: S3Server, **options: object) -> S3ObjectStore:
    """A store on a new, object-locked bucket of ``server``."""
    config = S3Config(
        endpoint=server.endpoint,
        bucket=f"eforms-test-{next(_buckets)}",
        access_key=server.access_key,
        secret_key=server.secret_key,
        region=server.region,
        secure=False,
        part_size=SMALL_PART,
        retries=2,
        backoff_seconds=0.05,
        **options,  # type: ignore[arg-type]
    )
    store = S3ObjectStore(config)
    store.ensure_bucket()
    return store


@pytest.fixture(
    params=[
        "fs",
        pytest.param("moto", marks=pytest.mark.integration),
        pytest.param("ceph", marks=pytest.mark.integration),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FsObjectStore | S3ObjectStore:
    """Each adapter of the ObjectStore port in turn."""
    if request.param == "fs":
        return FsObjectStore(tmp_path / "objects")
    server = request.getfixturevalue(f"{request.param}_server")
    return s3_store_on(server)
