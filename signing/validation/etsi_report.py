"""The ETSI TS 119 102-2 XML validation report, for machine consumers.

pyHanko runs its AdES long-term validation (EN 319 102-1 § 5.6.3) on each
signature and writes one report per signature (its ``report`` module is
marked incubating); this module merges them into one ``ValidationReport``
for the document. Document timestamps are covered through the signatures'
long-term validation, as pyHanko treats them as the evidence record.
"""

from __future__ import annotations

import io

from lxml import etree
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.report.tools import generate_report
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from pyhanko_certvalidator.policy_decl import LEGACY_POLICY_MAP, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from signing.validation.errors import UnreadablePdfError
from signing.validation.model import RevocationPolicy
from signing.validation.trust_store import TrustStore
from signing.validation.verifier import run_async

VR_NS = "http://uri.etsi.org/19102/v1.2.1#"


def etsi_xml_report(
    data: bytes, *, trust: TrustStore, revocation: RevocationPolicy = RevocationPolicy.BOTH
) -> bytes:
    """One ETSI TS 119 102-2 ``ValidationReport`` (UTF-8 XML) for every signature in ``data``."""
    try:
        reader = PdfFileReader(io.BytesIO(data))
        signatures = [
            s for s in reader.embedded_signatures if s.sig_object.get("/Type") != "/DocTimeStamp"
        ]
    except (PdfError, SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        raise UnreadablePdfError(
            f"Không đọc được tệp PDF: {exc}.", f"The PDF cannot be read: {exc}."
        ) from exc
    spec = _spec(trust, revocation)
    reports = [
        generate_report(sig, run_async(ades_lta_validation(sig, spec))) for sig in signatures
    ]
    return _merge(reports)


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
            ),
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
