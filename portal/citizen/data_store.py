"""The citizen's data store: the results they received, to read, reuse and take away.

Each issued result of a procedure that keeps data (a birth certificate, a
residence registration) is a record of the store (``dossiers.results``
writes it when the leader signs). Later forms prefill from it; here the
citizen sees what it holds, where each record came from, downloads the
signed result again, or takes the whole store as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import Response, render_template, url_for
from flask_babel import lazy_gettext as _l

from dossiers import DocumentKind, get_dossier
from dossiers.errors import DossierNotFoundError
from forms_builder.codelists import default_code_lists
from forms_builder.prefill import CitizenRecord
from forms_builder.prefill.errors import SourceUnavailableError
from portal.accounts import Role
from portal.auth.session import audit, current_account, require_role
from portal.citizen.views import bp
from portal.i18n import current_lang
from portal.services import services

#: What each record is called (the names ``dossiers.results.RECORD_NAMES`` writes).
RECORD_LABELS = {
    "birth_certificate": _l("Giấy khai sinh"),
    "residence_registration": _l("Xác nhận đăng ký thường trú"),
}
#: How the keys of a record's data read to people.
DATA_LABELS = {
    "child_name": _l("Họ, chữ đệm, tên"),
    "full_name": _l("Họ, chữ đệm, tên"),
    "date_of_birth": _l("Ngày, tháng, năm sinh"),
    "sex": _l("Giới tính"),
    "place_of_birth": _l("Nơi sinh"),
    "mother_name": _l("Họ, chữ đệm, tên người mẹ"),
    "father_name": _l("Họ, chữ đệm, tên người cha"),
    "address": _l("Nội dung đăng ký"),
}


@dataclass(frozen=True)
class ResultLink:
    title: str
    url: str


@dataclass(frozen=True)
class StoredResult:
    """One record as the page shows it."""

    record: CitizenRecord
    label: str
    rows: list[tuple[str, str]]
    results: list[ResultLink]


def _records() -> tuple[str, list[CitizenRecord]]:
    account = current_account()
    assert account is not None
    if not account.personal_id:
        return "", []
    found = services().prefill.citizen_store.lookup(account.personal_id)
    if found.record is None and not found.found:
        raise SourceUnavailableError(
            "Kho dữ liệu của bạn tạm thời không truy cập được; vui lòng thử lại sau ít phút.",
            "Your data store cannot be reached right now; please try again in a few minutes.",
        )
    records = list(found.record.records) if found.record else []
    return account.personal_id, sorted(records, key=lambda r: r.issued_at, reverse=True)


def _shown(value: Any, key: str) -> str:
    if key == "sex":
        sexes = default_code_lists().get("sexes")
        option = next((o for o in sexes.options if o.code == value), None) if sexes else None
        return option.label.get(current_lang()) if option else str(value)
    if key.startswith("date") and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return str(value)


def _result_links(dossier_code: str, user_id: int) -> list[ResultLink]:
    """The signed results of the record's dossier, when it is the citizen's own."""
    try:
        with services().db.unit_of_work() as session:
            dossier = get_dossier(session, dossier_code)
    except DossierNotFoundError:
        return []
    if dossier.applicant.user_id != user_id:
        return []
    return [
        ResultLink(d.title, url_for("results.download", code=dossier.code, document_id=d.id))
        for d in dossier.documents_of(DocumentKind.RESULT)
    ]


@bp.get("/kho-du-lieu")
@require_role(Role.CITIZEN)
def data_store() -> str:
    account = current_account()
    assert account is not None
    personal_id, records = _records()
    shown = [
        StoredResult(
            record=r,
            label=str(RECORD_LABELS.get(r.name, r.name)),
            rows=[(str(DATA_LABELS.get(k, k)), _shown(v, k)) for k, v in r.data.items()],
            results=_result_links(r.dossier_code, account.id),
        )
        for r in records
    ]
    return render_template("citizen/data_store.html", records=shown, personal_id=personal_id)


@bp.get("/kho-du-lieu.json")
@require_role(Role.CITIZEN)
def data_store_export() -> Response:
    """The whole store as JSON, with each record's provenance; audited."""
    personal_id, records = _records()
    body = {
        "format": "eforms.citizen-data-store/1",
        "personal_id": personal_id,
        "exported_at": datetime.now(UTC).isoformat(),
        "records": [r.to_dict() for r in records],
    }
    audit(
        "citizen.data_store_export", object_type="citizen_store", details={"records": len(records)}
    )
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="kho-du-lieu.json"'},
    )
