"""Every 403 leaves one ``denied`` audit event, whichever code path refused."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dossiers import Applicant, ApplicantKind, Submission, submit
from portal.demo import DEMO_CITIZEN_ID
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import UserRow
from tests.conftest import login


def _denied(app: Flask) -> list:
    with services(app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(outcome="denied"), limit=100)
    return rows


def _submit(app: Flask) -> str:
    svc = services(app)
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        assert citizen is not None
        dossier = submit(
            session,
            Submission(
                procedure_code="1.001193",
                applicant=Applicant(
                    ApplicantKind.PERSON, DEMO_CITIZEN_ID, "Trần Văn Công Dân", citizen.id
                ),
                data={"ho_ten": "Trần Thị Bé"},
                idempotency_key="k-errors",
            ),
            policy=svc.dossier_policy,
            actor="citizen",
        )
    return dossier.code


def test_abort_403_on_citizen_pages_is_audited(app: Flask, client: FlaskClient) -> None:
    code = _submit(app)
    login(client, "officer2")
    receipt = f"/citizen/bien-nhan/{code}"
    assert client.get(receipt).status_code == 403
    client.post("/logout")
    login(client, "auditor")
    download = f"/citizen/ho-so/{code}/tai-lieu/1"
    assert client.get(download).status_code == 403
    first, second = sorted(_denied(app), key=lambda e: e.id)
    assert (first.actor, first.action, first.object_id) == ("officer2", "access.denied", receipt)
    assert first.details == {"method": "GET", "endpoint": "citizen.receipt"}
    # The download is refused by the dossier's own check, which audits it once.
    assert second.actor == "auditor" and second.outcome == "denied"
    assert code in (second.object_id or "") or second.object_id == download


def test_metrics_refused_to_a_remote_address_is_audited(app: Flask, client: FlaskClient) -> None:
    response = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 403
    [event] = _denied(app)
    assert (event.actor, event.object_type, event.object_id) == ("anonymous", "path", "/metrics")
    assert event.source_ip == "203.0.113.9"


def test_json_403_of_the_forms_api_is_audited(app: Flask, client: FlaskClient) -> None:
    login(client, "officer")
    response = client.post("/api/forms", json={})
    assert response.status_code == 403 and response.json["error"]["code"] == "auth.forbidden"
    [event] = _denied(app)
    assert event.actor == "officer" and event.details["endpoint"] == "forms_api.create_draft"


def test_role_check_403_is_audited_once(app: Flask, client: FlaskClient) -> None:
    login(client, "citizen")
    assert client.get("/officer/").status_code == 403
    [event] = _denied(app)
    assert event.details["required"]  # the role check's own, more detailed event


def test_admin_refusal_is_audited_once(app: Flask, client: FlaskClient) -> None:
    login(client, "admin2")
    response = client.post(
        "/admin/users/officer/grant", data={"role": "officer", "agency_id": "000.00.00.H56"}
    )
    assert response.status_code == 403
    [event] = _denied(app)
    assert event.action == "users.grant"


def test_other_errors_are_not_audited_as_denials(app: Flask, client: FlaskClient) -> None:
    assert client.get("/no-such-page").status_code == 404
    assert _denied(app) == []
