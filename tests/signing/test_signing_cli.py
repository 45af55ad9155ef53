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


def test_sign_into_a_missing_folder_is_refused_before_signing(pdfa, tmp_path):
    app = create_app(
        Settings(data_dir=tmp_path / "data", pki_port=0, secret_key="test-secret-not-used")
    )
    source = tmp_path / "form.pdf"
    source.write_bytes(pdfa)
    out = tmp_path / "missing" / "signed.pdf"

    result = CliRunner().invoke(
        cli, ["sign", str(source), "-o", str(out), "--as", "leader"], obj=app
    )

    assert result.exit_code == 2, result.output
    assert "thư mục không tồn tại" in result.output
    assert "the folder does not exist" in result.output and "Traceback" not in result.output
    assert not out.parent.exists()
    # Refused before anything was signed: the demo PKI was not even created.
    assert not DemoPKI.present(tmp_path / "data")


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


@pytest.mark.integration
@pytest.mark.slow
def test_pki_serve_answers_crl_requests(tmp_path):
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        **os.environ,
        "EFORMS_DATA_DIR": str(tmp_path / "data"),
        "EFORMS_PKI_PORT": str(port),
        "EFORMS_SECRET_KEY": "test-secret-not-used",
    }
    cli_path = [sys.executable, "-c", "from portal.cli import main; main()"]
    subprocess.run(
        [*cli_path, "pki", "init"], env=env, check=True, capture_output=True, timeout=120
    )
    server = subprocess.Popen(
        [*cli_path, "pki", "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        url = f"http://127.0.0.1:{port}/eforms-demo/crls/interm/latest.crl"
        deadline = time.monotonic() + 60
        while True:
            try:
                response = requests.get(url, timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "eforms pki serve did not start"
                assert server.poll() is None, server.stderr.read().decode()
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/pkix-crl")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
        server.stderr.close()
