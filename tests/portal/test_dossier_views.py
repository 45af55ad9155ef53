"""Officer queue, dossier page and actions, citizen list, public lookup."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

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
from dossiers.status import TRANSITIONS
from portal.demo import DEMO_CITIZEN_ID
from portal.services import services
from storage.audit import AuditFilter, Outcome, search_events
from storage.schema import UserRow
from storage.schema.dossiers import OutboxEventRow
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


# --- Refusals through the page: every wrong action, forged values, double submits, other
# agencies. Each leaves the dossier exactly as it was and an audit event behind.

OFFICER = ActingUser("officer", Actor.OFFICER, frozenset({"000.00.00.H56"}))
LEADER = ActingUser("leader", Actor.LEADER, frozenset({"000.00.00.H56"}))
PATHS: dict[Status, list[Action]] = {
    Status.SUBMITTED: [],
    Status.RECEIVED: [Action.RECEIVE],
    Status.IN_PROCESSING: [Action.RECEIVE, Action.START_PROCESSING],
    Status.SUPPLEMENT_REQUESTED: [Action.RECEIVE, Action.REQUEST_SUPPLEMENT],
    Status.SUPPLEMENTED: [Action.RECEIVE, Action.REQUEST_SUPPLEMENT, Action.SUPPLEMENT],
    Status.AWAITING_APPROVAL: [Action.RECEIVE, Action.START_PROCESSING, Action.SUBMIT_FOR_APPROVAL],
    Status.APPROVED: [
        Action.RECEIVE,
        Action.START_PROCESSING,
        Action.SUBMIT_FOR_APPROVAL,
        Action.APPROVE,
    ],
    Status.RESULT_ISSUED: [
        Action.RECEIVE,
        Action.START_PROCESSING,
        Action.SUBMIT_FOR_APPROVAL,
        Action.APPROVE,
        Action.ISSUE_RESULT,
    ],
    Status.CLOSED: [Action.REJECT, Action.CLOSE],
    Status.REJECTED: [Action.REJECT],
    Status.WITHDRAWN: [Action.WITHDRAW],
}
ACCOUNT_FOR = {Actor.OFFICER: "officer", Actor.LEADER: "leader", Actor.APPLICANT: "citizen"}


def _in_status(app: Flask, status: Status) -> str:
    """A dossier brought to ``status`` through the library (documents where steps need them)."""
    code = _submit(app, key=f"in-{status}")
    svc = services(app)
    with svc.db.unit_of_work() as session:
        citizen = get_dossier(session, code).applicant.user_id
        applicant = ActingUser("citizen", Actor.APPLICANT, frozenset(), citizen)
        for action in PATHS[status]:
            if action in (Action.SUBMIT_FOR_APPROVAL, Action.ISSUE_RESULT):
                kind = (
                    DocumentKind.RESULT_DRAFT
                    if action is Action.SUBMIT_FOR_APPROVAL
                    else DocumentKind.RESULT
                )
                add_document(
                    session,
                    code,
                    kind=kind,
                    title="Kết quả",
                    file_name="kq.pdf",
                    media_type="application/pdf",
                    object_key=f"dossiers/{code}/{kind}.pdf",
                    sha256="0" * 64,
                    size=1,
                    created_by="officer",
                )
            actor = TRANSITIONS[action].actors
            user = (
                applicant
                if Actor.APPLICANT in actor
                else OFFICER
                if Actor.OFFICER in actor
                else LEADER
            )
            act(session, code, action, user=user, policy=svc.dossier_policy, note="Lý do")
    return code


def _snapshot(app: Flask, code: str) -> tuple[Status, int, int]:
    with services(app).db.unit_of_work() as session:
        dossier = get_dossier(session, code)
        outbox = session.scalar(
            select(func.count())
            .select_from(OutboxEventRow)
            .where(OutboxEventRow.aggregate_id == code)
        )
    return dossier.status, len(dossier.history), outbox or 0


def _failures(app: Flask, code: str) -> list[str]:
    with services(app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(object_id=code, outcome=Outcome.FAILURE))
    return [r.action for r in rows]


def _client(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    login(client, username)
    return client


def test_every_action_from_every_wrong_status_is_refused(app: Flask) -> None:
    clients = {name: _client(app, name) for name in ACCOUNT_FOR.values()}
    refused = 0
    for status in Status:
        code = _in_status(app, status)
        before = _snapshot(app, code)
        assert before[0] is status
        for action, transition in TRANSITIONS.items():
            if status in transition.sources:
                continue
            # The first person who may take the action at all (never the system).
            actor = next(a for a in ACCOUNT_FOR if a in transition.actors)
            client = clients[ACCOUNT_FOR[actor]]
            response = client.post(
                f"/dossiers/{code}/act", data={"action": str(action), "note": "Lý do"}
            )
            assert response.status_code == 302, (status, action)
            page = client.get(f"/dossiers/{code}").get_data(as_text=True)
            assert "Không thể" in page or "đã ở trạng thái" in page, (status, action)
            assert _snapshot(app, code) == before, (status, action)
            assert f"dossier.{action}" in _failures(app, code), (status, action)
            refused += 1
    assert refused > 80


@pytest.mark.parametrize("forged", ["", "delete", "APPROVE", "receive;--", "x" * 500])
def test_forged_action_values_are_refused_clearly(
    app: Flask, client: FlaskClient, forged: str
) -> None:
    code = _submit(app)
    before = _snapshot(app, code)
    login(client, "officer")
    response = client.post(f"/dossiers/{code}/act", data={"action": forged})
    assert response.status_code == 400
    assert "Thao tác gửi lên không có" in response.get_data(as_text=True)
    assert _snapshot(app, code) == before
    assert _failures(app, code)


def test_approving_through_the_plain_action_is_refused(app: Flask, client: FlaskClient) -> None:
    """Approving always signs: a forged 'approve' post does not approve without a signature."""
    code = _in_status(app, Status.AWAITING_APPROVAL)
    before = _snapshot(app, code)
    login(client, "leader")
    client.post(f"/dossiers/{code}/act", data={"action": "approve"})
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Phê duyệt và ký số kết quả" in page and "Phê duyệt đi cùng với ký số" in page
    assert _snapshot(app, code) == before


def test_a_double_submit_makes_one_transition(app: Flask, client: FlaskClient) -> None:
    code = _submit(app)
    login(client, "officer")
    for _ in range(2):
        response = client.post(f"/dossiers/{code}/act", data={"action": "receive"})
        assert response.status_code == 302
    status, history, outbox = _snapshot(app, code)
    assert (status, history, outbox) == (Status.RECEIVED, 2, 2)
    page = client.get(f"/dossiers/{code}").get_data(as_text=True)
    assert "Hồ sơ đã ở trạng thái" in page and "gửi hai lần" in page


def test_staff_of_another_agency_can_neither_open_act_download_draft_nor_sign(
    app: Flask,
) -> None:
    code = _in_status(app, Status.AWAITING_APPROVAL)
    before = _snapshot(app, code)
    with services(app).db.unit_of_work() as session:
        [draft] = get_dossier(session, code).documents
    officer2, leader2 = _client(app, "officer2"), _client(app, "leader2")
    answers = [
        officer2.get(f"/dossiers/{code}"),
        officer2.get(f"/dossiers/{code}/documents/{draft.id}"),
        officer2.post(f"/dossiers/{code}/result/draft"),
        leader2.post(f"/dossiers/{code}/result/sign"),
        *(
            client.post(f"/dossiers/{code}/act", data={"action": str(a), "note": "x"})
            for client in (officer2, leader2)
            for a in Action
        ),
    ]
    assert {r.status_code for r in answers} == {403}
    assert "cơ quan" in answers[0].get_data(as_text=True) or "quyền" in answers[0].get_data(
        as_text=True
    )
    assert _snapshot(app, code) == before
    with services(app).db.unit_of_work() as session:
        denied, _ = search_events(session, AuditFilter(action="access.denied"), limit=500)
    assert sum(1 for e in denied if e.actor in ("officer2", "leader2")) >= len(answers)
