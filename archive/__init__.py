"""Archival packages under Circular 13/2023/TT-BNV: build, validate, ingest, retrieve, keep.

A closed dossier (:class:`~archive.record.DossierRecord`) is described
(:func:`~archive.metadata.describe`, 18 dossier items and 21 per document),
packaged as an E-ARK CSIP SIP (:func:`~archive.builder.build_package`),
checked (:func:`~archive.validation.validate_package`), and ingested as an
AIP into the object store under a retention lock
(:func:`~archive.ingest.ingest`). Retrieval logs every access
(:mod:`archive.access`), disposal needs two people and respects legal holds
(:mod:`archive.disposal`), and fixity audits prove the bytes unchanged
(:mod:`archive.fixity`). Signature re-verification goes through the
:class:`~archive.ports.SignatureVerifier` port.
"""

from archive.access import PackageSummary, Requester, retrieve_dip, retrieve_document, search
from archive.builder import BuiltPackage, build_package
from archive.codes import AccessMode, DocumentRole, RetentionCode, TrustLevel, retention_expiry
from archive.disposal import (
    approve_disposal,
    disposal_list,
    final_delete,
    lift_hold,
    place_hold,
    propose_disposal,
    restore_from_bin,
)
from archive.errors import ArchiveError, PackageRefusedError
from archive.fixity import FixityReport, run_fixity_audit
from archive.ingest import IngestResult, ingest
from archive.metadata import PackageMetadata, complete, describe
from archive.ports import SignatureVerifier, VerificationSummary
from archive.record import DocumentRecord, DossierRecord, load_record
from archive.validation import Problem, validate_package

__all__ = [
    "AccessMode",
    "ArchiveError",
    "BuiltPackage",
    "DocumentRecord",
    "DocumentRole",
    "DossierRecord",
    "FixityReport",
    "IngestResult",
    "PackageMetadata",
    "PackageRefusedError",
    "PackageSummary",
    "Problem",
    "Requester",
    "RetentionCode",
    "SignatureVerifier",
    "TrustLevel",
    "VerificationSummary",
    "approve_disposal",
    "build_package",
    "complete",
    "describe",
    "disposal_list",
    "final_delete",
    "ingest",
    "lift_hold",
    "load_record",
    "place_hold",
    "propose_disposal",
    "restore_from_bin",
    "retention_expiry",
    "retrieve_dip",
    "retrieve_document",
    "run_fixity_audit",
    "search",
    "validate_package",
]
