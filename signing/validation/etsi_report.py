"""The ETSI TS 119 102-2 XML validation report, for machine consumers.

pyHanko runs its AdES long-term validation (EN 319 102-1 § 5.6.3) on each
signature and writes one report per signature (its ``report`` module is
marked incubating); this module merges them into one ``ValidationReport``
for the document. Document timestamps are covered through the signatures'
long-term validation, as pyHanko treats them as the evidence record.

The signatures are those :func:`signing.validation.open_pdf` collected, the
same the JSON report covers: a signature that cannot be parsed, or whose
validation raises, gets a report of its own (TOTAL_FAILED / FORMAT_FAILURE,
or INDETERMINATE / GENERIC) instead of making the whole XML fail.
"""

from __future__ import annotations

from lxml import etree
from pyhanko.generated.etsi import ts_11910202 as vr
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.report.tools import NAMESPACES, generate_report
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.policy_decl import LEGACY_POLICY_MAP, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig

from signing.validation.model import RevocationPolicy
from signing.validation.pdf_input import (
    BrokenSignature,
    OpenedPdf,
    Signature,
    field_name,
    open_pdf,
)
from signing.validation.trust_store import TrustStore
from signing.validation.verifier import DEFAULT_MAX_SIGNATURES, run_async

VR_NS = "http://uri.etsi.org/19102/v1.2.1#"
FORMAT_ERRORS = (PdfError, SignatureValidationError, ValueError, KeyError, TypeError, IndexError)


def etsi_xml_report(
    data: bytes | OpenedPdf,
    *,
    trust: TrustStore,
    revocation: RevocationPolicy = RevocationPolicy.BOTH,
    max_signatures: int = DEFAULT_MAX_SIGNATURES,
) -> bytes:
    """One ETSI TS 119 102-2 ``ValidationReport`` (UTF-8 XML) for every signature in ``data``.

    ``data`` is the PDF or what :func:`open_pdf` read from it (the command
    line reads once for both reports). Raises :class:`UnreadablePdfError`
    only when the file itself cannot be read; above ``max_signatures`` the
    report lists none (the JSON report says why).
    """
    pdf = data if isinstance(data, OpenedPdf) else open_pdf(data)
    signatures = [
        (index, sig)
        for index, sig in enumerate(pdf.signatures)
        if not (isinstance(sig, EmbeddedPdfSignature) and _is_document_timestamp(sig))
    ]
    if len(pdf.signatures) > max_signatures:
        signatures = []
    spec = _spec(trust, revocation)
    return _merge([_one_report(sig, index, spec) for index, sig in signatures])


def _is_document_timestamp(sig: EmbeddedPdfSignature) -> bool:
    return sig.sig_object.get("/Type") == "/DocTimeStamp"


def _one_report(sig: Signature, index: int, spec: PdfSignatureValidationSpec) -> str:
    if isinstance(sig, BrokenSignature):
        return _failed_report(field_name(sig, index), "FORMAT_FAILURE", sig.error)
    try:
        return generate_report(sig, run_async(ades_lta_validation(sig, spec)))
    except FORMAT_ERRORS as exc:
        return _failed_report(field_name(sig, index), "FORMAT_FAILURE", exc)
    except Exception as exc:  # noqa: BLE001 - reported as INDETERMINATE with its cause; never a pass
        return _failed_report(field_name(sig, index), "GENERIC", exc)


def _failed_report(name: str, subindication: str, exc: Exception) -> str:
    """A ``SignatureValidationReport`` for a signature pyHanko could not report on."""
    main = "total-failed" if subindication == "FORMAT_FAILURE" else "indeterminate"
    reason = vr.TypedDataType(
        type_value="urn:eforms:verification:reason", value=f"{type(exc).__name__}: {exc}"[:300]
    )
    report = vr.ValidationReport(
        signature_validation_report=(
            vr.SignatureValidationReportType(
                signature_identifier=vr.SignatureIdentifierType(
                    hash_only=False, doc_hash_only=False, daidentifier=name
                ),
                signature_validation_process=vr.SignatureValidationProcessType(
                    signature_validation_process_id="urn:etsi:019102:validationprocess:Basic"
                ),
                signature_validation_status=vr.ValidationStatusType(
                    main_indication=f"urn:etsi:019102:mainindication:{main}",
                    sub_indication=(f"urn:etsi:019102:subindication:{subindication}",),
                    associated_validation_report_data=(
                        vr.ValidationReportDataType(
                            additional_validation_report_data=vr.AdditionalValidationReportDataType(
                                report_data=(reason,)
                            )
                        ),
                    ),
                ),
            ),
        ),
    )
    return XmlSerializer(config=SerializerConfig(indent="  ")).render(report, ns_map=NAMESPACES)


def _spec(trust: TrustStore, revocation: RevocationPolicy) -> PdfSignatureValidationSpec:
    rule = {
        RevocationPolicy.EMBEDDED: RevinfoOnlineFetchingRule.LOCAL_ONLY,
        RevocationPolicy.ONLINE: RevinfoOnlineFetchingRule.ALWAYS_FETCH,
        RevocationPolicy.BOTH: RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH,
    }[revocation]
    cert_policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=list(trust.roots)),
        revinfo_policy=CertRevTrustPolicy(LEGACY_POLICY_MAP["hard-fail"]),
    )
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=cert_policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=rule,
                fetcher_backend=RequestsFetcherBackend(per_request_timeout=trust.timeout),
                # Never follow certificate URLs written in the file (SSRF): see TrustStore.
                certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
            ),
            local_knowledge=LocalKnowledge(known_certs=list(trust.intermediates)),
        )
    )


def _merge(reports: list[str]) -> bytes:
    """Signature reports and validation objects of all reports under the first root."""
    vr = f"{{{VR_NS}}}"
    if not reports:
        root = etree.Element(f"{vr}ValidationReport", nsmap={"vr": VR_NS})
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(reports[0].encode(), parser)
    objects = root.find(f"{vr}SignatureValidationObjects")
    seen = {el.get("id") for el in root.iter(f"{vr}ValidationObject")}
    for text in reports[1:]:
        other = etree.fromstring(text.encode(), parser)
        for sig_report in other.findall(f"{vr}SignatureValidationReport"):
            anchor = objects if objects is not None else None
            if anchor is not None:
                anchor.addprevious(sig_report)
            else:
                root.append(sig_report)
        for obj in list(other.iter(f"{vr}ValidationObject")):
            if obj.get("id") not in seen and objects is not None:
                seen.add(obj.get("id"))
                objects.append(obj)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
