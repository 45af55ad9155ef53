"""A small remote signing service speaking the Cloud Signature Consortium API v2.

For tests and the demo only: citizens in the demo sign "remotely" through
it, exactly as they would through a real provider. It keeps keys in memory,
serves on loopback and implements what :mod:`signing.csc_client` uses:

- ``POST /oauth2/token`` (client credentials grant, form encoded);
- ``POST /csc/v2/info``;
- ``POST /csc/v2/credentials/list``, ``/credentials/info``,
  ``/credentials/authorize`` (PIN in ``authData``, returns a SAD bound to
  the hashes), ``/signatures/signHash``.

Errors follow the specification's shape: an HTTP status with
``{"error": ..., "error_description": ...}``. A wrong PIN answers 400
``invalid_request`` with the description "Invalid PIN".
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from asn1crypto import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from signing import csc_oids

API = "/csc/v2/"


@dataclass(frozen=True)
class Credential:
    """A key the service signs with on behalf of ``user_id`` after ``pin``.

    ``pin`` ``None``: the client's own authorisation is enough (implicit mode, SCAL1),
    as for an organisation's seal used by its server.
    """

    credential_id: str
    user_id: str
    key: PrivateKeyTypes
    certificates: tuple[x509.Certificate, ...]
    """The signer's certificate first, then its chain."""
    pin: str | None


@dataclass
class _State:
    clients: dict[str, str]
    credentials: dict[str, Credential]
    tokens: set[str] = field(default_factory=set)
    sads: dict[str, tuple[str, frozenset[bytes]]] = field(default_factory=dict)
    sign_hash_calls: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class CscError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


class CscTestServer:
    """The service on ``127.0.0.1``; a context manager. ``url`` is its base URL."""

    def __init__(
        self, *, clients: dict[str, str], credentials: list[Credential], port: int = 0
    ) -> None:
        self.state = _State(
            clients=dict(clients), credentials={c.credential_id: c for c in credentials}
        )
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def sign_hash_calls(self) -> int:
        """How many ``signatures/signHash`` requests were served (tests read it)."""
        return self.state.sign_hash_calls

    def start(self) -> CscTestServer:
        state = self.state

        class Handler(_Handler):
            pass

        Handler.state = state
        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="csc-test", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> CscTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    state: _State

    def setup(self) -> None:
        super().setup()
        # Avoid the Nagle + delayed-ACK stall between headers and body.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        """Quiet: tests and the demo do not need an access log."""

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            if self.path == "/oauth2/token":
                body = self._token(raw)
            elif self.path.startswith(API):
                method = self.path[len(API) :]
                params = json.loads(raw or b"{}")
                if method != "info":
                    self._check_bearer()
                body = _dispatch(self.state, method, params)
            else:
                raise CscError(404, "invalid_request", f"Unknown path {self.path}")
        except CscError as exc:
            self._send(exc.status, {"error": exc.error, "error_description": exc.description})
            return
        except (ValueError, KeyError, TypeError) as exc:
            self._send(400, {"error": "invalid_request", "error_description": str(exc)})
            return
        self._send(200, body)

    def _token(self, raw: bytes) -> dict[str, Any]:
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        if form.get("grant_type") != "client_credentials":
            raise CscError(400, "unsupported_grant_type", "Only client_credentials")
        if not client_id or self.state.clients.get(client_id) != secret:
            raise CscError(401, "invalid_client", "Unknown client or wrong secret")
        token = secrets.token_urlsafe(24)
        self.state.tokens.add(token)
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3600}

    def _check_bearer(self) -> None:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.state.tokens:
            raise CscError(401, "invalid_token", "Missing or unknown access token")

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _dispatch(state: _State, method: str, params: dict[str, Any]) -> dict[str, Any]:
    if method == "info":
        return {
            "specs": "2.0.0.2",
            "name": "eforms CSC test server",
            "region": "VN",
            "lang": "vi",
            "authType": ["oauth2client"],
            "methods": sorted(_METHODS),
        }
    handler = _METHODS.get(method)
    if handler is None:
        raise CscError(501, "not_implemented_method", f"Method {method} is not implemented")
    return handler(state, params)


def _list(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    user = params.get("userID")
    ids = [c.credential_id for c in state.credentials.values() if user in (None, c.user_id)]
    return {"credentialIDs": ids}


def _credential(state: _State, params: dict[str, Any]) -> Credential:
    cred = state.credentials.get(params.get("credentialID", ""))
    if cred is None:
        raise CscError(400, "invalid_request", "Invalid parameter credentialID")
    return cred


def _info(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    cred = _credential(state, params)
    leaf = cred.certificates[0]
    mode = params.get("certificates", "single")
    certs = {"single": cred.certificates[:1], "chain": cred.certificates, "none": ()}[mode]
    public = leaf.public_key
    key: dict[str, Any] = {
        "status": "enabled",
        "len": public.bit_size,
        "algo": csc_oids.sign_algos(public.algorithm),
    }
    if public.algorithm == "ec":
        key["curve"] = public.curve[1] if public.curve[0] == "named" else ""
    validity = leaf["tbs_certificate"]["validity"]
    return {
        "key": key,
        "cert": {
            "status": "valid",
            "certificates": [base64.b64encode(c.dump()).decode() for c in certs],
            "issuerDN": leaf.issuer.human_friendly,
            "subjectDN": leaf.subject.human_friendly,
            "serialNumber": format(leaf.serial_number, "x"),
            "validFrom": validity["not_before"].native.strftime("%Y%m%d%H%M%SZ"),
            "validTo": validity["not_after"].native.strftime("%Y%m%d%H%M%SZ"),
        },
        "auth": (
            {"mode": "implicit"}
            if cred.pin is None
            else {
                "mode": "explicit",
                "expression": "PIN",
                "objects": [{"type": "Password", "id": "PIN", "format": "N", "label": "PIN"}],
            }
        ),
        "SCAL": "SCAL1" if cred.pin is None else "SCAL2",
        "multisign": 1000,
        "lang": "vi",
    }


def _authorize(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    cred = _credential(state, params)
    pins = [a.get("value") for a in params.get("authData", []) if a.get("id") == "PIN"]
    if cred.pin is not None and (not pins or not secrets.compare_digest(str(pins[0]), cred.pin)):
        raise CscError(400, "invalid_request", "Invalid PIN")
    hashes_ = frozenset(base64.b64decode(h) for h in params.get("hashes", []))
    if len(hashes_) != int(params.get("numSignatures", len(hashes_))):
        raise CscError(400, "invalid_request", "numSignatures does not match hashes")
    sad = secrets.token_urlsafe(24)
    with state.lock:
        state.sads[sad] = (cred.credential_id, hashes_)
    return {"SAD": sad, "expiresIn": 300}


def _sign_hash(state: _State, params: dict[str, Any]) -> dict[str, Any]:
    cred = _credential(state, params)
    with state.lock:
        state.sign_hash_calls += 1
        bound = state.sads.pop(params.get("SAD", ""), None)
    hashes_ = [base64.b64decode(h) for h in params.get("hashes", [])]
    if bound is None or bound[0] != cred.credential_id or not set(hashes_) <= bound[1]:
        raise CscError(400, "invalid_request", "Invalid SAD for these hashes")
    digest = csc_oids.hash_for_oid(
        params.get("hashAlgorithmOID") or csc_oids.digest_of_sign_algo(params["signAlgo"])
    )
    return {
        "signatures": [base64.b64encode(_raw_sign(cred.key, h, digest)).decode() for h in hashes_]
    }


def _raw_sign(key: PrivateKeyTypes, digest_value: bytes, digest: hashes.HashAlgorithm) -> bytes:
    prehashed = utils.Prehashed(digest)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(digest_value, padding.PKCS1v15(), prehashed)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(digest_value, ec.ECDSA(prehashed))
    raise CscError(400, "invalid_request", "Unsupported key type")


_METHODS = {
    "credentials/list": _list,
    "credentials/info": _info,
    "credentials/authorize": _authorize,
    "signatures/signHash": _sign_hash,
}
