"""Retention expiry, disposal and legal holds.

Steps, each with its own audit event: the disposal list (expired packages);
a proposal by an archivist fixing the eligible packages (expired, schedule
action ``destroy``, no active hold); approval by a second person with the
decision reference, which moves them to the disposal bin; from the bin a
package is restored or finally deleted. Final deletion removes the content
from the object store (which itself refuses while a COMPLIANCE lock or a
legal hold lasts) and keeps a tombstone forever. Legal holds (title,
mandate) are set on the objects too, so the store blocks deletion as well.
"""

from archive.disposal.deletion import final_delete
from archive.disposal.holds import lift_hold, place_hold
from archive.disposal.steps import (
    DisposalCandidate,
    Proposal,
    approve_disposal,
    disposal_bin,
    disposal_list,
    open_proposals,
    propose_disposal,
    restore_from_bin,
)

__all__ = [
    "DisposalCandidate",
    "Proposal",
    "approve_disposal",
    "disposal_bin",
    "disposal_list",
    "final_delete",
    "lift_hold",
    "open_proposals",
    "place_hold",
    "propose_disposal",
    "restore_from_bin",
]
