"""The OpenAPI 3.0 document of the form-definitions API (served at /api/forms/openapi.json)."""

from __future__ import annotations

from typing import Any

from eforms import __version__


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = {"$ref": "#/components/schemas/Error"}
REPORT = {"$ref": "#/components/schemas/PublishReport"}
CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "Form code: procedure code and form symbol, e.g. 1.004222.CT01.",
    "schema": {"type": "string"},
}
VERSION = {
    "name": "version",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": 2147483647},
}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {
        400: "Bad request",
        401: "Login required",
        403: "Not allowed",
        404: "No such form or version",
        409: "Refused in the current state",
        422: "Invalid definition",
    }
    return {str(s): _json(ERROR, text[s]) for s in statuses}


def openapi_document() -> dict[str, Any]:
    """The document; response schemas are checked by schemathesis in the tests."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "eforms form definitions API",
            "version": __version__,
            "description": "Form definitions of the e-forms of administrative procedures: "
            "list, read (with checksum), the version in force, the compiled data "
            "schema, create a draft, publish.",
        },
        "paths": {
            "/api/forms": {
                "get": {
                    "summary": "List every version of every form",
                    "parameters": [
                        {
                            "name": "agency",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        }
                    ],
                    "responses": {
                        "200": _json(
                            {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
                            "Versions, by code then version",
                        )
                    },
                },
                "post": {
                    "summary": "Create a draft (author of the owning agency)",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "responses": {
                        "201": _json({"$ref": "#/components/schemas/Definition"}, "Created"),
                        **_errors(401, 403, 422),
                    },
                },
            },
            "/api/forms/code-lists/{name}": {
                "get": {
                    "summary": "Entries of a code list, optionally those under a parent code",
                    "parameters": [
                        {
                            "name": "name",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "parent",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string"},
                        },
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["code", "label"],
                                    "properties": {
                                        "code": {"type": "string"},
                                        "label": {"type": "string"},
                                    },
                                },
                            },
                            "Entries",
                        ),
                        **_errors(404),
                    },
                }
            },
            "/api/forms/{code}": {
                "get": {
                    "summary": "Every version of one form",
                    "parameters": [CODE],
                    "responses": {
                        "200": _json(
                            {"type": "array", "items": {"$ref": "#/components/schemas/Summary"}},
                            "Versions",
                        ),
                        **_errors(404),
                    },
                }
            },
            "/api/forms/{code}/{version}": {
                "get": {
                    "summary": "One version with its checksum",
                    "description": "Versions in draft or testing only for form authors, "
                    "supervisors and administrators.",
                    "parameters": [CODE, VERSION],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Definition"}, "Found"),
                        **_errors(401, 403, 404),
                    },
                }
            },
            "/api/forms/{code}/in-force": {
                "get": {
                    "summary": "The published version in force on a date (default today)",
                    "parameters": [
                        CODE,
                        {
                            "name": "on",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "format": "date"},
                        },
                    ],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Definition"}, "In force"),
                        **_errors(400, 404),
                    },
                }
            },
            "/api/forms/{code}/{version}/schema": {
                "get": {
                    "summary": "The JSON Schema 2020-12 of data submitted with this version",
                    "description": "Versions in draft or testing only for form authors, "
                    "supervisors and administrators.",
                    "parameters": [CODE, VERSION],
                    "responses": {
                        "200": _json({"type": "object"}, "JSON Schema"),
                        **_errors(401, 403, 404),
                    },
                }
            },
            "/api/forms/{code}/{version}/publish": {
                "get": {
                    "summary": "What publishing would do: gate, diff, open drafts (author)",
                    "parameters": [CODE, VERSION],
                    "responses": {
                        "200": _json(REPORT, "Preview; nothing is changed"),
                        **_errors(401, 403, 404, 409, 422),
                    },
                },
                "post": {
                    "summary": "Publish a draft after its test cases pass",
                    "parameters": [CODE, VERSION],
                    "responses": {
                        "200": _json(REPORT, "Published"),
                        **_errors(401, 403, 404, 409, 422),
                    },
                },
            },
        },
        "components": {"schemas": _schemas()},
    }


def _schemas() -> dict[str, Any]:
    text = {
        "type": "object",
        "required": ["vi", "en"],
        "properties": {"vi": {"type": "string"}, "en": {"type": "string"}},
    }
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message", "status"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "status": {"type": "integer"},
                        "problems": {"type": "array", "items": {"type": "object"}},
                    },
                }
            },
        },
        "Summary": {
            "type": "object",
            "required": [
                "code",
                "version",
                "status",
                "agency_id",
                "title",
                "legal_basis",
                "in_force_from",
                "checksum",
            ],
            "properties": {
                "code": {"type": "string"},
                "version": {"type": "integer"},
                "status": {"type": "string", "enum": ["draft", "testing", "published", "retired"]},
                "agency_id": {"type": "string"},
                "title": text,
                "legal_basis": {"type": "string"},
                "in_force_from": {"type": "string", "format": "date"},
                "checksum": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
            },
        },
        "PublishReport": _publish_report(text),
        "Definition": {
            "type": "object",
            "required": ["checksum", "definition"],
            "properties": {
                "checksum": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                "definition": {"type": "object", "required": ["format", "code", "version"]},
            },
        },
    }


def _publish_report(text: dict[str, Any]) -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    change = {
        "type": "object",
        "required": ["kind", "compatible"],
        "properties": {
            "kind": {"type": "string", "enum": ["added", "removed", "changed"]},
            "compatible": {"type": "boolean"},
            "properties": {"type": "array", "items": {"type": "string"}},
        },
    }
    return {
        "type": "object",
        "required": ["ref", "published", "compatible", "open_drafts", "re_enter"],
        "properties": {
            "ref": {"type": "string"},
            "previous": {"type": "string", "nullable": True},
            "published": {"type": "boolean"},
            "compatible": {"type": "boolean"},
            "test_cases": {"type": "array", "items": {"type": "object"}},
            "changes": {"type": "array", "items": change},
            "other_changes": {
                "type": "array",
                "items": {
                    **change,
                    "required": ["part", "id", "kind", "compatible"],
                    "properties": {
                        **change["properties"],
                        "part": {
                            "type": "string",
                            "enum": ["section", "rule", "legal_basis", "print_layout"],
                        },
                        "id": {"type": "string"},
                        "reason": text,
                    },
                },
            },
            "open_drafts": {
                "type": "object",
                "description": "Citizens' unsubmitted drafts of earlier versions; each "
                "keeps its version when resumed.",
                "required": ["count", "by_version", "to_re_enter"],
                "properties": {
                    "count": count,
                    "by_version": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["version", "count"],
                            "properties": {"version": {"type": "integer"}, "count": count},
                        },
                    },
                    "to_re_enter": count,
                },
            },
            "re_enter": {
                "type": "array",
                "description": "Fields whose answers would not carry over, with how many drafts.",
                "items": {
                    "type": "object",
                    "required": ["field_id", "path", "label", "drafts"],
                    "properties": {
                        "field_id": {"type": "string"},
                        "path": {"type": "string"},
                        "label": text,
                        "drafts": count,
                    },
                },
            },
        },
    }
