"""The dossier status machine: codes, transitions, deadlines, audit and outbox."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dossiers import (
    ActingUser,
    Action,
    Actor,
    CodeFormat,
    DocumentKind,
    DossierError,
    DossierNotFoundError,
    DossierPermissionError,
    DossierPolicy,
    IllegalTransitionError,
    Status,
    WorkingCalendar,
    act,
    add_document,
    allowed_actions,
    get_dossier,
    public_status,
    submit,
)
from storage.audit import AuditFilter, search_events, verify_chain
from storage.db import Database
from storage.schema import ArchiveQueueRow, DossierRow, OutboxEventRow
from storage.schema.dossiers import DossierCounterRow
from tests.dossiers.conftest import CITIZEN_ID, HOME, MONDAY, OTHER, birth_submission

POLICY = DossierPolicy(calendar=WorkingCalendar.from_iso(["2026-11-25"]))
OFFICER = ActingUser("officer", Actor.OFFICER, frozenset({HOME}))
LEADER = ActingUser("leader", Actor.LEADER, frozenset({HOME}))
APPLICANT = ActingUser("citizen", Actor.APPLICANT, user_id=CITIZEN_ID)


def _add(db: Database, code: str, kind: DocumentKind) -> None:
    with db.unit_of_work() as s:
        add_document(
            s,
            code,
            kind=kind,
            title="Kết quả",
            file_name="kq.pdf",
            media_type="application/pdf",
            object_key=f"dossiers/{code}/{kind}.pdf",
            sha256="0" * 64,
            size=10,
            created_by="officer",
            signed=kind is DocumentKind.RESULT,
        )


def _go(
    db: Database,
    code: str,
    action: Action,
    user: ActingUser,
    note: str | None = None,
    now: datetime = MONDAY,
) -> None:
    with db.unit_of_work() as s:
        act(s, code, action, user=user, policy=POLICY, note=note, now=now)


def test_submission_gets_code_and_is_idempotent(db: Database) -> None:
    with db.unit_of_work() as s:
        first = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY)
        again = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY)
        other = submit(s, birth_submission("k-2"), policy=POLICY, actor="citizen", now=MONDAY)
    assert first.code == again.code == f"{HOME}-261123-0001"
    assert other.code == f"{HOME}-261123-0002"
    assert first.status is Status.SUBMITTED
    with db.unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(DossierRow)) == 2


def test_concurrent_submissions_draw_distinct_numbers_without_retrying(db: Database) -> None:
    """Eight threads, each in its own unit of work, on SQLite and PostgreSQL alike."""
    start = threading.Barrier(8)

    def one(i: int) -> str:
        start.wait()
        with db.unit_of_work() as s:
            dossier = submit(s, birth_submission(f"race-{i}"), policy=POLICY, actor="c", now=MONDAY)
            return dossier.code

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(one, range(8)))
    assert sorted(codes) == [f"{HOME}-261123-{n:04d}" for n in range(1, 9)]
    with db.unit_of_work() as s:
        counter = s.get(DossierCounterRow, (HOME, "20261123"))
        assert counter is not None and counter.last == 8


def test_two_officers_receiving_at_once_make_one_transition(db: Database) -> None:
    with db.unit_of_work() as s:
        code = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY).code
    start = threading.Barrier(2)

    def receive(_: int) -> str:
        start.wait()
        try:
            _go(db, code, Action.RECEIVE, OFFICER)
        except IllegalTransitionError:
            return "refused"
        return "received"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(receive, range(2)))
    assert outcomes == ["received", "refused"]
    dossier = _load(db, code)
    assert [h.to_status for h in dossier.history] == [Status.SUBMITTED, Status.RECEIVED]


def test_code_pattern_is_configurable_and_checked(db: Database) -> None:
    policy = DossierPolicy(code_format=CodeFormat("HS-{agency}-{date:%Y%m%d}-{seq:06d}"))
    with db.unit_of_work() as s:
        dossier = submit(s, birth_submission(), policy=policy, actor="citizen", now=MONDAY)
    assert dossier.code == f"HS-{HOME}-20261123-000001"
    assert policy.code_format.matches(dossier.code)
    with pytest.raises(DossierError):
        CodeFormat("{agency}-{seq}")


def test_full_happy_path_with_deadlines_history_audit_outbox(db: Database) -> None:
    with db.unit_of_work() as s:
        code = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY).code
    _go(db, code, Action.RECEIVE, OFFICER)
    dossier = _load(db, code)
    # 3 working days after Monday 23/11, Wednesday 25/11 is a holiday: Fri 27/11 17:00 +07.
    assert dossier.due_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    _go(db, code, Action.START_PROCESSING, OFFICER)
    _go(db, code, Action.REQUEST_SUPPLEMENT, OFFICER, "Bổ sung bản sao giấy chứng sinh")
    _go(db, code, Action.SUPPLEMENT, APPLICANT, now=MONDAY + timedelta(days=1))
    _go(db, code, Action.RESUME, OFFICER, now=MONDAY + timedelta(days=1))
    assert _load(db, code).due_at == datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
    _add(db, code, DocumentKind.RESULT_DRAFT)
    _go(db, code, Action.SUBMIT_FOR_APPROVAL, OFFICER)
    _go(db, code, Action.APPROVE, LEADER)
    _add(db, code, DocumentKind.RESULT)
    _go(db, code, Action.ISSUE_RESULT, LEADER)
    _go(db, code, Action.CLOSE, OFFICER)
    dossier = _load(db, code)
    assert dossier.status is Status.CLOSED and dossier.supplement_count == 1
    assert [h.to_status for h in dossier.history] == [
        Status.SUBMITTED,
        Status.RECEIVED,
        Status.IN_PROCESSING,
        Status.SUPPLEMENT_REQUESTED,
        Status.SUPPLEMENTED,
        Status.IN_PROCESSING,
        Status.AWAITING_APPROVAL,
        Status.APPROVED,
        Status.RESULT_ISSUED,
        Status.CLOSED,
    ]
    assert dossier.history[3].note == "Bổ sung bản sao giấy chứng sinh"
    with db.unit_of_work() as s:
        events, total = search_events(s, AuditFilter(object_id=code, action="dossier."), limit=100)
        assert {e.action for e in events} >= {"dossier.submit", "dossier.receive", "dossier.close"}
        assert verify_chain(s).ok
        outbox = s.scalars(
            select(OutboxEventRow)
            .where(OutboxEventRow.aggregate_id == code)
            .order_by(OutboxEventRow.sequence)
        ).all()
        assert [o.sequence for o in outbox] == list(range(1, 11))
        assert outbox[-1].payload["status"] == "closed"
        assert s.get(ArchiveQueueRow, code) is not None


@pytest.mark.parametrize(
    ("action", "user"),
    [
        (Action.APPROVE, LEADER),
        (Action.CLOSE, OFFICER),
        (Action.SUPPLEMENT, APPLICANT),
        (Action.ISSUE_RESULT, LEADER),
    ],
)
def test_illegal_transitions_change_nothing(db: Database, action: Action, user: ActingUser) -> None:
    with db.unit_of_work() as s:
        code = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY).code
    with pytest.raises(IllegalTransitionError) as info:
        _go(db, code, action, user)
    assert "Không thể" in info.value.message_vi
    dossier = _load(db, code)
    assert dossier.status is Status.SUBMITTED and len(dossier.history) == 1


def test_approving_without_drafted_result_is_refused(db: Database) -> None:
    with db.unit_of_work() as s:
        code = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY).code
    for action in (Action.RECEIVE, Action.START_PROCESSING):
        _go(db, code, action, OFFICER)
    with pytest.raises(DossierError) as info:
        _go(db, code, Action.SUBMIT_FOR_APPROVAL, OFFICER)
    assert info.value.code == "dossiers.no_draft"
    assert _load(db, code).status is Status.IN_PROCESSING


def test_rejection_needs_a_reason(db: Database) -> None:
    with db.unit_of_work() as s:
        code = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY).code
    with pytest.raises(DossierError):
        _go(db, code, Action.REJECT, OFFICER, "   ")
    _go(db, code, Action.REJECT, OFFICER, "Không thuộc thẩm quyền")
    assert _load(db, code).status is Status.REJECTED


def test_officer_of_another_agency_cannot_act(db: Database) -> None:
    with db.unit_of_work() as s:
        code = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY).code
    stranger = ActingUser("officer2", Actor.OFFICER, frozenset({OTHER}))
    with pytest.raises(DossierPermissionError):
        _go(db, code, Action.RECEIVE, stranger)


def test_only_the_applicant_may_withdraw(db: Database) -> None:
    with db.unit_of_work() as s:
        code = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY).code
    with pytest.raises(DossierPermissionError):
        _go(db, code, Action.WITHDRAW, ActingUser("other", Actor.APPLICANT, user_id=99))
    with pytest.raises(DossierPermissionError):
        _go(db, code, Action.WITHDRAW, OFFICER)
    _go(db, code, Action.WITHDRAW, APPLICANT)
    assert _load(db, code).status is Status.WITHDRAWN


def test_public_status_shows_nothing_personal(db: Database) -> None:
    with db.unit_of_work() as s:
        code = submit(s, birth_submission(), policy=POLICY, actor="citizen", now=MONDAY).code
        public = public_status(s, code)
    assert public.status is Status.SUBMITTED and public.procedure_name_vi == "Đăng ký khai sinh"
    assert "001203012345" not in repr(public) and "Trần" not in repr(public)


def test_unknown_dossier_and_procedure(db: Database) -> None:
    with db.unit_of_work() as s, pytest.raises(DossierNotFoundError):
        get_dossier(s, "000.00.00.H56-261123-9999")
    bad = birth_submission()
    bad = type(bad)(**{**bad.__dict__, "procedure_code": "9.999999"})
    with db.unit_of_work() as s, pytest.raises(DossierError) as info:
        submit(s, bad, policy=POLICY, actor="citizen")
    assert info.value.http_status == 404


def test_allowed_actions_per_role() -> None:
    assert allowed_actions(Status.SUBMITTED, Actor.OFFICER) == [Action.RECEIVE, Action.REJECT]
    assert allowed_actions(Status.AWAITING_APPROVAL, Actor.LEADER) == [
        Action.RETURN_FOR_REWORK,
        Action.APPROVE,
        Action.REJECT,
    ]
    assert Action.WITHDRAW in allowed_actions(Status.SUBMITTED, Actor.APPLICANT)


def _load(db: Database, code: str):  # type: ignore[no-untyped-def]
    with db.unit_of_work() as s:
        return get_dossier(s, code)
