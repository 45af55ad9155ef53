"""Archive throughput against bare baselines measured in the same run.

1. Packaging: build the SIP and ingest it as an AIP into the filesystem
   object store (validation with XML schemas, checksums, PDF/A and image
   checks, signature re-verification, METS/PREMIS, retention lock, database
   index) for ``--dossiers`` dossiers of about ``--size-mb`` MB each, next to
   ``bagit.make_bag`` (SHA-256) plus copying the same files into a folder.
2. Fixity: a full fixity audit (every stored file re-read and hashed, PREMIS
   event and report per run) next to ``sha256sum`` over the same stored bytes.

Each dossier: a PDF/A form, a 300 dpi scan (the bulk of the size) and a
sealed PDF/A result, signed once by the demo PKI and reused. Prints seconds,
packages/s, MB/s and the ratios. Run from the repository root:
``.venv/bin/python -m benchmarks.archive``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import bagit

from archive.builder import build_package
from archive.demo import demo_record
from archive.fixity import run_fixity_audit
from archive.ingest import ingest
from archive.record import DossierRecord
from archive.report_verifier import ReportVerifier
from signing.demo_pki import DEMO_PIN, DemoPKI
from signing.pades import sign_document
from signing.pkcs12_signer import Pkcs12Signer
from signing.pki_server import PkiServer
from signing.validation import RevocationPolicy, TrustStore
from storage.db import Database
from storage.fs_store import FsObjectStore
from storage.testing import free_port


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _records(pki: DemoPKI, count: int, size_mb: float) -> list[DossierRecord]:
    signer = Pkcs12Signer(pki.pkcs12_path("000.00.00.H56"), DEMO_PIN)
    template = demo_record(
        sign=lambda pdf: sign_document(pdf, signer=signer, trust=pki.trust()).pdf,
        scan_bytes=int(size_mb * 1024 * 1024),
    )
    docs = tuple(
        dataclasses.replace(d, read_bytes=_constant(d.read_bytes())) for d in template.documents
    )
    return [
        dataclasses.replace(template, dossier_code=f"000.00.00.H56-261122-{n:04d}", documents=docs)
        for n in range(1, count + 1)
    ]


def _fsync_tree(root: Path) -> None:
    for path in [*root.rglob("*"), root]:
        fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _baseline(records: list[DossierRecord], work: Path, *, durable: bool) -> float:
    """``bagit.make_bag`` + copy; ``durable`` also fsyncs the copy as our store does."""
    name = "durable" if durable else "plain"
    os.sync()  # start each phase with nothing dirty from the previous one
    start = time.perf_counter()
    for record in records:
        bag = work / f"bags-{name}" / record.dossier_code
        bag.mkdir(parents=True)
        for doc in record.documents:
            (bag / doc.file_name).write_bytes(doc.read_bytes())
        bagit.make_bag(str(bag), checksums=["sha256"])
        copy = work / f"copies-{name}" / record.dossier_code
        shutil.copytree(bag, copy)
        if durable:
            _fsync_tree(copy)
    return time.perf_counter() - start


def _ours(records: list[DossierRecord], work: Path, verifier: ReportVerifier) -> tuple:
    db = Database(f"sqlite:///{work / 'bench.db'}")
    db.upgrade()
    store = FsObjectStore(work / "objects")
    os.sync()
    start = time.perf_counter()
    for record in records:
        sip = build_package(record, out_dir=work / "sips", verifier=verifier)
        ingest(sip.path, db=db, store=store, verifier=verifier, actor="bench")
    return time.perf_counter() - start, db, store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100)
    parser.add_argument("--size-mb", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eforms-bench-archive-") as tmp:
        work = Path(tmp)
        pki = DemoPKI.load_or_create(work / "pki", port=free_port())
        # The verification ingest uses in the portal (status fetched from the demo PKI).
        verifier = ReportVerifier(
            TrustStore.from_trust_settings(pki.trust()), revocation=RevocationPolicy.BOTH
        )
        served = PkiServer(pki)
        served.start()  # OCSP/CRL/TSA for signing the records and for ingest's checks
        records = _records(pki, args.dossiers, args.size_mb)
        size = sum(len(d.read_bytes()) for d in records[0].documents) / 1e6
        print(f"{args.dossiers} dossiers of {size:.1f} MB ({len(records[0].documents)} documents)")
        base = _baseline(records, work, durable=False)
        durable = _baseline(records, work, durable=True)
        ours, db, store = _ours(records, work, verifier)
        n = args.dossiers
        print(f"bagit.make_bag + copy : {base:7.2f} s  {n / base:6.2f} packages/s")
        print(f"  same + fsync        : {durable:7.2f} s  {n / durable:6.2f} packages/s")
        print(f"build + ingest (ours) : {ours:7.2f} s  {n / ours:6.2f} packages/s")
        print(
            f"ratio ours/baseline   : {ours / base:.2f}x (goal <= 1.5x); "
            f"against the fsync'd baseline {ours / durable:.2f}x"
        )
        start = time.perf_counter()
        report = run_fixity_audit(db, store)
        audit = time.perf_counter() - start
        stored = sum(e["size"] for e in report.entries) / 1e6
        # The files holding the audited objects (the store's layout, whatever it is).
        blobs = sorted(str(store.object_file(e["key"])) for e in report.entries)
        start = time.perf_counter()
        for i in range(0, len(blobs), 500):
            subprocess.run(
                ["sha256sum", *blobs[i : i + 500]], check=True, stdout=subprocess.DEVNULL
            )
        shasum = time.perf_counter() - start
        print(
            f"fixity audit (ours)   : {audit:7.2f} s  {stored / audit:7.1f} MB/s ({report.totals})"
        )
        print(f"sha256sum             : {shasum:7.2f} s  {stored / shasum:7.1f} MB/s")
        print(f"ratio ours/sha256sum  : {audit / shasum:.2f}x")
        db.dispose()
        served.stop()


if __name__ == "__main__":
    main()
