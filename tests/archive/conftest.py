"""Fixtures for the archive tests: a signed demo dossier, real stores, the E-ARK validator.

Everything is real: PDF/A documents from WeasyPrint, a PAdES seal from the
demo PKI (served on loopback for the signing-time certificate check),
pyHanko verification, a SQLite database migrated to every head, the
filesystem object store, and the E-ARK project's own validator run in its
own virtual environment (it pins an old lxml).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive.builder import BuiltPackage, build_package
from archive.demo import demo_record
from archive.record import DossierRecord
from archive.report_verifier import ReportVerifier
from signing.demo_pki import DEMO_PIN, DemoPKI
from signing.pades import SignOptions, sign_document
from signing.pkcs12_signer import Pkcs12Signer
from signing.pki_server import PkiServer
from signing.validation import RevocationPolicy, TrustStore
from storage.db import Database
from storage.fs_store import FsObjectStore
from storage.testing import free_port

REPO = Path(__file__).resolve().parents[2]
EARK_RUNNER = Path(__file__).with_name("eark_runner.py")
KNOWN_EARK_SIP_BUG = "SIP14"
"""eark-validator 1.1.3 checks the SIP creator agent's note for a NOTETYPE
attribute without the csip: namespace, which METS does not allow and which
contradicts CSIP16 (the same note must carry csip:NOTETYPE="SOFTWARE
VERSION"). Every SIP fails it; AIPs are not checked against the SIP rules."""


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DemoPKI:
    return DemoPKI.load_or_create(tmp_path_factory.mktemp("pki"), port=free_port())


@pytest.fixture(scope="session")
def pki_server(pki: DemoPKI) -> Iterator[PkiServer]:
    with PkiServer(pki) as server:
        yield server


@pytest.fixture(scope="session")
def verifier(pki: DemoPKI, pki_server: PkiServer) -> ReportVerifier:
    """The project's verification, as ingest uses it (status fetched when not embedded)."""
    return ReportVerifier(
        TrustStore.from_trust_settings(pki.trust()), revocation=RevocationPolicy.BOTH
    )


@pytest.fixture(scope="session")
def seal(pki: DemoPKI, pki_server: PkiServer) -> Callable[[bytes], bytes]:
    """Sign a PDF with the demo agency's seal (PAdES B-B)."""
    signer = Pkcs12Signer(pki.pkcs12_path("000.00.00.H56"), DEMO_PIN)

    def sign(pdf: bytes) -> bytes:
        return sign_document(pdf, signer=signer, trust=pki.trust(), options=SignOptions()).pdf

    return sign


@pytest.fixture(scope="session")
def record(seal: Callable[[bytes], bytes]) -> DossierRecord:
    """A closed dossier: form, 300 dpi scan, sealed result; retention 10 years."""
    return demo_record(sign=seal, scan_bytes=60_000)


@pytest.fixture
def sip(tmp_path: Path, record: DossierRecord, verifier: ReportVerifier) -> BuiltPackage:
    return build_package(record, out_dir=tmp_path / "sips", verifier=verifier)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'archive.db'}")
    database.upgrade()
    yield database
    database.dispose()


class Clock:
    """A settable UTC clock shared by the store and the services under test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> FsObjectStore:
    return FsObjectStore(tmp_path / "objects", clock=clock)


@pytest.fixture(scope="session")
def eark_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Python of a venv holding eark-validator: ``.venv-eark`` (``make eark-venv``) or a new one."""
    cached = REPO / ".venv-eark" / "bin" / "python"
    if cached.exists():
        return cached
    venv = tmp_path_factory.mktemp("eark") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", "eark-validator>=1.1,<1.2"],
        check=True,
        timeout=600,
    )
    return venv / "bin" / "python"


@pytest.fixture(scope="session")
def eark(eark_python: Path) -> Callable[..., list[dict]]:
    """Run eark-validator on package folders; one report dict per package."""

    def run(*packages: Path) -> list[dict]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        done = subprocess.run(
            [str(eark_python), str(EARK_RUNNER), *map(str, packages)],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    return run
