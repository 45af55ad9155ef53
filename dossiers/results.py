"""Results of procedures: the certificate or decision, drafted, signed and issued.

- :func:`result_content` picks the essential data of a dossier for its
  procedure's result (the child's name and date of birth for a birth
  certificate, the address for a residence registration, ...).
- :func:`render_result` renders it to PDF/A-3b (WeasyPrint, the same PDF/A
  writer and QR code as the forms), with the dossier's data embedded.
- :func:`draft_result` (officer) stores the draft and adds ``RESULT_DRAFT``.
- :func:`approve_and_sign` (leader) approves, signs through the given
  ``sign`` callable (leader signature then agency seal), stores the signed
  PDF as ``RESULT`` and issues it, in one unit of work: when signing fails
  the caller's transaction rolls back and the dossier is unchanged.
- :func:`citizen_record` is what enters the citizen's data store.

No Flask, no settings: the portal passes the object store, the base URL and
the signing callable.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2

from dossiers.calendar import VN_TZ
from dossiers.errors import DossierError, DossierPermissionError
from dossiers.model import ActingUser, DocumentKind, Dossier, Procedure
from dossiers.repository import load_procedure
from dossiers.services import DossierPolicy, act, add_document, get_dossier
from dossiers.status import Action, Actor, Status
from eforms import __version__
from forms_builder.rendering import lookup_url, qr_svg_data_uri
from forms_builder.rendering.pdfa_metadata import DocumentInfo
from forms_builder.rendering.weasyprint_pdf import PdfOutput, html_to_pdfa
from signing.appearance import Box, signing_block
from signing.document import add_signature_fields
from storage.ports import ObjectStore

__all__ = [
    "RESULT_FIELDS",
    "CitizenResult",
    "ResultContent",
    "SignResult",
    "approve_and_sign",
    "citizen_record",
    "draft_result",
    "render_result",
    "result_content",
]

SignResult = Callable[[bytes], bytes]
"""Signs a drafted result (leader signature, then agency seal); raises on failure."""


@dataclass(frozen=True)
class ResultField:
    label_vi: str
    label_en: str
    path: str
    """Dotted path into the dossier's submitted data."""


RESULT_FIELDS: dict[str, tuple[ResultField, ...]] = {
    "1.001193": (
        ResultField("Họ, chữ đệm, tên", "Full name", "child.full_name"),
        ResultField("Ngày, tháng, năm sinh", "Date of birth", "child.birth_date"),
        ResultField("Giới tính", "Sex", "child.sex"),
        ResultField("Nơi sinh", "Place of birth", "child.birth_facility"),
        ResultField("Họ, chữ đệm, tên người mẹ", "Mother", "mother.full_name"),
        ResultField("Họ, chữ đệm, tên người cha", "Father", "father.full_name"),
    ),
    "1.004222": (
        ResultField("Họ, chữ đệm, tên", "Full name", "full_name"),
        ResultField("Ngày, tháng, năm sinh", "Date of birth", "birth_date"),
        ResultField("Số định danh cá nhân", "Personal ID", "personal_id"),
        ResultField("Nội dung đăng ký", "Registration", "request_content"),
    ),
    "1.013225": (
        ResultField("Chủ đầu tư", "Investor", "investor.name"),
        ResultField("Thửa đất số", "Land lot", "site.lot_number"),
        ResultField("Địa điểm xây dựng", "Site", "site.address.street"),
        ResultField("Cấp công trình", "Works grade", "works.grade"),
    ),
}
"""Essential data printed on each procedure's result; other procedures print the applicant."""

#: Name of the citizen data store record each procedure's result becomes.
RECORD_NAMES = {"1.001193": "birth_certificate", "1.004222": "residence_registration"}


@dataclass(frozen=True)
class ResultContent:
    """What a result document says."""

    dossier_code: str
    agency_name: str
    title_vi: str
    title_en: str
    fields: tuple[tuple[str, str], ...]
    """(label, value) pairs, labels bilingual."""
    issued_on: date
    lookup_url: str | None


@dataclass(frozen=True)
class CitizenResult:
    """A result as the citizen's data store keeps it."""

    personal_id: str
    name: str
    data: dict[str, Any]
    dossier_code: str


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for key in path.split("."):
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


_SEX = {"male": "Nam / Male", "female": "Nữ / Female"}


def _printable(value: Any) -> str:
    """Dates as dd/mm/yyyy, sexes in words; the rest as given."""
    text = str(value)
    if text in _SEX:
        return _SEX[text]
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y") if len(text) == 10 else text
    except ValueError:
        return text


def result_content(
    dossier: Dossier,
    procedure: Procedure,
    *,
    agency_name: str,
    base_url: str | None,
    issued_on: date,
) -> ResultContent:
    """The essential data of ``dossier`` for its procedure's result."""
    spec = RESULT_FIELDS.get(procedure.code)
    if spec:
        fields = tuple(
            (f"{f.label_vi} / {f.label_en}", _printable(v))
            for f in spec
            if (v := _lookup(dossier.data, f.path)) not in (None, "")
        )
    else:
        fields = (("Người yêu cầu / Applicant", dossier.applicant.name),)
    return ResultContent(
        dossier_code=dossier.code,
        agency_name=agency_name,
        title_vi=procedure.result_title_vi or procedure.name_vi,
        title_en=procedure.result_title_en or procedure.name_en,
        fields=fields,
        issued_on=issued_on,
        lookup_url=lookup_url(base_url, dossier.code) if base_url else None,
    )


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def render_result(content: ResultContent, *, created: datetime | None = None) -> bytes:
    """The result as PDF/A-3b, its content embedded as ``data.json``."""
    moment = (created or datetime.now(VN_TZ)).astimezone(VN_TZ).replace(microsecond=0)
    qr = qr_svg_data_uri(content.lookup_url) if content.lookup_url else None
    html = _TEMPLATES.get_template("result.html").render(c=content, qr=qr)
    payload = {
        "dossier_code": content.dossier_code,
        "title": content.title_vi,
        "issued_on": content.issued_on.isoformat(),
        "fields": [list(f) for f in content.fields],
    }
    info = DocumentInfo(
        title=f"{content.title_vi} - {content.dossier_code}",
        subject=content.title_en,
        keywords=(content.dossier_code, "result"),
        creator_tool=f"eforms {__version__}",
        created=moment,
    )
    data_json = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return _with_signature_fields(
        html_to_pdfa(html, data_json=data_json, info=info, regions=(SIGNING_AREA,))
    )


SIGNING_AREA = "signing-area"
"""Element id of the space under "THỦ TRƯỞNG CƠ QUAN (Ký số, đóng dấu)" in result.html."""


def _with_signature_fields(output: PdfOutput) -> bytes:
    """The result with empty ``leader_1`` and ``seal_1`` fields in its signing block, so the
    signatures land where the form puts them (not over the QR code and lookup address)."""
    area = output.regions.get(SIGNING_AREA)
    if area is None:
        return output.pdf
    leader, seal = signing_block(Box(area.x1, area.y1, area.x2, area.y2))
    return add_signature_fields(
        output.pdf, {"leader_1": (area.page, leader), "seal_1": (area.page, seal)}
    )


def _store(store: ObjectStore, key: str, pdf: bytes) -> tuple[str, int]:
    digest = hashlib.sha256(pdf).hexdigest()
    store.put(key, io.BytesIO(pdf), sha256=digest, content_type="application/pdf")
    return digest, len(pdf)


def _require(dossier: Dossier, user: ActingUser, actor: Actor) -> None:
    if user.actor is not actor or dossier.agency_id not in user.agency_ids:
        raise DossierPermissionError(
            "Bạn không có quyền thực hiện thao tác này với hồ sơ.",
            "You may not do this on this dossier in your role.",
            details={"code": dossier.code, "role": str(user.actor)},
        )


def draft_result(
    session: Any,
    code: str,
    *,
    store: ObjectStore,
    user: ActingUser,
    agency_name: str,
    base_url: str | None,
    now: datetime | None = None,
) -> bytes:
    """Render the result of dossier ``code``, store it and add it as ``RESULT_DRAFT``.

    Only an officer of the owning agency, while the dossier is in processing.
    A new draft replaces the previous one (the newest draft is signed).
    """
    dossier = get_dossier(session, code)
    _require(dossier, user, Actor.OFFICER)
    if dossier.status is not Status.IN_PROCESSING:
        raise DossierError(
            f"Chỉ soạn kết quả khi hồ sơ đang xử lý (hiện tại: {dossier.status.label('vi')}).",
            f"A result is drafted while the dossier is in processing "
            f"(now: {dossier.status.label('en')}).",
            code="dossiers.draft_status",
        )
    procedure = load_procedure(session, dossier.procedure_code)
    moment = (now or datetime.now(VN_TZ)).astimezone(VN_TZ)
    content = result_content(
        dossier, procedure, agency_name=agency_name, base_url=base_url, issued_on=moment.date()
    )
    pdf = render_result(content, created=moment)
    number = len(dossier.documents_of(DocumentKind.RESULT_DRAFT)) + 1
    key = f"dossiers/{code}/result-draft-{number}.pdf"
    digest, size = _store(store, key, pdf)
    add_document(
        session,
        code,
        kind=DocumentKind.RESULT_DRAFT,
        title=f"Dự thảo {content.title_vi} / Draft {content.title_en}",
        file_name=f"du-thao-ket-qua-{number}.pdf",
        media_type="application/pdf",
        object_key=key,
        sha256=digest,
        size=size,
        created_by=user.username,
    )
    return pdf


def approve_and_sign(
    session: Any,
    code: str,
    *,
    store: ObjectStore,
    user: ActingUser,
    policy: DossierPolicy,
    sign: SignResult,
    source_ip: str | None = None,
) -> Dossier:
    """Approve, sign the newest draft, store it as the signed ``RESULT`` and issue it.

    The status checks run first (wrong status or no draft: refused before
    anything is signed; an approved dossier without a signed result is signed
    and issued); a signing error propagates, so the caller's unit of
    work rolls back and the dossier stays awaiting approval.
    """
    dossier = get_dossier(session, code)
    if dossier.status is Status.APPROVED and not dossier.documents_of(DocumentKind.RESULT):
        # Approved earlier without a signature (e.g. imported): sign and issue now.
        _require(dossier, user, Actor.LEADER)
    else:
        act(session, code, Action.APPROVE, user=user, policy=policy, source_ip=source_ip)
        dossier = get_dossier(session, code)
    draft = dossier.documents_of(DocumentKind.RESULT_DRAFT)[-1]
    with store.get(draft.object_key) as reader:
        unsigned = reader.read()
    signed = sign(unsigned)
    key = f"dossiers/{code}/result-signed.pdf"
    digest, size = _store(store, key, signed)
    procedure = load_procedure(session, dossier.procedure_code)
    add_document(
        session,
        code,
        kind=DocumentKind.RESULT,
        title=f"{procedure.result_title_vi or procedure.name_vi} / "
        f"{procedure.result_title_en or procedure.name_en}",
        file_name=f"ket-qua-{code}.pdf",
        media_type="application/pdf",
        object_key=key,
        sha256=digest,
        size=size,
        created_by=user.username,
        signed=True,
    )
    return act(session, code, Action.ISSUE_RESULT, user=user, policy=policy, source_ip=source_ip)


def citizen_record(dossier: Dossier) -> CitizenResult | None:
    """The record the result of ``dossier`` adds to its applicant's data store, if any."""
    name = RECORD_NAMES.get(dossier.procedure_code)
    if name is None or dossier.applicant.kind != "person":
        return None
    data: dict[str, Any]
    if name == "birth_certificate":
        child = dossier.data.get("child") or {}
        data = {
            "child_name": child.get("full_name"),
            "date_of_birth": child.get("birth_date"),
            "sex": child.get("sex"),
            "place_of_birth": child.get("birth_facility"),
            "mother_name": (dossier.data.get("mother") or {}).get("full_name"),
            "father_name": (dossier.data.get("father") or {}).get("full_name"),
        }
    else:
        data = {
            "full_name": dossier.data.get("full_name"),
            "address": dossier.data.get("request_content"),
        }
    data = {k: v for k, v in data.items() if v not in (None, "")}
    return CitizenResult(
        personal_id=dossier.applicant.identifier, name=name, data=data, dossier_code=dossier.code
    )
