"""Remote signing over the Cloud Signature Consortium API v2 (adapter).

Implements :class:`~signing.ports.RemoteSigningService`. The service is
reached with an OAuth2 client-credentials token; a signature needs
``credentials/authorize`` (PIN in ``authData``, bound to the hashes) then one
``signatures/signHash`` for every hash of a batch. pyHanko's built-in CSC
signer speaks v1, whose request shapes differ; this module speaks v2.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
from asn1crypto import x509

from signing import csc_oids
from signing.errors import RemoteSigningError, WrongPinError
from signing.model import DigestAlgorithm
from signing.ports import RemoteCredential


@dataclass
class CscClient:
    """A CSC v2 service at ``base_url`` (``<base_url>/csc/v2/...``, ``/oauth2/token``)."""

    base_url: str
    client_id: str
    client_secret: str
    timeout: float = 10.0
    session: requests.Session = field(default_factory=requests.Session, repr=False)
    _token: str | None = field(default=None, repr=False)

    def list_credentials(self, user_id: str) -> list[str]:
        return list(self._call("credentials/list", {"userID": user_id})["credentialIDs"])

    def credential(self, credential_id: str) -> RemoteCredential:
        info = self._call(
            "credentials/info",
            {
                "credentialID": credential_id,
                "certificates": "chain",
                "certInfo": True,
                "authInfo": True,
            },
        )
        certs = [x509.Certificate.load(base64.b64decode(c)) for c in info["cert"]["certificates"]]
        if not certs:
            raise RemoteSigningError(
                "Dịch vụ ký từ xa không trả về chứng thư số.",
                f"The remote signing service returned no certificate for {credential_id}.",
            )
        leaf = certs[0]
        return RemoteCredential(
            credential_id=credential_id,
            certificate=leaf,
            chain=tuple(certs[1:]),
            key_algorithm=leaf.public_key.algorithm,
            key_bits=int(info["key"]["len"]),
        )

    def sign_digests(
        self,
        credential_id: str,
        digests: Sequence[bytes],
        *,
        digest: DigestAlgorithm,
        pin: str | None,
    ) -> list[bytes]:
        encoded = [base64.b64encode(d).decode() for d in digests]
        hash_oid = csc_oids.DIGEST_OIDS[digest]
        auth: dict[str, Any] = {
            "credentialID": credential_id,
            "numSignatures": len(digests),
            "hashes": encoded,
            "hashAlgorithmOID": hash_oid,
        }
        if pin is not None:
            auth["authData"] = [{"id": "PIN", "value": pin}]
        sad = self._call("credentials/authorize", auth)["SAD"]
        key_algorithm = self.credential(credential_id).key_algorithm
        result = self._call(
            "signatures/signHash",
            {
                "credentialID": credential_id,
                "SAD": sad,
                "hashes": encoded,
                "hashAlgorithmOID": hash_oid,
                "signAlgo": csc_oids.sign_algo(key_algorithm, digest),
            },
        )
        signatures = [base64.b64decode(s) for s in result["signatures"]]
        if len(signatures) != len(digests):
            raise RemoteSigningError(
                "Dịch vụ ký từ xa trả về sai số lượng chữ ký.",
                f"The remote service returned {len(signatures)} signatures for "
                f"{len(digests)} hashes.",
            )
        return signatures

    # -- transport ----------------------------------------------------------------
    def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        response = self._post(f"/csc/v2/{method}", json=params, auth=True)
        if response.status_code == 401 and self._token is not None:
            self._token = None  # expired token: fetch a new one once
            response = self._post(f"/csc/v2/{method}", json=params, auth=True)
        return self._parse(method, response)

    def _post(self, path: str, *, auth: bool, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self._access_token()}"} if auth else {}
        try:
            return self.session.post(
                self.base_url.rstrip("/") + path, headers=headers, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise RemoteSigningError(
                "Không kết nối được dịch vụ ký số từ xa. Thử lại sau.",
                f"Cannot reach the remote signing service at {self.base_url} ({exc}).",
            ) from exc

    def _access_token(self) -> str:
        if self._token is None:
            response = self._post(
                "/oauth2/token",
                auth=False,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                },
            )
            self._token = str(self._parse("oauth2/token", response)["access_token"])
        return self._token

    def _parse(self, method: str, response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.ok and isinstance(body, dict):
            return body
        error = body.get("error", "") if isinstance(body, dict) else ""
        description = body.get("error_description", "") if isinstance(body, dict) else ""
        if method == "credentials/authorize" and "pin" in description.lower():
            raise WrongPinError(
                "Mã PIN ký số từ xa không đúng. Kiểm tra lại và thử lại.",
                "The remote signing PIN is wrong. Check it and try again.",
            )
        raise RemoteSigningError(
            f"Dịch vụ ký số từ xa báo lỗi ({method}): {description or response.status_code}.",
            f"The remote signing service refused {method}: HTTP {response.status_code} "
            f"{error} {description}".strip()
            + ".",
            details={"method": method, "status": response.status_code, "error": error},
        )
