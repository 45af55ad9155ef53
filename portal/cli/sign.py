"""``eforms sign``: sign a PDF as a leader, officer or agency (PAdES B-B to B-LTA).

The key is the installation's (``EFORMS_SIGNING_BACKEND``): a demo identity, the key
of that label on the PKCS#11 token, or the remote credential of that user id.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask import Flask

from portal.cli.context import with_app
from portal.ops.instrumented import sign_document
from portal.services import services
from signing.demo_pki import DEMO_PIN
from signing.demo_services import DemoSigning
from signing.model import AppearanceKind, PadesLevel, UnknownStatusPolicy
from signing.pades import SignOptions


@click.command("sign")
@click.argument("input_pdf", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Signed PDF to write (only written when signing succeeds).",
)
@click.option(
    "--as",
    "identity_id",
    required=True,
    help="Who signs: a leader's user name or an agency id such as 000.00.00.H56 "
    "(demo: also citizen, officer, revoked/expired/weak/stranger).",
)
@click.option(
    "--level",
    type=click.Choice([lv.value for lv in PadesLevel]),
    default="B-LT",
    show_default=True,
    help="PAdES baseline level.",
)
@click.option(
    "--appearance",
    type=click.Choice([k.value for k in AppearanceKind]),
    default="none",
    show_default=True,
    help="Visible appearance (Decree 30/2020).",
)
@click.option(
    "--field", "field_name", default=None, help="Signature field name (default: next free)."
)
@click.option(
    "--pin",
    default=None,
    help=f"PIN of the key (demo: {DEMO_PIN}; PKCS#11: EFORMS_PKCS11_PIN unless given).",
)
@click.option(
    "--remote/--local",
    default=None,
    help="Demo only: sign through the CSC test server (default: citizens remote, others local).",
)
@click.option(
    "--unknown-status",
    type=click.Choice([p.value for p in UnknownStatusPolicy]),
    default="refuse",
    show_default=True,
    help="When the certificate status cannot be obtained: refuse or warn.",
)
@with_app
def sign(
    app: Flask,
    input_pdf: Path,
    output: Path,
    identity_id: str,
    level: str,
    appearance: str,
    field_name: str | None,
    pin: str | None,
    remote: bool | None,
    unknown_status: str,
) -> None:
    """Ký số tệp PDF / Sign a PDF; earlier signatures stay valid."""
    _check_output_folder(output)
    signing = services(app).signing.start()
    try:
        kind = AppearanceKind(appearance)
        if isinstance(signing, DemoSigning):
            signer = signing.signer(identity_id, pin=pin, remote=remote)
        elif remote is not None:
            raise click.BadParameter(
                "chỉ dùng với PKI demo. / only for the demo PKI.", param_hint="'--remote'"
            )
        else:
            signer = signing.signer(identity_id, pin=pin)
        result = sign_document(
            input_pdf.read_bytes(),
            signer=signer,
            trust=signing.trust(),
            options=SignOptions(
                level=PadesLevel(level),
                appearance=signing.appearance(identity_id, kind),
                field_name=field_name,
                unknown_status=UnknownStatusPolicy(unknown_status),
            ),
        )
    finally:
        signing.stop()
    _write_atomically(output, result.pdf)
    for warning in result.warnings:
        click.echo(f"Cảnh báo / Warning: {warning}", err=True)
    click.echo(
        f"Signed {output} as {result.check.subject} ({result.level.value}, "
        f"field {result.field_name})."
    )


def _check_output_folder(path: Path) -> None:
    """Refuse before signing (a signature costs OCSP and TSA requests) what cannot be written."""
    folder = path.parent
    if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
        return
    reason_vi, reason_en = (
        ("không ghi được vào thư mục", "the folder is not writable")
        if folder.is_dir()
        else ("thư mục không tồn tại", "the folder does not exist")
    )
    raise click.BadParameter(
        f"{reason_vi}: {folder}; hãy tạo thư mục hoặc chọn nơi khác. / "
        f"{reason_en}: {folder}; create it or choose another output path.",
        param_hint="'-o' / '--output'",
    )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename: never a half-written PDF."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def register(cli: click.Group) -> None:
    cli.add_command(sign)
