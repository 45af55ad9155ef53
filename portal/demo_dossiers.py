"""Demo dossiers: every demo procedure in every status, closed ones with signed results.

Run by ``eforms demo seed`` after the accounts and the forms library exist.
Idempotent: each demo dossier has the idempotency key
``demo-<procedure>-<status>`` and is skipped when it exists. Each dossier is
walked through the real services (``act``, ``draft_result``,
``approve_and_sign``) so history, audit, outbox and the archive queue are as
in production. The submitted form is the library's first test case,
rendered to PDF/A-3b once per procedure (the bytes are shared by that
procedure's demo dossiers, which keeps seeding to a few seconds).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from dossiers import (
    ActingUser,
    Action,
    Actor,
    Applicant,
    ApplicantKind,
    DocumentKind,
    Status,
    Submission,
    act,
    add_document,
    get_dossier,
    submit,
)
from dossiers.results import SignResult, approve_and_sign, draft_result
from forms_builder.library import library_documents
from forms_builder.rendering import render_pdf
from portal.demo import DEMO_CITIZEN_ID, DEMO_PROCEDURES, HOME, OTHER, POLICE
from portal.dossiers.results import result_signer, store_for_citizen
from portal.services import Services
from storage.schema import AgencyRow, UserRow
from storage.schema.dossiers import DossierRow

STAFF = {
    HOME: ("officer", "leader"),
    POLICE: ("officer.ca", "leader.ca"),
    OTHER: ("officer2", "leader2"),
}

OFF, LEAD, CIT = "officer", "leader", "citizen"
DRAFT, SIGN = "draft", "sign"
#: How each status is reached: (who, action) steps after submission.
PATHS: dict[Status, tuple[tuple[str, Action | str], ...]] = {
    Status.SUBMITTED: (),
    Status.RECEIVED: ((OFF, Action.RECEIVE),),
    Status.IN_PROCESSING: ((OFF, Action.RECEIVE), (OFF, Action.START_PROCESSING)),
    Status.SUPPLEMENT_REQUESTED: ((OFF, Action.RECEIVE), (OFF, Action.REQUEST_SUPPLEMENT)),
    Status.SUPPLEMENTED: (
        (OFF, Action.RECEIVE),
        (OFF, Action.REQUEST_SUPPLEMENT),
        (CIT, Action.SUPPLEMENT),
    ),
    Status.AWAITING_APPROVAL: (
        (OFF, Action.RECEIVE),
        (OFF, Action.START_PROCESSING),
        (OFF, DRAFT),
        (OFF, Action.SUBMIT_FOR_APPROVAL),
    ),
    Status.REJECTED: ((OFF, Action.RECEIVE), (OFF, Action.REJECT)),
    Status.WITHDRAWN: ((CIT, Action.WITHDRAW),),
}
PATHS[Status.APPROVED] = (*PATHS[Status.AWAITING_APPROVAL], (LEAD, Action.APPROVE))
PATHS[Status.RESULT_ISSUED] = (*PATHS[Status.AWAITING_APPROVAL], (LEAD, SIGN))
PATHS[Status.CLOSED] = (*PATHS[Status.RESULT_ISSUED], (OFF, Action.CLOSE))

NOTES = {
    Action.REQUEST_SUPPLEMENT: (
        "Đề nghị bổ sung bản chụp giấy tờ tùy thân / Please add a copy of your ID."
    ),
    Action.REJECT: "Hồ sơ không thuộc thẩm quyền giải quyết / Not within this agency's competence.",
}


@dataclass(frozen=True)
class _Form:
    code: str
    version: str
    data: dict
    pdf: bytes


def _forms(svc: Services) -> dict[str, _Form]:
    """The first accepted test case of each demo procedure's form, rendered once."""
    documents = {d["code"]: d for d in library_documents()}
    forms = {}
    for procedure in DEMO_PROCEDURES:
        doc = documents.get(procedure.form_code or "")
        if doc is None:
            continue
        definition = svc.forms.get(doc["code"])
        case = next(c for c in doc["test_cases"] if c["expect"].get("accepted"))
        rendered = render_pdf(definition, case["data"])
        forms[procedure.code] = _Form(
            doc["code"], str(definition.version), case["data"], rendered.pdf
        )
    return forms


def seed_demo_dossiers(svc: Services, *, base_url: str, echo: Callable[[str], None] = print) -> int:
    """Create the missing demo dossiers; return how many were created."""
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        existing = set(
            session.scalars(
                select(DossierRow.idempotency_key).where(DossierRow.idempotency_key.like("demo-%"))
            )
        )
        users = {u.username: u.id for u in session.scalars(select(UserRow))}
    if citizen is None:
        return 0
    wanted = [
        (p, status)
        for p in DEMO_PROCEDURES
        for status in PATHS
        if f"demo-{p.code}-{status}" not in existing
    ]
    if not wanted:
        return 0
    forms = _forms(svc)
    cache: dict[tuple[str, str], SignResult] = {}

    def signers(leader: str, agency_id: str) -> SignResult:
        """One signer per leader and agency: keys parsed and statuses checked once."""
        if (leader, agency_id) not in cache:
            cache[leader, agency_id] = result_signer(svc, leader=leader, agency_id=agency_id)
        return cache[leader, agency_id]

    for procedure, status in wanted:
        form = forms.get(procedure.code)
        if form is None:
            continue
        code = _create(svc, procedure.code, status, form, citizen.id, citizen.full_name)
        _walk(svc, code, procedure.agency_id, status, users, citizen.id, base_url, signers)
    echo(f"Demo dossiers: {len(wanted)} created.")
    return len(wanted)


def _create(
    svc: Services, procedure: str, status: Status, form: _Form, user_id: int, name: str
) -> str:
    with svc.db.unit_of_work() as session:
        dossier = submit(
            session,
            Submission(
                procedure_code=procedure,
                applicant=Applicant(ApplicantKind.PERSON, DEMO_CITIZEN_ID, name, user_id),
                data=form.data,
                form_code=form.code,
                form_version=form.version,
                idempotency_key=f"demo-{procedure}-{status}",
            ),
            policy=svc.dossier_policy,
            actor="citizen",
        )
        key = f"dossiers/{dossier.code}/form.pdf"
        digest = hashlib.sha256(form.pdf).hexdigest()
        svc.object_store.put(
            key, io.BytesIO(form.pdf), sha256=digest, content_type="application/pdf"
        )
        add_document(
            session,
            dossier.code,
            kind=DocumentKind.FORM,
            title="Tờ khai / Application form",
            file_name="to-khai.pdf",
            media_type="application/pdf",
            object_key=key,
            sha256=digest,
            size=len(form.pdf),
            created_by="citizen",
        )
    return dossier.code


def _walk(
    svc: Services,
    code: str,
    agency_id: str,
    status: Status,
    users: dict[str, int],
    citizen_id: int,
    base_url: str,
    signers: Callable[[str, str], SignResult],
) -> None:
    officer, leader = STAFF[agency_id]
    people = {
        OFF: ActingUser(officer, Actor.OFFICER, frozenset({agency_id}), users.get(officer)),
        LEAD: ActingUser(leader, Actor.LEADER, frozenset({agency_id}), users.get(leader)),
        CIT: ActingUser("citizen", Actor.APPLICANT, frozenset(), citizen_id),
    }
    for who, step in PATHS[status]:
        user = people[who]
        with svc.db.unit_of_work() as session:
            if step == DRAFT:
                agency = session.get(AgencyRow, agency_id)
                draft_result(
                    session,
                    code,
                    store=svc.object_store,
                    user=user,
                    agency_name=agency.name_vi if agency else agency_id,
                    base_url=base_url,
                )
            elif step == SIGN:
                issued = approve_and_sign(
                    session,
                    code,
                    store=svc.object_store,
                    user=user,
                    policy=svc.dossier_policy,
                    sign=signers(leader, agency_id),
                )
            else:
                act(
                    session,
                    code,
                    Action(step),
                    user=user,
                    policy=svc.dossier_policy,
                    note=NOTES.get(Action(step)),
                )
        if step == SIGN:
            store_for_citizen(svc, issued)
    with svc.db.unit_of_work() as session:
        assert get_dossier(session, code).status is status
