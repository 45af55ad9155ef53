"""Benchmark: our report for a 3-signature PDF next to bare pyHanko validation.

Run: ``.venv/bin/python benchmarks/verify.py [--rounds N]``. A fresh demo PKI
is served on loopback; a PDF/A form is signed B-T by three identities. Each
round validates the same document both ways, interleaved:

- baseline: pyHanko's ``validate_pdf_signature`` on each of the 3 signatures
  with the same trust, revocation fetching and difference analysis (one
  validation context for the document, as ``verify_pdf`` does);
- ours: :func:`signing.validation.verify_pdf` (the same validation plus our
  verdict, chain, revocation sources, levels and the report).

Prints the ratio (goal: within 1.2x) and documents per second on one core
(one process, one thread), online (OCSP fetched from the demo responder) and
with embedded data only (3 x B-LT, what the archive ingest does).
"""

from __future__ import annotations

import argparse
import io
import socket
import statistics
import tempfile
import time
from pathlib import Path

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from weasyprint import HTML

from signing.demo_pki import DEMO_PIN, DemoPKI
from signing.model import PadesLevel
from signing.pades import SignOptions, sign_document
from signing.pkcs12_signer import Pkcs12Signer
from signing.pki_server import PkiServer
from signing.validation import RevocationPolicy, TrustStore, report_json, verify_pdf
from signing.validation.trust_store import EmbeddedValidationData


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _document(pki: DemoPKI, level: PadesLevel = PadesLevel.B_T) -> bytes:
    rows = "".join(f"<p>Dòng {i}: Nguyễn Văn An, 001203004567.</p>" for i in range(60))
    pdf = HTML(string=f"<h1>TỜ KHAI</h1>{rows}").write_pdf(pdf_variant="pdf/a-3b")
    for who in ("citizen", "officer", "leader"):
        signer = Pkcs12Signer(pki.pkcs12_path(who), DEMO_PIN)
        options = SignOptions(level=level)
        pdf = sign_document(pdf, signer=signer, trust=pki.trust(), options=options).pdf
    return pdf


def _bare(data: bytes, trust: TrustStore) -> None:
    reader = PdfFileReader(io.BytesIO(data))
    vc = trust.validation_context(
        revocation=RevocationPolicy.BOTH, embedded=EmbeddedValidationData()
    )
    for sig in reader.embedded_signatures:
        assert validate_pdf_signature(sig, vc).bottom_line


def _ours(data: bytes, trust: TrustStore) -> None:
    assert verify_pdf(data, trust=trust).unchanged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pki = DemoPKI.load_or_create(Path(tmp), port=_free_port())
        with PkiServer(pki):
            trust = TrustStore.from_trust_settings(pki.trust())
            data = _document(pki)
            _bare(data, trust)
            _ours(data, trust)  # warm-up: imports, caches
            archived = _document(pki, PadesLevel.B_LT)
            offline = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                ok = verify_pdf(archived, trust=trust, revocation=RevocationPolicy.EMBEDDED)
                offline.append(time.perf_counter() - start)
                assert ok.unchanged
            bare, ours, json_times = [], [], []
            for _ in range(args.rounds):
                start = time.perf_counter()
                _bare(data, trust)
                bare.append(time.perf_counter() - start)
                start = time.perf_counter()
                report = verify_pdf(data, trust=trust)
                ours.append(time.perf_counter() - start)
                start = time.perf_counter()
                report_json(report)
                json_times.append(time.perf_counter() - start)
    b, o, j = (statistics.median(x) for x in (bare, ours, json_times))
    print(f"document: {len(data)} bytes, 3 signatures (B-T), {args.rounds} rounds, medians")
    print(f"bare pyHanko validation: {b * 1000:.1f} ms")
    print(f"our report (verify_pdf): {o * 1000:.1f} ms")
    print(f"JSON rendering:          {j * 1000:.2f} ms")
    print(f"ratio ours / bare: {(o + j) / b:.2f}x (goal <= 1.2x)")
    print(f"documents per second on one core: {1 / (o + j):.1f}")
    off = statistics.median(offline)
    print(
        f"3 x B-LT, embedded data only (archive ingest): {off * 1000:.1f} ms, "
        f"{1 / off:.1f} documents per second"
    )


if __name__ == "__main__":
    main()
