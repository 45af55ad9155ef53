"""The form definition model: frozen value objects and closed choices.

A definition is parsed from its JSON document (see :mod:`forms_builder.document`)
only after the meta-schema and the semantic checks accepted it, so the
objects here can trust their shape. Rules are kept as the JSON Logic
mappings the author wrote (see :mod:`forms_builder.rules`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

Logic = Mapping[str, Any]
"""A rule expression in the JSON Logic subset of :mod:`forms_builder.rules`."""


class FieldType(StrEnum):
    """Every kind of field a definition may hold."""

    TEXT = "text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    DATE = "date"
    PARTIAL_DATE = "partial_date"
    CHOICE = "choice"
    YES_NO = "yes_no"
    PERSONAL_ID = "personal_id"
    TAX_CODE = "tax_code"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    GROUP = "group"
    REPEAT = "repeat"
    ATTACHMENT = "attachment"
    SIGNATURE = "signature"


CONTAINER_TYPES = frozenset({FieldType.GROUP, FieldType.REPEAT})
"""Types whose ``fields`` hold children."""
NON_DATA_TYPES = frozenset({FieldType.SIGNATURE})
"""Types that put nothing into the submitted data (the signing step fills them)."""


class Status(StrEnum):
    """Life cycle of one version: draft -> testing -> published -> retired."""

    DRAFT = "draft"
    TESTING = "testing"
    PUBLISHED = "published"
    RETIRED = "retired"


EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.TESTING})


class DatePrecision(StrEnum):
    """How much of a date a partial-date field accepts (civil-status forms)."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class OnUnavailable(StrEnum):
    """What the form does when the prefill source cannot answer."""

    MANUAL = "manual"
    """Let the citizen type the value."""
    BLOCK = "block"
    """Refuse to go on until the source answers."""


class Signer(StrEnum):
    """Who signs a signature slot."""

    APPLICANT = "applicant"
    HOUSEHOLD_HEAD = "household_head"
    OWNER = "owner"
    GUARDIAN = "guardian"
    OFFICER = "officer"


class RetentionCode(StrEnum):
    """Retention period of the dossier (archival code list, see DOMAIN.md)."""

    PERMANENT = "01"
    YEARS_70 = "02"
    YEARS_50 = "03"
    YEARS_30 = "04"
    YEARS_20 = "05"
    YEARS_10 = "06"
    OTHER = "07"


@dataclass(frozen=True)
class LocalText:
    """A text in Vietnamese and English."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang``; Vietnamese for anything but ``en``."""
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class Option:
    """One entry of a code list: a stable code and its label."""

    code: str
    label: LocalText


@dataclass(frozen=True)
class Prefill:
    """Where a field's value comes from before the citizen sees the form.

    The same object ``forms_builder.prefill.FieldBinding.from_dict`` reads.
    """

    source: str
    """``population``, ``enterprise`` or ``citizen_store`` (see ``forms_builder.prefill``)."""
    path: str
    """Dotted path into the record's JSON form, e.g. ``household.head_name``."""
    subject: str = "applicant"
    """Whose record: a role the caller maps to an identifier (``applicant``, ``mother``)."""
    locked: bool = False
    """Locked values cannot be changed by the citizen and are checked again at submission."""
    on_unavailable: OnUnavailable = OnUnavailable.MANUAL
    subject_field: str | None = None
    """Where the form holds the identifier of a subject other than the applicant
    (dotted data path, e.g. ``investor.enterprise_code``); default ``<subject>.personal_id``."""


@dataclass(frozen=True)
class RowPrefill:
    """More rows of a repeating group, appended after the rows its ``prefill`` gives.

    The value at ``path`` is one object (one row, e.g. a birth certificate
    from the citizen's data store) or a list of objects (one row each).
    ``columns`` maps a row's keys to keys of that object; without it keys
    match by name. Rows stay editable: nothing here is locked.
    """

    source: str
    path: str
    subject: str = "applicant"
    columns: tuple[tuple[str, str], ...] = ()
    """``(row key, key in the source object)`` pairs, in the order written."""
    on_unavailable: OnUnavailable = OnUnavailable.MANUAL


@dataclass(frozen=True)
class AttachmentRule:
    """What files an attachment field accepts."""

    media_types: tuple[str, ...]
    max_size_mb: float
    min_count: int = 0
    max_count: int = 1
    min_dpi: int | None = None
    """Images (JPEG, PNG) must declare at least this resolution; PDFs are not measured."""


@dataclass(frozen=True)
class Field:
    """One field. ``id`` is stable across versions; ``key`` is its data path segment."""

    id: str
    key: str
    type: FieldType
    label: LocalText
    help: LocalText | None = None
    required: bool = False
    sensitive: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    code_list: str | None = None
    """Name of a shared code list (see :mod:`forms_builder.codelists`)."""
    options: tuple[Option, ...] = ()
    """A code list of the definition's own, when no shared list fits."""
    precisions: tuple[DatePrecision, ...] = (DatePrecision.DAY,)
    visible_when: Logic | None = None
    required_when: Logic | None = None
    prefill: Prefill | None = None
    prefill_rows: tuple[RowPrefill, ...] = ()
    """Repeating groups only: further sources whose rows follow ``prefill``'s."""
    fields: tuple[Field, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    attachment: AttachmentRule | None = None
    signer: Signer | None = None
    confidence: str | None = None
    """How sure the field follows the official form: ``V2``, ``V1`` or ``UNVERIFIED``."""
    note: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled part of the form; does not nest the data."""

    id: str
    title: LocalText
    fields: tuple[Field, ...]
    visible_when: Logic | None = None


@dataclass(frozen=True)
class Rule:
    """A cross-field check: ``check`` must hold, else ``message`` on ``fields``."""

    id: str
    check: Logic
    message: LocalText
    fields: tuple[str, ...] = ()
    """Data paths the error is reported on; empty for a form-level error."""
    when: Logic | None = None


@dataclass(frozen=True)
class LegalBasis:
    """The legal document that issued the official paper form."""

    document: str
    """Number and symbol, e.g. ``116/2026/TT-BCA``."""
    title: str
    issued_on: date
    effective_from: date
    confidence: str | None = None


class PrintRendering(StrEnum):
    """How a value is written at its place on the paper form."""

    VALUE = "value"
    DATE_IN_WORDS = "date_in_words"
    """The "ghi bằng chữ" line of a date (see ``vn_formats.date_in_words``)."""
    DIGIT_BOXES = "digit_boxes"
    """One digit per box (the 12 boxes of a personal identification number)."""
    CHECKBOX = "checkbox"


@dataclass(frozen=True)
class PrintPlace:
    """Where a data field is printed on the official form."""

    field_id: str
    place: str
    """Item of the paper form, e.g. ``item-4`` or ``table-11.col-3``."""
    render: PrintRendering = PrintRendering.VALUE
    note: str | None = None


@dataclass(frozen=True)
class PrintLayout:
    """Mapping of the e-form data list to the printed official form."""

    template: str
    places: tuple[PrintPlace, ...] = ()


@dataclass(frozen=True)
class TestCase:
    """A sample submission with its expected outcome."""

    __test__ = False  # not a pytest class

    name: str
    data: Mapping[str, Any]
    accepted: bool
    errors: tuple[str, ...] = ()
    """Data paths expected to carry an error when ``accepted`` is false."""


@dataclass(frozen=True)
class FormDefinition:
    """One version of one form."""

    code: str
    """``<TTHC code>.<form symbol>``, e.g. ``1.004222.CT01``."""
    procedure_code: str
    procedure_name: LocalText
    agency_id: str
    title: LocalText
    version: int
    status: Status
    legal_basis: LegalBasis
    sections: tuple[Section, ...]
    retention_code: RetentionCode = RetentionCode.YEARS_10
    retention_years: int | None = None
    effective_from: date | None = None
    """When this version takes effect; ``None`` means the legal basis's effective date."""
    rules: tuple[Rule, ...] = ()
    print_layout: PrintLayout | None = None
    test_cases: tuple[TestCase, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)
    """Which official text the definition follows and how sure each part is."""

    @property
    def in_force_from(self) -> date:
        """The date this version takes effect."""
        return self.effective_from or self.legal_basis.effective_from

    @property
    def ref(self) -> str:
        """``CODE@VERSION``."""
        return f"{self.code}@{self.version}"

    def iter_fields(self) -> Iterator[tuple[str, Field]]:
        """Every field, depth first, with its dotted data path (``group.child``)."""
        for section in self.sections:
            yield from _walk(section.fields, "")

    def field_by_id(self) -> dict[str, tuple[str, Field]]:
        """Fields by stable id, with their data paths."""
        return {f.id: (path, f) for path, f in self.iter_fields()}


def _walk(fields: tuple[Field, ...], prefix: str) -> Iterator[tuple[str, Field]]:
    for f in fields:
        path = f"{prefix}{f.key}"
        yield path, f
        if f.fields:
            yield from _walk(f.fields, f"{path}.")
