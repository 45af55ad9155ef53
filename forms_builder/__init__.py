"""Form definitions and the form builder.

A department's author writes a definition (sections, fields, rules, prefill
bindings, print layout, test cases, legal basis); :func:`load_definition`
checks it against ``schemas/form-definition.schema.json`` and the semantic
rules; :func:`compile_form` compiles it to a JSON Schema 2020-12 for the
submitted data and :func:`compile_wtforms` to a WTForms class for the HTML
form; :class:`FormService` stores versions, runs the publishing gate and
audits every change. The official forms of the demo procedures ship in
``forms_builder/library``.

Modules: ``model`` (value objects), ``document`` (JSON <-> model, checksum),
``validation`` (with ``patterns``: patterns too slow to run), ``rules`` (the
JSON Logic subset), ``visibility``, ``codelists``, ``vn_formats``,
``jsonschema_compiler``, ``wtforms_compiler`` and ``wtforms_form``,
``submission``, ``versions`` (life cycle; ``.diff`` between versions,
``.drafts``: drafts in progress across versions), ``casebook`` (test cases,
publishing gate), ``exchange`` (export/import), ``editing`` (one authoring
step at a time), ``repository``, ``services``, ``ports``, ``library``;
``identifiers`` (personal and enterprise codes) and ``prefill`` (sources and
bindings) are shared with the rest of the project.
"""

from forms_builder.casebook import CaseResult, publish_gate, run_test_cases
from forms_builder.codelists import CodeList, CodeLists, default_code_lists
from forms_builder.document import checksum, definition_to_document, parse_definition
from forms_builder.errors import (
    ChecksumMismatch,
    DefinitionImmutable,
    DefinitionInvalid,
    DefinitionNotFound,
    FormError,
    InvalidTransition,
    NotOwner,
    NoVersionInForce,
    Problem,
    PublishRefused,
    RuleError,
)
from forms_builder.exchange import export_definition, import_definition
from forms_builder.model import FieldType, FormDefinition, Status
from forms_builder.services import SYSTEM, Author, FormService, FormSummary, PublishReport
from forms_builder.submission import (
    CompiledForm,
    FieldError,
    Outcome,
    compile_form,
    validate_submission,
)
from forms_builder.validation import check_document, load_definition
from forms_builder.versions import VersionDiff, diff_definitions, version_in_force
from forms_builder.vn_formats import date_in_words
from forms_builder.wtforms_compiler import compile_wtforms

__all__ = [
    "SYSTEM",
    "Author",
    "CaseResult",
    "ChecksumMismatch",
    "CodeList",
    "CodeLists",
    "CompiledForm",
    "DefinitionImmutable",
    "DefinitionInvalid",
    "DefinitionNotFound",
    "FieldError",
    "FieldType",
    "FormDefinition",
    "FormError",
    "FormService",
    "FormSummary",
    "InvalidTransition",
    "NoVersionInForce",
    "NotOwner",
    "Outcome",
    "Problem",
    "PublishRefused",
    "PublishReport",
    "RuleError",
    "Status",
    "VersionDiff",
    "check_document",
    "checksum",
    "compile_form",
    "compile_wtforms",
    "date_in_words",
    "default_code_lists",
    "definition_to_document",
    "diff_definitions",
    "export_definition",
    "import_definition",
    "load_definition",
    "parse_definition",
    "publish_gate",
    "run_test_cases",
    "validate_submission",
    "version_in_force",
]
