"""JSON API for form definitions, described by an OpenAPI document.

Reading is public (definitions are public documents that integrators
need); creating drafts and publishing need a logged-in author of the
owning agency (session cookie, and the ``X-CSRFToken`` header as for every
POST). Errors are JSON: ``{"error": {"code", "message", "status"}}``, plus
``problems`` (pointer and messages) for an invalid definition.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from flask import Blueprint, jsonify, request, url_for
from werkzeug.wrappers import Response

from forms_builder import (
    DefinitionInvalid,
    FormDefinition,
    FormSummary,
    checksum,
    definition_to_document,
)
from forms_builder.codelists import default_code_lists
from portal.accounts import Role
from portal.auth.session import current_account
from portal.authoring import acting_author
from portal.authoring.openapi import openapi_document
from portal.i18n import current_lang
from portal.services import services

api = Blueprint("forms_api", __name__, url_prefix="/api/forms")

F = TypeVar("F", bound=Callable[..., Any])


def _error(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message, "status": status, **extra}}), status


def author_required(view: F) -> F:
    """401 without a session, 403 without the author role (JSON, no redirect)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        account = current_account()
        if account is None:
            return _error(401, "auth.required", "Login required / Cần đăng nhập.")
        if not account.has_role(Role.AUTHOR):
            return _error(403, "auth.forbidden", "The form author role is required.")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _summary(s: FormSummary) -> dict[str, Any]:
    return {
        "code": s.code,
        "version": s.version,
        "status": str(s.status),
        "agency_id": s.agency_id,
        "title": {"vi": s.title_vi, "en": s.title_en},
        "legal_basis": s.legal_basis,
        "in_force_from": s.in_force_from.isoformat(),
        "checksum": s.checksum,
    }


def _full(d: FormDefinition) -> dict[str, Any]:
    doc = definition_to_document(d)
    return {"checksum": checksum(doc), "definition": doc}


@api.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@api.get("")
def list_forms() -> Response:
    agency = request.args.get("agency") or None
    return jsonify([_summary(s) for s in services().forms.list_forms(agency_id=agency)])


@api.get("/code-lists/<name>")
def code_list(name: str) -> Response | tuple[Response, int]:
    found = default_code_lists().get(name)
    if found is None:
        return _error(404, "forms.unknown_code_list", f"No code list {name}.")
    parent = request.args.get("parent")
    lang = current_lang()
    return jsonify(
        [
            {"code": o.code, "label": o.label.get(lang)}
            for o in found.options
            if parent is None or found.parents.get(o.code) == parent
        ]
    )


@api.get("/<code>")
def versions(code: str) -> Response | tuple[Response, int]:
    rows = [s for s in services().forms.list_forms() if s.code == code]
    if not rows:
        return _error(404, "forms.not_found", f"No form {code}.")
    return jsonify([_summary(s) for s in rows])


@api.get("/<code>/<int:version>")
def get_version(code: str, version: int) -> Response:
    return jsonify(_full(services().forms.get(code, version)))


@api.get("/<code>/in-force")
def in_force(code: str) -> Response | tuple[Response, int]:
    raw = request.args.get("on")
    try:
        on = date.fromisoformat(raw) if raw else None
    except ValueError:
        return _error(400, "request.bad_date", "Parameter 'on' must be YYYY-MM-DD.")
    return jsonify(_full(services().forms.in_force(code, on)))


@api.get("/<code>/<int:version>/schema")
def data_schema(code: str, version: int) -> Response:
    return jsonify(services().forms.compile(code, version).json_schema)


@api.post("")
@author_required
def create_draft() -> Response | tuple[Response, int]:
    doc = request.get_json(silent=True)
    try:
        created = services().forms.create_draft(doc, acting_author())
    except DefinitionInvalid as exc:
        return _error(
            422,
            exc.code,
            exc.message(current_lang()),
            problems=[p.as_dict() for p in exc.problems],
        )
    response = jsonify(_full(created))
    response.status_code = 201
    response.headers["Location"] = url_for(
        "forms_api.get_version", code=created.code, version=created.version
    )
    return response


@api.post("/<code>/<int:version>/publish")
@author_required
def publish(code: str, version: int) -> Response:
    report = services().forms.publish(code, version, acting_author())
    return jsonify(
        {
            "ref": report.ref,
            "previous": report.previous,
            "compatible": report.diff.compatible if report.diff else True,
            "test_cases": [{"name": r.name, "passed": r.passed} for r in report.results],
            "changes": [
                {"field_id": c.field_id, "kind": str(c.kind), "compatible": c.compatible}
                for c in (report.diff.changes if report.diff else ())
            ],
        }
    )
