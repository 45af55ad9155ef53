"""``eforms verify``: verify every signature of a PDF; the exit code is the verdict.

Exit codes: 0 TOTAL_PASSED, 1 TOTAL_FAILED, 2 INDETERMINATE or no signature,
3 when the job cannot be done (input missing, not a PDF, damaged, too large;
a trust file that cannot be read; a report that cannot be written; a wrong
command line). Codes 1 and 2 are verdicts, so no error of the command itself
may end with them, not even click's usage errors (normally 2).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import Flask

from portal.cli.context import with_app
from portal.ops.metrics import VERIFICATION_REFUSED, VERIFICATIONS
from portal.services import services
from signing.validation import (
    Indication,
    RevocationPolicy,
    TrustAnchorError,
    TrustStore,
    VerificationInputError,
    VerificationReport,
    Verifier,
    etsi_xml_report,
    open_pdf,
    render_html,
    render_pdf,
    report_json,
    verify_pdf,
)
from signing.validation.wording import INDICATIONS

EXIT_CODES = {Indication.TOTAL_PASSED: 0, Indication.TOTAL_FAILED: 1, Indication.INDETERMINATE: 2}
EXIT_UNREADABLE = 3


class _VerifyCommand(click.Command):
    """A wrong command line also exits 3: exit 2 would read as an INDETERMINATE verdict."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            exc.exit_code = EXIT_UNREADABLE
            raise


@click.command("verify", cls=_VerifyCommand)
@click.argument("input_pdf", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--trust",
    "trust_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
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
    or no signature, 3 the verification could not be done (unreadable input or
    trust file, report not writable).
    """
    verifier = services(app).verifier
    trust = _trust(trust_files, verifier)
    policy = RevocationPolicy(revocation) if revocation else verifier.revocation
    try:
        data = input_pdf.read_bytes()
    except OSError as exc:
        _fail(
            f"Không đọc được tệp {input_pdf}: {exc.strerror}.", f"Cannot read {input_pdf}: {exc}."
        )
    try:
        pdf = open_pdf(data, max_bytes=verifier.max_bytes)
        report = verify_pdf(pdf, trust=trust, revocation=policy)
        VERIFICATIONS.labels(report.indication.value).inc()
        # The XML is made from the same reading: its signatures are the report's.
        body = (
            etsi_xml_report(pdf, trust=trust, revocation=policy)
            if fmt == "etsi-xml"
            else _render(report, fmt)
        )
    except VerificationInputError as exc:
        VERIFICATIONS.labels(VERIFICATION_REFUSED).inc()
        _fail(exc.message_vi, exc.message_en)
    _write(body, output)
    sys.exit(EXIT_CODES[report.indication])


def _render(report: VerificationReport, fmt: str | None) -> bytes:
    if fmt == "json":
        return report_json(report).encode()
    if fmt == "html":
        return render_html(report).encode()
    if fmt == "pdf":
        return render_pdf(report)
    return _summary(report).encode()


def _trust(paths: tuple[Path, ...], verifier: Verifier) -> TrustStore:
    """The anchors in ``paths``, else the configured ones; unusable anchors end with exit 3."""
    try:
        return TrustStore.from_pem_files(paths) if paths else verifier.trust
    except TrustAnchorError as exc:
        _fail(exc.message_vi, exc.message_en)


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
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        _fail(
            f"Không ghi được báo cáo vào {output}: {exc.strerror}. "
            "Hãy kiểm tra thư mục có tồn tại và có quyền ghi.",
            f"Cannot write the report to {output}: {exc.strerror}. "
            "Check that the folder exists and is writable.",
        )


def _fail(message_vi: str, message_en: str) -> NoReturn:
    click.echo(f"Lỗi / Error: {message_vi}\n  {message_en}", err=True)
    sys.exit(EXIT_UNREADABLE)


def register(cli: click.Group) -> None:
    cli.add_command(verify_command)
