"""Officer queue, dossier page and actions, citizen list, public lookup."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dossiers import Applicant, ApplicantKind, Status, Submission, get_dossier, submit
from portal.demo import DEMO_CITIZEN_ID
from portal.services import services
from storage.audit import AuditFilter, search_events
from storage.schema import UserRow
from tests.conftest import login


def _submit(app: Flask, procedure: str = "1.001193", key: str = "k1") -> str:
    svc = services(app)
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        assert citizen is not None
        dossier = submit(
            session,
            Submission(
                procedure_code=procedure,
                applicant=Applicant(
                    ApplicantKind.PERSON, DEMO_CITIZEN_ID, "Trần Văn Công Dân", citizen.id
                ),
                data={"ho_ten": "Trần Thị Bé", "noi_sinh": "Hà Nội"},
                idempotency_key=key,
            ),
            policy=svc.dossier_policy,
            actor="citizen",
        )
    return dossier.code


def _status(app: Flask, code: str) -> Status:
    with services(app).db.unit_of_work() as session:
        return get_dossier(session, code).status


def test_officer_sees_queue_and_receives(app: Flask, client: FlaskClient) -> None:
    code = _submit(app)
    login(client, "officer")
    queue = client.get("/officer/").get_data(as_text=True)
    assert code in queue and "Trần Văn Công Dân" in queue
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Tiếp nhận" in page and "Trần Thị Bé" in page
    response = client.post(f"/dossiers/{code}/act", data={"action": "receive", "note": "Đủ"})
    assert response.status_code == 302
    assert _status(app, code) is Status.RECEIVED


def test_illegal_action_is_refused_with_message(app: Flask, client: FlaskClient) -> None:
    code = _submit(app)
    login(client, "leader")
    response = client.post(f"/dossiers/{code}/act", data={"action": "approve"})
    assert response.status_code == 302
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Không thể" in page or "không có quyền" in page.lower()
    assert _status(app, code) is Status.SUBMITTED


def test_officer_of_another_agency_cannot_open(app: Flask, client: FlaskClient) -> None:
    code = _submit(app)
    login(client, "officer2")
    assert client.get(f"/dossiers/{code}").status_code == 403
    assert client.post(f"/dossiers/{code}/act", data={"action": "receive"}).status_code == 403
    assert code not in client.get("/officer/").get_data(as_text=True)
    assert _status(app, code) is Status.SUBMITTED
    with services(app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(action="access.denied", actor="officer2"))
    assert rows


def test_citizen_sees_and_withdraws_own_dossier(app: Flask, client: FlaskClient) -> None:
    code = _submit(app)
    login(client, "citizen")
    assert code in client.get("/citizen/").get_data(as_text=True)
    client.post(f"/dossiers/{code}/act", data={"action": "withdraw"})
    assert _status(app, code) is Status.WITHDRAWN


def test_supervisor_reads_but_cannot_act(app: Flask, client: FlaskClient) -> None:
    code = _submit(app)
    login(client, "supervisor")
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert code in page and 'name="action"' not in page
    assert client.post(f"/dossiers/{code}/act", data={"action": "receive"}).status_code == 403


def test_public_lookup_shows_status_only(app: Flask, client: FlaskClient) -> None:
    code = _submit(app)
    response = client.get(f"/tra-cuu?code={code}")
    assert response.status_code == 302
    page = client.get(f"/tra-cuu/{code}").get_data(as_text=True)
    assert "Đăng ký khai sinh" in page and "Đã nộp" in page
    assert DEMO_CITIZEN_ID not in page and "Trần" not in page


def test_lookup_of_unknown_or_malformed_code(client: FlaskClient) -> None:
    missing = client.get("/tra-cuu/000.00.00.H56-261122-9999")
    assert missing.status_code == 404 and "Không tìm thấy" in missing.get_data(as_text=True)
    bad = client.get("/tra-cuu/<script>")
    assert bad.status_code == 404 and "định dạng" in bad.get_data(as_text=True)


def test_lookup_is_rate_limited(tmp_path, seeded_sqlite) -> None:  # type: ignore[no-untyped-def]
    from portal import create_app
    from tests.conftest import install_seeded_db, make_settings

    settings = make_settings(tmp_path / "d", lookup_rate_limit="5 per minute")
    install_seeded_db(seeded_sqlite, settings.data_dir)
    client = create_app(settings).test_client()
    codes = [client.get("/tra-cuu/000.00.00.H56-261122-0001").status_code for _ in range(7)]
    assert codes[:5] == [404] * 5 and codes[5:] == [429, 429]
