"""Benchmark: our PAdES signing next to bare pyHanko, and batch throughput.

Run: ``.venv/bin/python -m benchmarks.sign`` (about a minute and a half;
``--iterations 5 --batch 20`` for a quick look).

1. A 3-page PDF/A-3b signed at B-B and at B-LT by ``signing.sign_document``
   and by bare pyHanko with the same PKCS#12 key, the same TSA and the same
   revocation sources (the demo PKI served on loopback), in the same run.
   Prints the medians and the ratio ours / bare (goal: within 1.1x).
   Ours does more: it opens the PKCS#12 file, checks the certificate
   (validity, key usage, OCSP) before signing, and aligns Info/XMP.
2. Batch: 100 results signed by ``signing.sign_batch`` with a PKCS#12 file
   and with a SoftHSM2 token (one session), in documents per second, next to
   signing the same documents one by one with ``sign_document``.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.fields import SigSeedSubFilter  # noqa: E402
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper  # noqa: E402
from weasyprint import HTML  # noqa: E402

from signing import (  # noqa: E402
    DEMO_PIN,
    DemoPKI,
    PadesLevel,
    Pkcs11Signer,
    Pkcs12Signer,
    PkiServer,
    SignOptions,
    sign_batch,
    sign_document,
)

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=15)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--batch-level", default="B-LT", choices=[lv.value for lv in PadesLevel])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eforms-bench-") as tmp:
        work = Path(tmp)
        token = _softhsm_token(work) if shutil.which("softhsm2-util") else None
        pki = DemoPKI.load_or_create(work / "data", port=_free_port())
        if token is not None:
            _import_leader(pki, work, token)
        pdf = _three_pages()
        with PkiServer(pki):
            trust = pki.trust()
            signer = Pkcs12Signer(pki.pkcs12_path("leader"), DEMO_PIN)
            p12 = pki.pkcs12("leader")
            cold = dataclasses.replace(trust, status_cache_seconds=0)
            # Created once, as ours keeps one per TrustSettings: pyHanko caches the TSA's
            # dummy response (used to size the signature) on the timestamper.
            bare_tsa = HTTPTimeStamper(pki.tsa_url, timeout=trust.timeout)
            for level in (PadesLevel.B_B, PadesLevel.B_LT):
                bare = _median(
                    args.iterations, lambda lv=level: _bare_pyhanko(pdf, p12, pki, lv, bare_tsa)
                )
                for label, settings in (("status cached", trust), ("status checked", cold)):
                    ours = _median(
                        args.iterations,
                        lambda lv=level, t=settings: sign_document(
                            pdf, signer=signer, trust=t, options=SignOptions(level=lv)
                        ),
                    )
                    print(
                        f"{level.value:5} 3 pages: ours ({label}) {ours * 1000:6.1f} ms, "
                        f"bare pyHanko {bare * 1000:6.1f} ms, ratio {ours / bare:.2f}x"
                    )
            level = PadesLevel(args.batch_level)
            docs = [pdf] * args.batch
            single = _median(
                5,
                lambda: sign_document(
                    pdf, signer=signer, trust=trust, options=SignOptions(level=level)
                ),
            )
            print(f"one by one ({level.value}, PKCS#12): {1 / single:6.1f} docs/s")
            _batch("PKCS#12", docs, signer, trust, level, single)
            if token is not None:
                hsm = Pkcs11Signer(
                    token_label="bench", key_label="leader", pin="246810", module=SOFTHSM_MODULE
                )
                _batch("SoftHSM2", docs, hsm, trust, level, single)
            else:
                print("SoftHSM2 not installed: PKCS#11 batch skipped")


def _batch(name, docs, signer, trust, level, single) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    items = sign_batch(docs, signer=signer, trust=trust, options=SignOptions(level=level))
    elapsed = time.perf_counter() - start
    failed = [i for i in items if i.error is not None]
    assert not failed, failed[0].error
    rate = len(docs) / elapsed
    print(
        f"batch of {len(docs)} ({level.value}, {name}): {elapsed:5.1f} s, {rate:6.1f} docs/s, "
        f"{rate * single:.2f}x the one-by-one rate"
    )


def _bare_pyhanko(
    pdf: bytes, p12: bytes, pki: DemoPKI, level: PadesLevel, tsa: HTTPTimeStamper
) -> bytes:
    signer = signers.SimpleSigner.load_pkcs12_data(
        p12, other_certs=[], passphrase=DEMO_PIN.encode()
    )
    lt = level is PadesLevel.B_LT
    meta = signers.PdfSignatureMetadata(
        field_name="Signature1",
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=lt,
        validation_context=pki.validation_context() if lt else None,
    )
    timestamper = tsa if level.needs_timestamp else None
    out = signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdf))
    )
    return out.getvalue()


def _median(n: int, func: Callable[[], object]) -> float:
    func()  # warm-up: imports, font cache, TSA dummy response
    times = []
    for _ in range(n):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _three_pages() -> bytes:
    rows = "".join(f"<p>Dòng {i}: Tờ khai thay đổi thông tin cư trú.</p>" for i in range(84))
    html = (
        "<html><head><style>@page{size:A4;margin:2cm;font-family:'Liberation Serif'}"
        "body{font-family:'Liberation Serif'}</style></head><body>" + rows + "</body></html>"
    )
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _softhsm_token(work: Path) -> str:
    tokens = work / "tokens"
    tokens.mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # before the PKCS#11 module is loaded
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            "bench",
            "--pin",
            "246810",
            "--so-pin",
            "13579111",
        ],
        check=True,
        capture_output=True,
    )
    return "bench"


def _import_leader(pki: DemoPKI, work: Path, token: str) -> None:
    key = work / "leader.key.pem"
    key.write_bytes(pki.private_key_pem("leader"))
    subprocess.run(
        [
            "softhsm2-util",
            "--import",
            str(key),
            "--token",
            token,
            "--label",
            "leader",
            "--id",
            "01",
            "--pin",
            "246810",
        ],
        check=True,
        capture_output=True,
    )
    key.unlink()
    for label, cert_id, cert in (
        ("leader", "01", pki.certificate("leader")),
        ("interm", "02", pki.intermediate),
        ("root", "03", pki.root),
    ):
        der = work / f"{label}.der"
        der.write_bytes(cert.dump())
        subprocess.run(
            [
                "pkcs11-tool",
                "--module",
                SOFTHSM_MODULE,
                "--token-label",
                token,
                "--login",
                "--pin",
                "246810",
                "--write-object",
                str(der),
                "--type",
                "cert",
                "--label",
                label,
                "--id",
                cert_id,
            ],
            check=True,
            capture_output=True,
        )


if __name__ == "__main__":
    main()
