"""Bad input and the command line: clear answers, exit codes, bounded time and memory."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pikepdf
import pytest
from click.testing import CliRunner
from lxml import etree
from verify_corpus import many_signatures, usf_zero_contents

from portal.cli import cli
from signing.model import PadesLevel
from signing.validation import (
    Indication,
    TrustStore,
    UnreadablePdfError,
    verify_pdf,
)
from signing.validation.rendering import report_schema


def run_cli(tmp_path: Path, *args: str) -> tuple[int, bytes]:
    env = {"EFORMS_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(cli, ["verify", *args], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes


@pytest.mark.integration
def test_not_a_pdf_is_refused_with_a_clear_error(verify_trust: TrustStore) -> None:
    with pytest.raises(UnreadablePdfError) as info:
        verify_pdf(b"GIF89a not a pdf at all", trust=verify_trust)
    assert "không phải là PDF" in info.value.message_vi
    assert "not a PDF" in info.value.message_en


@pytest.mark.integration
def test_truncated_pdf_is_never_a_pass(signed_pdf: bytes, verify_trust: TrustStore) -> None:
    for cut in (len(signed_pdf) // 2, len(signed_pdf) - 200):
        try:
            report = verify_pdf(signed_pdf[:cut], trust=verify_trust)
        except UnreadablePdfError:
            continue
        assert report.indication is not Indication.TOTAL_PASSED


@pytest.mark.integration
def test_pdf_without_signature_is_indeterminate(pdfa: bytes, verify_trust: TrustStore) -> None:
    report = verify_pdf(pdfa, trust=verify_trust)
    assert report.indication is Indication.INDETERMINATE and report.signatures == ()
    assert report.problems[0].code == "no_signature"


@pytest.mark.integration
def test_cli_exit_codes_and_formats(
    tmp_path: Path,
    root_pem: Path,
    signed_pdf: bytes,
    pdfa: bytes,
    raw_sign: Callable[..., bytes],
    sign_as: Callable[..., bytes],
) -> None:
    files = {
        "good.pdf": signed_pdf,
        "tampered.pdf": _flip(signed_pdf, 300),
        "unsigned.pdf": pdfa,
        "stranger.pdf": raw_sign(pdfa, "stranger"),
        "not-a-pdf.pdf": b"hello",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    trust = ["--trust", str(root_pem)]
    expected = {
        "good.pdf": 0,
        "tampered.pdf": 1,
        "unsigned.pdf": 2,
        "stranger.pdf": 2,
        "not-a-pdf.pdf": 3,
        "missing.pdf": 3,
    }
    for name, code in expected.items():
        got, out = run_cli(tmp_path, str(tmp_path / name), *trust)
        assert got == code, (name, out)
    code, out = run_cli(tmp_path, str(tmp_path / "good.pdf"), *trust, "--json")
    assert code == 0
    jsonschema.validate(json.loads(out), report_schema())
    code, out = run_cli(tmp_path, str(tmp_path / "tampered.pdf"), *trust, "--html")
    assert code == 1 and b"HASH_FAILURE" in out and "KHÔNG HỢP LỆ".encode() in out
    target = tmp_path / "report.pdf"
    code, _ = run_cli(tmp_path, str(tmp_path / "good.pdf"), *trust, "--pdf", "-o", str(target))
    with pikepdf.open(target) as report_pdf:
        assert code == 0 and len(report_pdf.pages) >= 1

    # pyHanko's AdES long-term process passes a B-LTA document on embedded data alone.
    (tmp_path / "lta.pdf").write_bytes(sign_as(pdfa, "leader", PadesLevel.B_LTA))
    code, out = run_cli(tmp_path, str(tmp_path / "lta.pdf"), *trust, "--etsi-xml")
    root = etree.fromstring(out)
    vr = "{http://uri.etsi.org/19102/v1.2.1#}"
    assert len(root.findall(f"{vr}SignatureValidationReport")) == 1
    indication = root.findtext(f".//{vr}MainIndication")
    assert code == 0 and indication == "urn:etsi:019102:mainindication:total-passed"


@pytest.mark.integration
@pytest.mark.parametrize(
    ("case", "needle_vi", "needle_en"),
    [
        ("garbage-trust", "không phải là chứng thư số", "not a valid PEM or DER certificate"),
        ("missing-trust", "Không đọc được tệp điểm tin cậy", "Cannot read the trust anchor file"),
        ("empty-trust", "không chứa chứng thư số nào", "holds no certificate"),
        ("output-in-missing-folder", "Không ghi được báo cáo", "Cannot write the report"),
        ("unknown-option-value", "", "Invalid value for '--revocation'"),
    ],
)
def test_cli_that_cannot_do_the_job_exits_3_and_says_why(
    tmp_path: Path, root_pem: Path, signed_pdf: bytes, case: str, needle_vi: str, needle_en: str
) -> None:
    """1 and 2 are verdicts (TOTAL_FAILED, INDETERMINATE): a failure of the command is 3."""
    good = tmp_path / "good.pdf"
    good.write_bytes(signed_pdf)
    (tmp_path / "garbage.pem").write_bytes(b"not a certificate")
    (tmp_path / "empty.pem").write_bytes(b"")
    args = {
        "garbage-trust": ["--trust", str(tmp_path / "garbage.pem")],
        "missing-trust": ["--trust", str(tmp_path / "missing.pem")],
        "empty-trust": ["--trust", str(tmp_path / "empty.pem")],
        "output-in-missing-folder": [
            "--trust",
            str(root_pem),
            "--json",
            "-o",
            str(tmp_path / "no-such-folder" / "report.json"),
        ],
        "unknown-option-value": ["--trust", str(root_pem), "--revocation", "sometimes"],
    }[case]
    env = {"EFORMS_DATA_DIR": str(tmp_path / "data")}
    result = CliRunner().invoke(cli, ["verify", str(good), *args], env=env)
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert result.exit_code == 3, result.output
    assert needle_vi in result.stderr and needle_en in result.stderr


@pytest.mark.integration
def test_etsi_xml_reports_a_broken_signature_with_the_json_verdict(
    tmp_path: Path, root_pem: Path, signed_pdf: bytes
) -> None:
    """A signature whose /Contents is zeros: one reading, both reports TOTAL_FAILED, exit 1."""
    path = tmp_path / "zero-contents.pdf"
    path.write_bytes(usf_zero_contents(signed_pdf))
    trust = ["--trust", str(root_pem)]
    json_code, out = run_cli(tmp_path, str(path), *trust, "--json")
    assert json.loads(out)["indication"] == "TOTAL_FAILED"
    xml_code, out = run_cli(tmp_path, str(path), *trust, "--etsi-xml")
    assert xml_code == json_code == 1
    vr = "{http://uri.etsi.org/19102/v1.2.1#}"
    reports = etree.fromstring(out).findall(f"{vr}SignatureValidationReport")
    assert len(reports) == 1
    status = reports[0].find(f"{vr}SignatureValidationStatus")
    assert status is not None
    assert status.findtext(f"{vr}MainIndication") == "urn:etsi:019102:mainindication:total-failed"
    assert status.findtext(f"{vr}SubIndication") == "urn:etsi:019102:subindication:FORMAT_FAILURE"


def _flip(data: bytes, pos: int) -> bytes:
    return data[:pos] + bytes([data[pos] ^ 1]) + data[pos + 1 :]


def big_pdf(size: int) -> bytes:
    """A valid PDF carrying ``size`` bytes of incompressible data in one stream."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    blob = pdf.make_stream(os.urandom(size))
    pdf.Root.BigData = blob
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.integration
def test_200_mb_pdf_in_bounded_time_and_memory(
    tmp_path: Path, root_pem: Path, sign_as: Callable[..., bytes]
) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(sign_as(big_pdf(200 * 1024 * 1024), "leader", PadesLevel.B_B))
    # The high-water mark of the verifying process itself (ru_maxrss of children
    # would include what the forked child inherited from this test process).
    wrapper = (
        "import atexit, sys\n"
        "def peak():\n"
        "    line = next(x for x in open('/proc/self/status') if x.startswith('VmHWM'))\n"
        "    sys.stderr.write('PEAK ' + line.split()[1] + '\\n')\n"
        "atexit.register(peak)\n"
        "from portal.cli import main\n"
        "main()\n"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", wrapper, "verify", str(path), "--trust", str(root_pem)],
        capture_output=True,
        timeout=300,
        env={**os.environ, "EFORMS_DATA_DIR": str(tmp_path / "data")},
    )
    elapsed = time.monotonic() - started
    peak_mb = int(result.stderr.decode().rsplit("PEAK ", 1)[1].split()[0]) / 1024
    print(f"200 MB PDF: exit {result.returncode} in {elapsed:.1f} s, peak RSS {peak_mb:.0f} MiB")
    assert result.returncode == 0, result.stderr.decode()
    assert elapsed < 120
    assert peak_mb < 1200


@pytest.mark.slow
@pytest.mark.integration
def test_500_signatures_in_bounded_time(signed_pdf: bytes, verify_trust: TrustStore) -> None:
    data = many_signatures(signed_pdf, 500)
    started = time.monotonic()
    report = verify_pdf(data, trust=verify_trust)
    elapsed = time.monotonic() - started
    print(f"500 signatures: {report.indication.value} in {elapsed:.1f} s")
    assert len(report.signatures) == 500
    assert report.indication is not Indication.TOTAL_PASSED
    assert elapsed < 240
    assert verify_pdf(data, trust=verify_trust, max_signatures=100).problems[0].code == "too_many"
