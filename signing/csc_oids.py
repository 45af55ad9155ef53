"""Object identifiers the CSC API uses for digests and signature algorithms."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes

from signing.model import DigestAlgorithm

DIGEST_OIDS = {
    DigestAlgorithm.SHA256: "2.16.840.1.101.3.4.2.1",
    DigestAlgorithm.SHA384: "2.16.840.1.101.3.4.2.2",
    DigestAlgorithm.SHA512: "2.16.840.1.101.3.4.2.3",
    DigestAlgorithm.SHA3_256: "2.16.840.1.101.3.4.2.8",
    DigestAlgorithm.SHA3_384: "2.16.840.1.101.3.4.2.9",
    DigestAlgorithm.SHA3_512: "2.16.840.1.101.3.4.2.10",
}
RSA_ENCRYPTION = "1.2.840.113549.1.1.1"
"""rsaEncryption: PKCS#1 v1.5 with the digest named by ``hashAlgorithmOID``."""
RSA_WITH = {
    DigestAlgorithm.SHA256: "1.2.840.113549.1.1.11",
    DigestAlgorithm.SHA384: "1.2.840.113549.1.1.12",
    DigestAlgorithm.SHA512: "1.2.840.113549.1.1.13",
}
ECDSA_WITH = {
    DigestAlgorithm.SHA256: "1.2.840.10045.4.3.2",
    DigestAlgorithm.SHA384: "1.2.840.10045.4.3.3",
    DigestAlgorithm.SHA512: "1.2.840.10045.4.3.4",
}
_HASHES = {
    DigestAlgorithm.SHA256: hashes.SHA256,
    DigestAlgorithm.SHA384: hashes.SHA384,
    DigestAlgorithm.SHA512: hashes.SHA512,
    DigestAlgorithm.SHA3_256: hashes.SHA3_256,
    DigestAlgorithm.SHA3_384: hashes.SHA3_384,
    DigestAlgorithm.SHA3_512: hashes.SHA3_512,
}


def sign_algo(key_algorithm: str, digest: DigestAlgorithm) -> str:
    """The ``signAlgo`` OID for a key (``rsa`` or ``ec``) and a digest."""
    if key_algorithm == "ec":
        return ECDSA_WITH[digest]
    return RSA_ENCRYPTION


def sign_algos(key_algorithm: str) -> list[str]:
    """Every ``signAlgo`` a key of this kind supports (``credentials/info``)."""
    if key_algorithm == "ec":
        return list(ECDSA_WITH.values())
    return [RSA_ENCRYPTION, *RSA_WITH.values()]


def digest_of_sign_algo(oid: str) -> str:
    """The digest OID implied by a combined ``signAlgo`` such as sha256WithRSA."""
    for table in (RSA_WITH, ECDSA_WITH):
        for digest, value in table.items():
            if value == oid:
                return DIGEST_OIDS[digest]
    raise ValueError(f"signAlgo {oid} needs hashAlgorithmOID")


def hash_for_oid(oid: str) -> hashes.HashAlgorithm:
    for digest, value in DIGEST_OIDS.items():
        if value == oid:
            return _HASHES[digest]()
    raise ValueError(f"Unsupported hashAlgorithmOID {oid}")
