"""The algorithm policy: which keys and digests may sign.

From the 2025 circular on signature formats (see DOMAIN.md): RSA of at least
2048 bits (PKCS#1 v1.5 or PSS), ECDSA of at least 256 bits, and SHA-2 or
SHA-3 digests. Anything else is refused before a signature is made.
"""

from __future__ import annotations

from asn1crypto import x509

from signing.errors import WeakAlgorithmError
from signing.model import DigestAlgorithm

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256


def check_key(cert: x509.Certificate) -> None:
    """Refuse a certificate whose public key is weaker than the rules allow."""
    key = cert.public_key
    algo = key.algorithm
    bits = key.bit_size
    if algo == "rsa" and bits >= MIN_RSA_BITS:
        return
    if algo == "ec" and bits >= MIN_EC_BITS:
        return
    raise WeakAlgorithmError(
        f"Khóa {algo.upper()} {bits} bit của chứng thư '{display_name(cert)}' "
        f"không được phép: cần RSA >= {MIN_RSA_BITS} bit hoặc ECDSA >= {MIN_EC_BITS} bit.",
        f"The {algo.upper()} {bits}-bit key of '{display_name(cert)}' is not "
        f"allowed: RSA >= {MIN_RSA_BITS} bits or ECDSA >= {MIN_EC_BITS} bits is required.",
        details={"algorithm": algo, "bits": bits},
    )


def check_digest(name: str) -> DigestAlgorithm:
    """The allowed digest called ``name`` (``sha256``, ``sha3_256``, ...) or an error."""
    normalized = name.lower().replace("-", "").replace("_", "")
    for digest in DigestAlgorithm:
        if digest.value.replace("_", "") == normalized:
            return digest
    allowed = ", ".join(d.value for d in DigestAlgorithm)
    raise WeakAlgorithmError(
        f"Thuật toán băm '{name}' không được phép; dùng một trong: {allowed}.",
        f"Digest algorithm '{name}' is not allowed; use one of: {allowed}.",
        details={"digest": name},
    )


def display_name(cert: x509.Certificate) -> str:
    """The certificate's common name (the whole subject when it has none)."""
    common_name = cert.subject.native.get("common_name")
    return str(common_name) if common_name else cert.subject.human_friendly
