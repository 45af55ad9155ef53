"""On a real Ceph RADOS Gateway: an AIP cannot be deleted before its retention date."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from archive.builder import BuiltPackage
from archive.disposal import place_hold
from archive.fixity import run_fixity_audit
from archive.ingest import ingest
from archive.report_verifier import ReportVerifier
from storage.db import Database
from storage.errors import ObjectHeldError, ObjectLockedError, StorageError
from storage.testing import S3Server, ceph_available, ceph_rgw
from tests.storage.conftest import s3_store_on

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def rgw() -> Iterator[S3Server]:
    reason = ceph_available()
    if reason:
        pytest.skip(reason)
    with ceph_rgw() as server:
        yield server


def test_aip_on_ceph_rgw_is_compliance_locked(
    rgw: S3Server, sip: BuiltPackage, db: Database, verifier: ReportVerifier
) -> None:
    store = s3_store_on(rgw)
    result = ingest(sip.path, db=db, store=store, verifier=verifier, actor="archivist")
    keys = [o.key for o in store.list(result.store_prefix)]
    assert len(keys) == result.files
    lock = store.get_retention(keys[0])
    assert lock is not None and lock.mode == "COMPLIANCE" and lock.until.year == 2036
    for bypass in (False, True):
        with pytest.raises(ObjectLockedError):
            store.delete(keys[0], bypass_governance=bypass)
    assert run_fixity_audit(db, store).clean
    place_hold(
        db,
        store,
        title="Hold",
        mandate="Court order",
        package_ids=[result.package_id],
        actor="archivist",
    )
    assert store.get_legal_hold(keys[-1])
    with pytest.raises((ObjectHeldError, ObjectLockedError, StorageError)):
        store.delete(keys[-1])
