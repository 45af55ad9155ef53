"""Ports of the prefill capability: where prefilled data comes from.

Every source answers a lookup with a :class:`LookupResult`: found (with the
record), not found, or unavailable. Sources never raise because a remote
service is down or slow: the form must still open. They do raise
:class:`~forms_builder.identifiers.InvalidIdentifierError` for a malformed
identifier, before contacting anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from forms_builder.prefill.model import (
    CitizenRecord,
    CitizenRecords,
    EnterpriseRecord,
    LookupResult,
    PersonRecord,
)

__all__ = [
    "CitizenDataStore",
    "EnterpriseSource",
    "PersonSource",
    "PrefillSource",
    "Record",
]

RecordT = TypeVar("RecordT")


@runtime_checkable
class Record(Protocol):
    """What the resolver needs from a record: its JSON form."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form; field bindings address it with dotted paths."""
        ...


class PrefillSource(Protocol[RecordT]):
    """A source of records about one kind of subject, looked up by identifier."""

    @property
    def name(self) -> str:
        """Stable name bindings use (``population``, ``enterprise``, ``citizen_store``)."""
        ...

    def lookup(self, subject_id: str) -> LookupResult[RecordT]:
        """Look up ``subject_id``.

        Returns FOUND with the record, NOT_FOUND when the source answered that
        it holds nothing, or UNAVAILABLE (with a short reason, no personal
        data) when it could not answer: down, too slow, refused the
        credentials, or sent something malformed. ``fetched_at`` is the time
        of the answer. Raises ``InvalidIdentifierError`` for a malformed
        identifier without contacting anything. Must be safe to call from
        several threads at once.
        """
        ...


class PersonSource(PrefillSource[PersonRecord], Protocol):
    """Population data: a person by 12-digit personal identification number."""


class EnterpriseSource(PrefillSource[EnterpriseRecord], Protocol):
    """Enterprise registration data: an enterprise or branch by its code (10 or 10-3)."""


class CitizenDataStore(PrefillSource[CitizenRecords], Protocol):
    """The citizen's data store: results of earlier procedures, by personal ID.

    ``lookup`` answers FOUND with every stored record of the person (possibly
    none: an empty store is still an answer, FOUND with no records).
    """

    def put_record(
        self,
        *,
        personal_id: str,
        name: str,
        data: Mapping[str, Any],
        dossier_code: str,
        issued_at: datetime,
    ) -> CitizenRecord:
        """Keep a result of dossier ``dossier_code`` for later prefill.

        Idempotent: storing the same (person, name, dossier) with the same
        data again changes nothing; with different data it raises
        ``CitizenRecordConflictError``. ``issued_at`` must be timezone-aware.
        Raises ``InvalidIdentifierError`` for a malformed personal ID.
        """
        ...
