"""PAdES signing (ETSI EN 319 142) at levels B-B, B-T, B-LT and B-LTA.

:func:`sign_document` is what the portal, the command line and other
packages call: it takes PDF bytes and returns the signed PDF bytes as an
incremental update (earlier signatures stay valid). Before any signature the
signer's certificate is checked (:mod:`signing.certcheck`) and the key and
digest are held to the algorithm policy (:mod:`signing.policy`). Any failure
raises a :class:`~signing.errors.SigningError` and nothing is returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.signers import Signer as PyHankoSigner
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathValidationError, ValidationError

from signing import appearance as appearances
from signing import document
from signing.certcheck import check_signer_certificate
from signing.errors import (
    RevocationUnavailableError,
    SigningError,
    TimestampUnavailableError,
    UnsupportedPdfError,
)
from signing.model import (
    AppearanceKind,
    CertificateCheck,
    DigestAlgorithm,
    PadesLevel,
    SignedDocument,
    UnknownStatusPolicy,
)
from signing.policy import check_key
from signing.ports import Signer
from signing.trust import TrustSettings

T = TypeVar("T")


@dataclass(frozen=True)
class SignOptions:
    """How to sign; the defaults give an invisible B-B signature with SHA-256."""

    level: PadesLevel = PadesLevel.B_B
    appearance: appearances.Appearance | None = None
    field_name: str | None = None
    """Signature field to fill or create; ``None`` picks ``<appearance>_<n>``."""
    digest: DigestAlgorithm = DigestAlgorithm.SHA256
    unknown_status: UnknownStatusPolicy = UnknownStatusPolicy.REFUSE
    reason: str | None = None
    location: str | None = None


def sign_document(
    pdf: bytes, *, signer: Signer, trust: TrustSettings, options: SignOptions | None = None
) -> SignedDocument:
    """Sign ``pdf`` with ``signer`` and return the signed document.

    Raises ``UnsupportedPdfError`` (encrypted, damaged), ``FieldAlreadySignedError``,
    ``WrongPinError``, ``WeakAlgorithmError``, ``CertificateRevokedError``,
    ``CertificateExpiredError``, ``RevocationUnavailableError``,
    ``TimestampUnavailableError`` and other ``SigningError`` subclasses.
    """
    opts = options or SignOptions()
    with signer.open() as pyhanko_signer:
        return run(sign_with_open_signer(pdf, pyhanko_signer, trust=trust, options=opts))


async def sign_with_open_signer(
    pdf: bytes, pyhanko_signer: PyHankoSigner, *, trust: TrustSettings, options: SignOptions
) -> SignedDocument:
    """Like :func:`sign_document` with a key already unlocked (batches reuse one session)."""
    writer = document.open_for_signing(pdf)
    prepared = await prepare(writer, pyhanko_signer, trust=trust, options=options)
    pdf_signer = PdfSigner(
        prepared.metadata,
        signer=pyhanko_signer,
        timestamper=prepared.timestamper,
        stamp_style=prepared.stamp_style,
        new_field_spec=prepared.field_spec,
    )
    with translate_errors():
        output = await pdf_signer.async_sign_pdf(
            writer, appearance_text_params=prepared.text_params
        )
    return SignedDocument(
        pdf=output.getvalue(),
        field_name=prepared.metadata.field_name or "",
        level=options.level,
        check=prepared.check,
        warnings=prepared.check.warnings,
    )


@dataclass(frozen=True)
class Prepared:
    """Everything pyHanko needs for one signature, after the checks passed."""

    metadata: PdfSignatureMetadata
    field_spec: SigFieldSpec | None
    stamp_style: Any
    text_params: dict[str, str] | None
    timestamper: HTTPTimeStamper | None
    check: CertificateCheck
    context: ValidationContext


async def prepare(
    writer: IncrementalPdfFileWriter,
    pyhanko_signer: PyHankoSigner,
    *,
    trust: TrustSettings,
    options: SignOptions,
    certificate: x509.Certificate | None = None,
    known_check: CertificateCheck | None = None,
) -> Prepared:
    """Check the field, the algorithms and the certificate; build the signing metadata.

    ``known_check`` skips the certificate check already done for this batch.
    """
    cert = certificate or pyhanko_signer.signing_cert
    if cert is None:
        raise SigningError("Không có chứng thư số để ký.", "The signer has no certificate.")
    check_key(cert)
    kind = options.appearance.kind if options.appearance else AppearanceKind.NONE
    fields = document.signature_fields(writer)
    field_name = document.choose_field_name(fields, options.field_name, kind)
    chain = tuple(c for c in pyhanko_signer.cert_registry if c != cert)
    context = trust.validation_context()
    check = known_check or trust.status_cache.get(cert.sha256, trust.status_cache_seconds)
    if check is None:
        check = await check_signer_certificate(
            cert,
            chain=chain,
            context=context,
            unknown_status=options.unknown_status,
            soft_context=trust.validation_context(revocation_mode="soft-fail"),
        )
        if check.revocation_checked:
            trust.status_cache.put(cert.sha256, check)
    timestamper = trust.timestamper() if options.level.needs_timestamp else None
    metadata = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=options.digest.value,
        subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=options.level.needs_revocation_info,
        use_pades_lta=options.level is PadesLevel.B_LTA,
        validation_context=context if options.level.needs_revocation_info else None,
        reason=options.reason,
        location=options.location,
    )
    spec, style, params = _visible(writer, fields, field_name, options.appearance)
    return Prepared(metadata, spec, style, params, timestamper, check, context)


def _visible(
    writer: IncrementalPdfFileWriter,
    fields: list[document.ExistingField],
    field_name: str,
    appearance: appearances.Appearance | None,
) -> tuple[SigFieldSpec | None, Any, dict[str, str] | None]:
    if appearance is None or appearance.kind is AppearanceKind.NONE:
        return None, None, None
    if any(f.name == field_name for f in fields):
        # An empty field prepared in the form keeps its own rectangle.
        return (
            None,
            appearances.stamp_style(appearance, _field_box(fields, field_name)),
            {"text": appearance.text},
        )
    page = appearance.page % document.page_count(writer)
    box = appearances.place(
        appearance,
        page_size=document.page_size(writer, page),
        leader_box=document.leader_box_on(fields, page),
    )
    spec = SigFieldSpec(sig_field_name=field_name, on_page=page, box=box.as_tuple())
    return spec, appearances.stamp_style(appearance, box), {"text": appearance.text}


def _field_box(fields: list[document.ExistingField], name: str) -> appearances.Box:
    for f in fields:
        if f.name == name and f.box is not None:
            return f.box
    return appearances.Box(0, 0, 200, 100)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn pyHanko's and the network's exceptions into our bilingual errors."""
    try:
        yield
    except SigningError:
        raise
    except (TimestampRequestError, requests.Timeout) as exc:
        raise TimestampUnavailableError(
            "Không lấy được dấu thời gian từ dịch vụ TSA. Thử lại sau.",
            f"The timestamp authority did not answer ({exc}). Try again later.",
        ) from exc
    except (PathValidationError, ValidationError, requests.RequestException) as exc:
        raise RevocationUnavailableError(
            "Không thu thập được thông tin thu hồi để nhúng (mức B-LT). Thử lại sau.",
            f"Revocation data for B-LT could not be collected ({exc}). Try again later.",
        ) from exc
    except PdfError as exc:
        raise UnsupportedPdfError(
            "Không ghi được chữ ký vào tệp PDF này.",
            f"The signature could not be written into this PDF ({exc}).",
        ) from exc
    except PyHankoSigningError as exc:
        raise SigningError("Ký số không thành công.", f"Signing failed: {exc}.") from exc


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a signing coroutine from synchronous code (the portal and the CLI).

    When this thread already runs an event loop (a caller inside async code,
    or a library such as Playwright's sync API), the coroutine gets its own
    loop on a short-lived thread instead of failing.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="signing") as pool:
        return pool.submit(asyncio.run, coro).result()
