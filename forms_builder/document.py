"""The definition as a JSON document: parse, serialise, canonical form, checksum.

:func:`parse_definition` expects a document the meta-schema and the
semantic checks accepted (:func:`forms_builder.validation.load_definition`
does both, then calls it). :func:`definition_to_document` is its inverse;
a round trip gives back an equal document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from typing import Any

from forms_builder.model import (
    AttachmentRule,
    DatePrecision,
    Field,
    FieldType,
    FormDefinition,
    LegalBasis,
    LocalText,
    OnUnavailable,
    Option,
    Prefill,
    PrintLayout,
    PrintPlace,
    PrintRendering,
    RetentionCode,
    RowPrefill,
    Rule,
    Section,
    Signer,
    Status,
    TestCase,
)

__all__ = [
    "FORMAT",
    "canonical_json",
    "checksum",
    "definition_to_document",
    "parse_definition",
]

FORMAT = "eforms.form-definition/1"


def _text(raw: Mapping[str, str] | None) -> LocalText | None:
    return LocalText(raw["vi"], raw["en"]) if raw else None


def _field(raw: Mapping[str, Any]) -> Field:
    prefill = raw.get("prefill")
    attachment = raw.get("attachment")
    return Field(
        id=raw["id"],
        key=raw["key"],
        type=FieldType(raw["type"]),
        label=LocalText(raw["label"]["vi"], raw["label"]["en"]),
        help=_text(raw.get("help")),
        required=raw.get("required", False),
        sensitive=raw.get("sensitive", False),
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        pattern=raw.get("pattern"),
        minimum=raw.get("minimum"),
        maximum=raw.get("maximum"),
        integer=raw.get("integer", False),
        code_list=raw.get("code_list"),
        options=tuple(
            Option(o["code"], LocalText(o["label"]["vi"], o["label"]["en"]))
            for o in raw.get("options", ())
        ),
        precisions=tuple(DatePrecision(p) for p in raw.get("precisions", ["day"])),
        visible_when=raw.get("visible_when"),
        required_when=raw.get("required_when"),
        prefill=Prefill(
            source=prefill["source"],
            path=prefill["path"],
            subject=prefill.get("subject", "applicant"),
            locked=prefill.get("locked", False),
            on_unavailable=OnUnavailable(prefill.get("on_unavailable", "manual")),
            subject_field=prefill.get("subject_field"),
        )
        if prefill
        else None,
        prefill_rows=tuple(
            RowPrefill(
                source=r["source"],
                path=r["path"],
                subject=r.get("subject", "applicant"),
                columns=tuple((str(k), str(v)) for k, v in r.get("columns", {}).items()),
                on_unavailable=OnUnavailable(r.get("on_unavailable", "manual")),
            )
            for r in raw.get("prefill_rows", ())
        ),
        fields=tuple(_field(c) for c in raw.get("fields", ())),
        min_items=raw.get("min_items"),
        max_items=raw.get("max_items"),
        attachment=AttachmentRule(
            media_types=tuple(attachment["media_types"]),
            max_size_mb=attachment["max_size_mb"],
            min_count=attachment.get("min_count", 0),
            max_count=attachment.get("max_count", 1),
            min_dpi=attachment.get("min_dpi"),
        )
        if attachment
        else None,
        signer=Signer(raw["signer"]) if raw.get("signer") else None,
        confidence=raw.get("confidence"),
        note=raw.get("note"),
    )


def parse_definition(doc: Mapping[str, Any]) -> FormDefinition:
    """Build the model from an already validated document."""
    basis = doc["legal_basis"]
    retention = doc.get("retention", {"code": "06"})
    layout = doc.get("print_layout")
    return FormDefinition(
        code=doc["code"],
        procedure_code=doc["procedure"]["code"],
        procedure_name=LocalText(doc["procedure"]["name"]["vi"], doc["procedure"]["name"]["en"]),
        agency_id=doc["agency_id"],
        title=LocalText(doc["title"]["vi"], doc["title"]["en"]),
        version=doc["version"],
        status=Status(doc["status"]),
        legal_basis=LegalBasis(
            document=basis["document"],
            title=basis["title"],
            issued_on=date.fromisoformat(basis["issued_on"]),
            effective_from=date.fromisoformat(basis["effective_from"]),
            confidence=basis.get("confidence"),
        ),
        sections=tuple(
            Section(
                id=s["id"],
                title=LocalText(s["title"]["vi"], s["title"]["en"]),
                fields=tuple(_field(f) for f in s["fields"]),
                visible_when=s.get("visible_when"),
            )
            for s in doc["sections"]
        ),
        retention_code=RetentionCode(retention["code"]),
        retention_years=retention.get("years"),
        effective_from=date.fromisoformat(doc["effective_from"])
        if doc.get("effective_from")
        else None,
        rules=tuple(
            Rule(
                id=r["id"],
                check=r["check"],
                message=LocalText(r["message"]["vi"], r["message"]["en"]),
                fields=tuple(r.get("fields", ())),
                when=r.get("when"),
            )
            for r in doc.get("rules", ())
        ),
        print_layout=PrintLayout(
            template=layout["template"],
            places=tuple(
                PrintPlace(
                    p["field"], p["place"], PrintRendering(p.get("render", "value")), p.get("note")
                )
                for p in layout.get("places", ())
            ),
        )
        if layout
        else None,
        test_cases=tuple(
            TestCase(
                name=t["name"],
                data=t["data"],
                accepted=t["expect"]["accepted"],
                errors=tuple(t["expect"].get("errors", ())),
            )
            for t in doc.get("test_cases", ())
        ),
        provenance=doc.get("provenance", {}),
    )


def _text_doc(text: LocalText) -> dict[str, str]:
    return {"vi": text.vi, "en": text.en}


def _drop_defaults(raw: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if v is not None and defaults.get(k, object()) != v}


_FIELD_DEFAULTS: dict[str, Any] = {
    "required": False,
    "sensitive": False,
    "integer": False,
    "precisions": ["day"],
    "options": [],
    "prefill_rows": [],
    "fields": [],
}


def _field_doc(f: Field) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": f.id,
        "key": f.key,
        "type": str(f.type),
        "label": _text_doc(f.label),
        "help": _text_doc(f.help) if f.help else None,
        "required": f.required,
        "sensitive": f.sensitive,
        "min_length": f.min_length,
        "max_length": f.max_length,
        "pattern": f.pattern,
        "minimum": f.minimum,
        "maximum": f.maximum,
        "integer": f.integer,
        "code_list": f.code_list,
        "options": [{"code": o.code, "label": _text_doc(o.label)} for o in f.options],
        "precisions": [str(p) for p in f.precisions],
        "visible_when": f.visible_when,
        "required_when": f.required_when,
        "prefill": {
            "source": f.prefill.source,
            "path": f.prefill.path,
            "subject": f.prefill.subject,
            "locked": f.prefill.locked,
            "on_unavailable": str(f.prefill.on_unavailable),
            **({"subject_field": f.prefill.subject_field} if f.prefill.subject_field else {}),
        }
        if f.prefill
        else None,
        "prefill_rows": [
            {
                "source": r.source,
                "path": r.path,
                "subject": r.subject,
                **({"columns": dict(r.columns)} if r.columns else {}),
                "on_unavailable": str(r.on_unavailable),
            }
            for r in f.prefill_rows
        ],
        "fields": [_field_doc(c) for c in f.fields],
        "min_items": f.min_items,
        "max_items": f.max_items,
        "attachment": {
            "media_types": list(f.attachment.media_types),
            "max_size_mb": f.attachment.max_size_mb,
            "min_count": f.attachment.min_count,
            "max_count": f.attachment.max_count,
            **({"min_dpi": f.attachment.min_dpi} if f.attachment.min_dpi else {}),
        }
        if f.attachment
        else None,
        "signer": str(f.signer) if f.signer else None,
        "confidence": f.confidence,
        "note": f.note,
    }
    if f.type != FieldType.PARTIAL_DATE:
        raw["precisions"] = ["day"]
    return _drop_defaults(raw, _FIELD_DEFAULTS)


def definition_to_document(d: FormDefinition) -> dict[str, Any]:
    """The JSON document of ``d`` (inverse of :func:`parse_definition`)."""
    doc: dict[str, Any] = {
        "format": FORMAT,
        "code": d.code,
        "procedure": {"code": d.procedure_code, "name": _text_doc(d.procedure_name)},
        "agency_id": d.agency_id,
        "title": _text_doc(d.title),
        "version": d.version,
        "status": str(d.status),
        "legal_basis": _drop_defaults(
            {
                "document": d.legal_basis.document,
                "title": d.legal_basis.title,
                "issued_on": d.legal_basis.issued_on.isoformat(),
                "effective_from": d.legal_basis.effective_from.isoformat(),
                "confidence": d.legal_basis.confidence,
            },
            {},
        ),
        "retention": _drop_defaults(
            {"code": str(d.retention_code), "years": d.retention_years}, {}
        ),
        "sections": [
            _drop_defaults(
                {
                    "id": s.id,
                    "title": _text_doc(s.title),
                    "visible_when": s.visible_when,
                    "fields": [_field_doc(f) for f in s.fields],
                },
                {},
            )
            for s in d.sections
        ],
    }
    if d.effective_from:
        doc["effective_from"] = d.effective_from.isoformat()
    if d.rules:
        doc["rules"] = [
            _drop_defaults(
                {
                    "id": r.id,
                    "when": r.when,
                    "check": r.check,
                    "message": _text_doc(r.message),
                    "fields": list(r.fields),
                },
                {"fields": []},
            )
            for r in d.rules
        ]
    if d.print_layout:
        doc["print_layout"] = {
            "template": d.print_layout.template,
            "places": [
                _drop_defaults(
                    {
                        "field": p.field_id,
                        "place": p.place,
                        "render": str(p.render),
                        "note": p.note,
                    },
                    {"render": "value"},
                )
                for p in d.print_layout.places
            ],
        }
    if d.test_cases:
        doc["test_cases"] = [
            {
                "name": t.name,
                "data": t.data,
                "expect": _drop_defaults(
                    {"accepted": t.accepted, "errors": list(t.errors)}, {"errors": []}
                ),
            }
            for t in d.test_cases
        ]
    if d.provenance:
        doc["provenance"] = d.provenance
    return doc


def canonical_json(doc: Mapping[str, Any]) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the bytes the checksum covers."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def checksum(doc: Mapping[str, Any]) -> str:
    """``sha256:<hex>`` of the canonical form of ``doc`` without its status.

    The status is left out so that publishing a version does not change the
    checksum of its content.
    """
    content = {k: v for k, v in doc.items() if k != "status"}
    return "sha256:" + hashlib.sha256(canonical_json(content)).hexdigest()
