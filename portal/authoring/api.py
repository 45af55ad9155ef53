"""JSON API for form definitions, described by an OpenAPI document.

Published (and retired) versions are public: they are the official forms
integrators need. Versions still in draft or testing, with their test-case
data, are read only by form authors, supervisors and administrators (401
without a session, 403 without one of those roles); lists leave them out for
anyone else. Creating drafts, the publishing preview and publishing need a
logged-in author (publishing: of the owning agency; session cookie, and the
``X-CSRFToken`` header as for every POST). Errors are JSON: ``{"error":
{"code", "message", "status"}}``, plus ``problems`` (pointer and messages)
for an invalid definition.
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
    PublishReport,
    Status,
    checksum,
    compile_form,
    definition_to_document,
)
from forms_builder.codelists import default_code_lists
from portal.accounts import PermissionDeniedError, Role
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


PUBLIC_STATUSES = frozenset({Status.PUBLISHED, Status.RETIRED})
"""Versions anyone may read: the official forms, in force or in the past."""
UNPUBLISHED_READERS = (Role.AUTHOR, Role.SUPERVISOR, Role.ADMIN)


def reads_unpublished() -> bool:
    """Whether the caller may read versions in draft or testing."""
    account = current_account()
    return account is not None and any(account.has_role(r) for r in UNPUBLISHED_READERS)


def _visible(summaries: list[FormSummary]) -> list[FormSummary]:
    if reads_unpublished():
        return summaries
    return [s for s in summaries if s.status in PUBLIC_STATUSES]


def _readable(d: FormDefinition) -> tuple[Response, int] | None:
    """``None`` when the caller may read ``d``; else the 401 answer (a 403 is raised)."""
    if d.status in PUBLIC_STATUSES or reads_unpublished():
        return None
    if current_account() is None:
        vi = (
            f"Phiên bản {d.ref} chưa ban hành; hãy đăng nhập bằng tài khoản xây dựng "
            "biểu mẫu hoặc quản trị để xem."
        )
        en = f"Version {d.ref} is not published; log in as a form author or administrator."
        return _error(401, "auth.required", en if current_lang() == "en" else vi)
    raise PermissionDeniedError(
        f"Phiên bản {d.ref} chưa ban hành; chỉ người xây dựng biểu mẫu, giám sát viên "
        "và quản trị viên được xem.",
        f"Version {d.ref} is not published; only form authors, supervisors and "
        "administrators may read it.",
        details={"form": d.ref, "status": str(d.status)},
    )


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
    summaries = _visible(services().forms.list_forms(agency_id=agency))
    return jsonify([_summary(s) for s in summaries])


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
    rows = _visible([s for s in services().forms.list_forms() if s.code == code])
    if not rows:
        return _error(404, "forms.not_found", f"No form {code}.")
    return jsonify([_summary(s) for s in rows])


@api.get("/<code>/<int:version>")
def get_version(code: str, version: int) -> Response | tuple[Response, int]:
    found = services().forms.get(code, version)
    return _readable(found) or jsonify(_full(found))


@api.get("/<code>/in-force")
def in_force(code: str) -> Response | tuple[Response, int]:
    raw = request.args.get("on")
    try:
        on = date.fromisoformat(raw) if raw else None
    except ValueError:
        return _error(400, "request.bad_date", "Parameter 'on' must be YYYY-MM-DD.")
    return jsonify(_full(services().forms.in_force(code, on)))


@api.get("/<code>/<int:version>/schema")
def data_schema(code: str, version: int) -> Response | tuple[Response, int]:
    forms = services().forms
    found = forms.get(code, version)
    refused = _readable(found)
    if refused:
        return refused
    return jsonify(compile_form(found, code_lists=forms.code_lists).json_schema)


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


@api.get("/<code>/<int:version>/publish")
@author_required
def publish_preview(code: str, version: int) -> Response:
    """What publishing would do (gate, diff, open drafts), without publishing."""
    return jsonify(_report(services().forms.preview_publish(code, version)))


@api.post("/<code>/<int:version>/publish")
@author_required
def publish(code: str, version: int) -> Response:
    return jsonify(_report(services().forms.publish(code, version, acting_author())))


def _report(report: PublishReport) -> dict[str, Any]:
    diff = report.diff
    return {
        "ref": report.ref,
        "previous": report.previous,
        "published": report.published,
        "compatible": diff.compatible if diff else True,
        "test_cases": [{"name": r.name, "passed": r.passed} for r in report.results],
        "changes": [
            {
                "field_id": c.field_id,
                "kind": str(c.kind),
                "path": c.path_after or c.path_before,
                "properties": list(c.properties),
                "compatible": c.compatible,
            }
            for c in (diff.changes if diff else ())
        ],
        "other_changes": [
            {
                "part": str(p.part),
                "id": p.id,
                "kind": str(p.kind),
                "properties": list(p.properties),
                "compatible": p.compatible,
                "reason": {"vi": p.reason_vi, "en": p.reason_en},
            }
            for p in (diff.parts if diff else ())
        ],
        "open_drafts": {
            "count": report.open_drafts,
            "by_version": [{"version": v, "count": n} for v, n in report.drafts_by_version],
            "to_re_enter": len(report.affected),
        },
        "re_enter": [
            {
                "field_id": f.field_id,
                "path": f.path,
                "label": {"vi": f.label.vi, "en": f.label.en},
                "drafts": f.drafts,
            }
            for f in report.re_enter
        ],
    }
