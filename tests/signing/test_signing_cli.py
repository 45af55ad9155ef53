"""``eforms pki`` and ``eforms sign`` through click, on a temporary data dir."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from portal import create_app
from portal.cli import cli
from portal.settings import Settings
from signing.demo_pki import DemoPKI
from signing.model import PadesLevel


@pytest.fixture(scope="module")
def cli_app(tmp_path_factory):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data_dir = tmp_path_factory.mktemp("cli-data")
    return create_app(Settings(data_dir=data_dir, pki_port=port, secret_key="test-secret-not-used"))


def invoke(app, *args):
    return CliRunner().invoke(
        cli, list(args), obj=app, catch_exceptions=False, standalone_mode=False
    )


@pytest.mark.integration
def test_pki_init_and_root_export(cli_app, tmp_path):
    result = invoke(cli_app, "pki", "init")
    assert "--as 000.00.00.H56" in result.output

    invoke(cli_app, "pki", "root", "-o", str(tmp_path / "root.pem"))

    pki = DemoPKI.load_or_create(cli_app.extensions["eforms"].settings.data_dir)
    assert (tmp_path / "root.pem").read_bytes() == pki.root_pem()


@pytest.mark.integration
def test_sign_chain_citizen_leader_seal(cli_app, pdfa, tmp_path, check_pdfsig):
    source = tmp_path / "form.pdf"
    source.write_bytes(pdfa)
    steps = [
        ("citizen", "none", "B-T"),
        ("leader", "leader", "B-LT"),
        ("000.00.00.H56", "seal", "B-LTA"),
    ]
    current = source
    for who, appearance, level in steps:
        out = tmp_path / f"{who}.pdf"
        result = invoke(
            cli_app,
            "sign",
            str(current),
            "-o",
            str(out),
            "--as",
            who,
            "--level",
            level,
            "--appearance",
            appearance,
        )
        assert "Signed" in result.output
        current = out

    pki = DemoPKI.load_or_create(cli_app.extensions["eforms"].settings.data_dir)
    check_pdfsig(current.read_bytes(), 3)
    _assert_trusted(current.read_bytes(), pki, PadesLevel.B_LTA)


@pytest.mark.integration
def test_sign_error_writes_nothing(cli_app, pdfa, tmp_path):
    from signing.errors import CertificateRevokedError

    source = tmp_path / "form.pdf"
    source.write_bytes(pdfa)
    out = tmp_path / "never.pdf"
    with pytest.raises(CertificateRevokedError):
        invoke(cli_app, "sign", str(source), "-o", str(out), "--as", "revoked")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["form.pdf"]


def _assert_trusted(pdf: bytes, pki: DemoPKI, level: PadesLevel) -> None:
    import io

    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    from signing.pki_server import PkiServer

    reader = PdfFileReader(io.BytesIO(pdf))
    sigs = [s for s in reader.embedded_signatures if s.sig_object.get("/Type") != "/DocTimeStamp"]
    assert len(sigs) == 3
    with PkiServer(pki):  # the command stopped its own services on exit
        for sig in sigs:
            status = validate_pdf_signature(sig, pki.validation_context())
            assert status.bottom_line, status.pretty_print_details()
