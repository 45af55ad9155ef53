"""A minimal OpenID Connect provider on loopback, standing in for the national
identity platform: authorization code flow, RS256 ID tokens, JWKS, userinfo.

It approves every authorization request as the one configured person.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, abort, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from tests.harness.net import free_port


@dataclass
class OIDCProvider:
    client_id: str
    client_secret: str
    person: dict[str, Any]
    port: int = field(default_factory=free_port)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def build_app(self) -> Flask:
        app = Flask("oidc-provider")

        @app.get("/.well-known/openid-configuration")
        def metadata() -> Any:
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                userinfo_endpoint=f"{self.issuer}/userinfo",
                jwks_uri=f"{self.issuer}/jwks",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            )

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize() -> Any:
            if request.args.get("client_id") != self.client_id:
                abort(400)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "nonce": request.args.get("nonce"),
                "redirect_uri": request.args["redirect_uri"],
            }
            query = urlencode({"code": code, "state": request.args.get("state", "")})
            return redirect(f"{request.args['redirect_uri']}?{query}")

        @app.post("/token")
        def token() -> Any:
            auth = request.authorization
            client_id = auth.username if auth else request.form.get("client_id")
            secret = auth.password if auth else request.form.get("client_secret")
            if (client_id, secret) != (self.client_id, self.client_secret):
                return jsonify(error="invalid_client"), 401
            grant = self.codes.pop(request.form.get("code", ""), None)
            if grant is None:
                return jsonify(error="invalid_grant"), 400
            now = int(time.time())
            claims = {
                "iss": self.issuer,
                "aud": self.client_id,
                "iat": now,
                "exp": now + 300,
                "nonce": grant["nonce"],
                **self.person,
            }
            id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)
            access = secrets.token_urlsafe(16)
            self.tokens[access] = self.person
            return jsonify(
                access_token=access, token_type="Bearer", expires_in=300, id_token=id_token
            )

        @app.get("/userinfo")
        def userinfo() -> Any:
            header = request.headers.get("Authorization", "")
            person = self.tokens.get(header.removeprefix("Bearer "))
            if person is None:
                abort(401)
            return jsonify(person)

        return app


class RunningProvider:
    """Serve an :class:`OIDCProvider` in a thread until ``stop()``."""

    def __init__(self, provider: OIDCProvider) -> None:
        self.provider = provider
        self.server = make_server("127.0.0.1", provider.port, provider.build_app(), threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)
