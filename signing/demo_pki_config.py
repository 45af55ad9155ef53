"""The certomancer configuration of the demo PKI, written in code.

Dates derive from the moment the PKI was created, so re-loading the same
keys re-issues byte-identical certificates. Leaf certificates carry
digitalSignature + nonRepudiation, an OCSP URL and a CRL distribution point;
``revoked`` is revoked an hour before creation, ``expired`` ended a year ago.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from signing.demo_identities import (
    ARCH,
    CA_LABELS,
    IDENTITIES,
    UNTRUSTED_ARCH,
    DemoIdentity,
    identity,
)


def _fmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _validity(start: datetime, end: datetime) -> dict[str, str]:
    return {"valid-from": _fmt(start), "valid-to": _fmt(end)}


def _key_usage(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


_CA_EXT = {"id": "basic_constraints", "critical": True, "value": {"ca": True}}
_REVINFO_EXTS = [
    {
        "id": "crl_distribution_points",
        "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": ["interm"]}},
    },
    {
        "id": "authority_information_access",
        "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names": ["interm"]}},
    },
]


def certomancer_config(
    *, base_url: str, created: datetime, token_keys: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The certomancer configuration, as a dict (dates derive from ``created``).

    ``token_keys``: labels of ``token`` identities whose public key is registered;
    the others are left out.
    """
    present = [i for i in IDENTITIES if i.key != "token" or i.label in token_keys]
    day, year = timedelta(days=1), timedelta(days=365)
    start = created - day
    keys = {lbl: {"path": f"{lbl}.key.pem"} for lbl in CA_LABELS}
    keys.update({i.label: _key_entry(i) for i in present})
    entities: dict[str, Any] = {
        "root": {"common-name": "eforms Demo Root CA"},
        "interm": {"common-name": "eforms Demo Issuing CA"},
        "ocsp": {"common-name": "eforms Demo OCSP Responder"},
        "tsa": {"common-name": "eforms Demo Time Stamping Authority"},
    }
    certs: dict[str, Any] = {
        "root": {
            "subject": "root",
            "issuer": "root",
            "authority-key": "root",
            "validity": _validity(start, created + 20 * year),
            "extensions": [_CA_EXT, _key_usage("digital_signature", "key_cert_sign", "crl_sign")],
        },
        "interm": {
            "issuer": "root",
            "validity": _validity(start, created + 10 * year),
            "extensions": [
                {
                    "id": "basic_constraints",
                    "critical": True,
                    "value": {"ca": True, "path-len-constraint": 0},
                },
                _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
        "ocsp": {
            "issuer": "interm",
            "validity": _validity(start, created + 10 * year),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                {"id": "ocsp_no_check"},
            ],
        },
        "tsa": {
            "issuer": "root",
            "validity": _validity(start, created + 10 * year),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                {
                    "id": "crl_distribution_points",
                    "smart-value": {
                        "schema": "crl-dist-url",
                        "params": {"crl-repo-names": ["root"]},
                    },
                },
            ],
        },
    }
    for ident in present:
        if ident.arch != ARCH:
            continue
        entities[ident.label] = _entity(ident)
        certs[ident.label] = _leaf_cert(ident, created=created)
    return {
        "external-url-prefix": base_url,
        "keysets": {"demo": {"keys": keys}},
        "pki-architectures": {
            ARCH: {
                "keyset": "demo",
                "entity-defaults": {"country-name": "VN"},
                "entities": entities,
                "certs": certs,
                "services": _services(),
            },
            UNTRUSTED_ARCH: _untrusted_arch(start, created),
        },
    }


def _key_entry(ident: DemoIdentity) -> dict[str, Any]:
    if ident.key == "token":
        return {"path": f"{ident.label}.pub.pem", "public-only": True}
    return {"path": f"{ident.label}.key.pem"}


def _entity(ident: DemoIdentity) -> dict[str, str]:
    entity = {"common-name": ident.common_name}
    if ident.organization:
        entity["organization-name"] = ident.organization
    if ident.title:
        entity["title"] = ident.title
    return entity


def _leaf_cert(ident: DemoIdentity, *, created: datetime) -> dict[str, Any]:
    day, year = timedelta(days=1), timedelta(days=365)
    if ident.status == "expired":
        validity = _validity(created - 2 * year, created - year)
    else:
        validity = _validity(created - day, created + 3 * year)
    # Seals (organisation certificates) and people alike sign documents:
    # digitalSignature + nonRepudiation (contentCommitment).
    cert: dict[str, Any] = {
        "issuer": "interm",
        "validity": validity,
        "extensions": [_key_usage("digital_signature", "non_repudiation"), *_REVINFO_EXTS],
    }
    if ident.status == "revoked":
        cert["revocation"] = {
            "revoked-since": _fmt(created - timedelta(hours=1)),
            "reason": "key_compromise",
        }
    return cert


def _services() -> dict[str, Any]:
    return {
        "ocsp": {
            # certomancer's default is a 10-minute nextUpdate; a week is closer to
            # real responders and keeps embedded B-LT data usable offline.
            "interm": {
                "for-issuer": "interm",
                "responder-cert": "ocsp",
                "signing-key": "ocsp",
                "validity-period": {"days": 7},
            }
        },
        "crl-repo": {
            "root": {
                "for-issuer": "root",
                "signing-key": "root",
                "simulated-update-schedule": "P90D",
            },
            "interm": {
                "for-issuer": "interm",
                "signing-key": "interm",
                "simulated-update-schedule": "P7D",
            },
        },
        "cert-repo": {"root": {"for-issuer": "root", "publish-issued-certs": True}},
        "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}},
    }


def _untrusted_arch(start: datetime, created: datetime) -> dict[str, Any]:
    year = timedelta(days=365)
    stranger = identity("stranger")
    return {
        "keyset": "demo",
        "entity-defaults": {"country-name": "VN"},
        "entities": {
            "xroot": {"common-name": "Unknown Root CA"},
            stranger.label: _entity(stranger),
        },
        "certs": {
            "xroot": {
                "subject": "xroot",
                "issuer": "xroot",
                "authority-key": "xroot",
                "validity": _validity(start, created + 20 * year),
                "extensions": [
                    _CA_EXT,
                    _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
                ],
            },
            stranger.label: {
                "issuer": "xroot",
                "validity": _validity(start, created + 3 * year),
                "extensions": [_key_usage("digital_signature", "non_repudiation")],
            },
        },
    }
