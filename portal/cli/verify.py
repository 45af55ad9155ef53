"""``eforms verify``: verify every signature of a PDF; the exit code is the verdict.

Exit codes: 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE or no signature,
3 unreadable input (missing file, not a PDF, damaged, too large).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask

from portal.cli.context import with_app
from portal.ops.instrumented import ObservedVerifier
from portal.services import services
from signing.validation import (
    Indication,
    RevocationPolicy,
    TrustStore,
    VerificationInputError,
    VerificationReport,
    etsi_xml_report,
    render_html,
    render_pdf,
    report_json,
)
from signing.validation.wording import INDICATIONS

EXIT_CODES = {Indication.TOTAL_PASSED: 0, Indication.TOTAL_FAILED: 1, Indication.INDETERMINATE: 2}
EXIT_UNREADABLE = 3


@click.command("verify")
@click.argument("input_pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    "trust_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="PEM or DER file of a trust anchor (repeatable). "
    "Default: EFORMS_VERIFY_TRUST_ROOTS, else the demo PKI's root.",
)
@click.option(
    "--revocation",
    type=click.Choice([p.value for p in RevocationPolicy]),
    default=None,
    help="Certificate status from the document only, online only, or both "
    "(default: EFORMS_VERIFY_REVOCATION, 'both').",
)
@click.option("--json", "fmt", flag_value="json", help="Write the JSON report.")
@click.option("--html", "fmt", flag_value="html", help="Write the HTML report.")
@click.option("--pdf", "fmt", flag_value="pdf", help="Write the PDF report.")
@click.option(
    "--etsi-xml", "fmt", flag_value="etsi-xml", help="Write the ETSI TS 119 102-2 XML report."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write the report to (default: standard output).",
)
@with_app
def verify_command(
    app: Flask,
    input_pdf: Path,
    trust_files: tuple[Path, ...],
    revocation: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Kiểm tra mọi chữ ký số trong tệp PDF. / Verify every signature in a PDF.

    Exit code: 0 valid (TOTAL_PASSED), 1 invalid (TOTAL_FAILED), 2 indeterminate
    or no signature, 3 unreadable input.
    """
    verifier = services(app).verifier
    trust = TrustStore.from_pem_files(trust_files) if trust_files else verifier.trust
    policy = RevocationPolicy(revocation) if revocation else verifier.revocation
    checker = ObservedVerifier(lambda: trust, revocation=policy, max_bytes=verifier.max_bytes)
    try:
        data = input_pdf.read_bytes()
        report = checker.verify(data)
        if fmt == "etsi-xml":
            _write(etsi_xml_report(data, trust=trust, revocation=policy), output)
    except OSError as exc:
        _fail(
            f"Không đọc được tệp {input_pdf}: {exc.strerror}.", f"Cannot read {input_pdf}: {exc}."
        )
    except VerificationInputError as exc:
        _fail(exc.message_vi, exc.message_en)
    if fmt == "json":
        _write(report_json(report).encode(), output)
    elif fmt == "html":
        _write(render_html(report).encode(), output)
    elif fmt == "pdf":
        _write(render_pdf(report), output)
    elif fmt is None:
        _write(_summary(report).encode(), output)
    sys.exit(EXIT_CODES[report.indication])


def _summary(report: VerificationReport) -> str:
    vi, en = INDICATIONS[report.indication]
    sub = f" / {report.subindication.value}" if report.subindication else ""
    lines = [f"{report.indication.value}{sub}: {vi} / {en}"]
    lines += [f"  {p.message_vi} / {p.message_en}" for p in report.problems]
    for sig in report.signatures:
        sig_sub = f" / {sig.subindication.value}" if sig.subindication else ""
        who = sig.signer.subject if sig.signer else "?"
        lines.append(
            f"- {sig.field_name} [{sig.kind.value}] {sig.indication.value}{sig_sub}: {who}"
        )
        lines += [f"    {p.message_vi} / {p.message_en}" for p in sig.problems]
    return "\n".join(lines) + "\n"


def _write(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)


def _fail(message_vi: str, message_en: str) -> NoReturn:
    click.echo(f"Lỗi / Error: {message_vi}\n  {message_en}", err=True)
    sys.exit(EXIT_UNREADABLE)


def register(cli: click.Group) -> None:
    cli.add_command(verify_command)
