"""Errors of the prefill sources and the resolver.

A source that is down or slow is not an error for the citizen: lookups return
a :class:`~forms_builder.prefill.model.LookupResult` saying ``unavailable``
and the form opens with editable fields. These errors are for what must stop
an action: a malformed record from a service, a binding that names an unknown
source, a locked value that changed before submission.
"""

from __future__ import annotations

from eforms.errors import EformsError

__all__ = [
    "BindingError",
    "CitizenRecordConflictError",
    "LockedValueChangedError",
    "MalformedRecordError",
    "PrefillError",
    "SourceUnavailableError",
]


class PrefillError(EformsError):
    """Base of every prefill error."""

    code = "prefill.error"
    http_status = 400


class MalformedRecordError(PrefillError):
    """A source returned data that is not a valid record (wrong JSON shape or format)."""

    code = "prefill.malformed_record"
    http_status = 502


class SourceUnavailableError(PrefillError):
    """A source needed to go on (policy ``block``) could not be reached in time."""

    code = "prefill.source_unavailable"
    http_status = 503


class BindingError(PrefillError):
    """A field binding is malformed or names a source that is not configured."""

    code = "prefill.binding"
    http_status = 500


class LockedValueChangedError(PrefillError):
    """A locked, prefilled value differs from what the source holds at submission."""

    code = "prefill.locked_value_changed"
    http_status = 409


class CitizenRecordConflictError(PrefillError):
    """A citizen record for the same dossier was already stored with other data."""

    code = "prefill.citizen_record_conflict"
    http_status = 409
