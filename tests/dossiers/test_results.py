"""Result documents: content, PDF/A-3b rendering, drafting and signing rules in the core."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from dossiers import (
    ActingUser,
    Action,
    Actor,
    DocumentKind,
    DossierError,
    DossierPermissionError,
    DossierPolicy,
    IllegalTransitionError,
    Status,
    act,
    get_dossier,
    submit,
)
from dossiers.repository import load_procedure
from dossiers.results import (
    approve_and_sign,
    citizen_record,
    draft_result,
    render_result,
    result_content,
)
from forms_builder.rendering import check_pdfa
from signing.errors import SigningError
from storage.db import Database
from storage.fs_store import FsObjectStore
from tests.dossiers.conftest import HOME, OTHER, birth_submission

POLICY = DossierPolicy()
OFFICER = ActingUser("officer", Actor.OFFICER, frozenset({HOME}))
LEADER = ActingUser("leader", Actor.LEADER, frozenset({HOME}))
STRANGER = ActingUser("officer2", Actor.OFFICER, frozenset({OTHER}))
DATA = {
    "child": {"full_name": "Trần Thị Bé", "birth_date": "2026-11-02", "sex": "female"},
    "mother": {"full_name": "Nguyễn Thị Mẹ"},
}


@pytest.fixture
def store(tmp_path: Path) -> FsObjectStore:
    return FsObjectStore(tmp_path / "objects")


@pytest.fixture
def code(db: Database) -> Iterator[str]:
    submission = birth_submission()
    submission = type(submission)(**{**submission.__dict__, "data": DATA})
    with db.unit_of_work() as session:
        dossier = submit(session, submission, policy=POLICY, actor="citizen")
        act(session, dossier.code, Action.RECEIVE, user=OFFICER, policy=POLICY)
        act(session, dossier.code, Action.START_PROCESSING, user=OFFICER, policy=POLICY)
    yield dossier.code


def _draft(db: Database, code: str, store: FsObjectStore, user: ActingUser = OFFICER) -> bytes:
    with db.unit_of_work() as session:
        return draft_result(
            session, code, store=store, user=user, agency_name="Sở Tư pháp", base_url="https://x.vn"
        )


def test_birth_certificate_content_and_pdfa(db: Database, code: str) -> None:
    with db.unit_of_work() as session:
        dossier = get_dossier(session, code)
        procedure = load_procedure(session, dossier.procedure_code)
    content = result_content(
        dossier,
        procedure,
        agency_name="Sở Tư pháp",
        base_url="https://x.vn",
        issued_on=date(2026, 11, 24),
    )
    labels = dict(content.fields)
    assert labels["Họ, chữ đệm, tên / Full name"] == "Trần Thị Bé"
    assert labels["Ngày, tháng, năm sinh / Date of birth"] == "02/11/2026"
    assert labels["Giới tính / Sex"] == "Nữ / Female"
    assert content.lookup_url == f"https://x.vn/tra-cuu/{code}"
    pdf = render_result(content)
    assert check_pdfa(pdf) == []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        text = b"".join(page.Contents.read_bytes() for page in doc.pages if "/Contents" in page)
        assert len(doc.pages) == 1 and text
        # Empty signature fields wait in the signing block for the leader and the seal.
        fields = {str(f.T): f for f in doc.Root.AcroForm.Fields}
        assert set(fields) == {"leader_1", "seal_1"}
        assert all(f.FT == "/Sig" and "/V" not in f for f in fields.values())


def test_draft_is_stored_and_signing_issues(db: Database, code: str, store: FsObjectStore) -> None:
    pdf = _draft(db, code, store)
    with db.unit_of_work() as session:
        act(session, code, Action.SUBMIT_FOR_APPROVAL, user=OFFICER, policy=POLICY)
    signed_marker = b"%signed\n"
    with db.unit_of_work() as session:
        dossier = approve_and_sign(
            session, code, store=store, user=LEADER, policy=POLICY, sign=lambda b: b + signed_marker
        )
    assert dossier.status is Status.RESULT_ISSUED
    (result,) = dossier.documents_of(DocumentKind.RESULT)
    assert result.signed
    with store.get(result.object_key) as reader:
        assert reader.read() == pdf + signed_marker
    record = citizen_record(dossier)
    assert record is not None and record.name == "birth_certificate"
    assert record.data["child_name"] == "Trần Thị Bé" and record.dossier_code == code


def test_draft_refused_in_wrong_status_or_agency(
    db: Database, code: str, store: FsObjectStore
) -> None:
    with pytest.raises(DossierPermissionError):
        _draft(db, code, store, STRANGER)
    with db.unit_of_work() as session:
        act(session, code, Action.REQUEST_SUPPLEMENT, user=OFFICER, policy=POLICY, note="Thiếu")
    with pytest.raises(DossierError) as info:
        _draft(db, code, store)
    assert info.value.code == "dossiers.draft_status" and "in processing" in info.value.message_en
    assert list(store.list()) == []


def test_approving_without_draft_or_from_wrong_status_changes_nothing(
    db: Database, code: str, store: FsObjectStore
) -> None:
    with pytest.raises(IllegalTransitionError), db.unit_of_work() as session:
        approve_and_sign(session, code, store=store, user=LEADER, policy=POLICY, sign=bytes)
    with db.unit_of_work() as session:
        assert get_dossier(session, code).status is Status.IN_PROCESSING


def test_signing_failure_rolls_everything_back(
    db: Database, code: str, store: FsObjectStore
) -> None:
    _draft(db, code, store)
    with db.unit_of_work() as session:
        act(session, code, Action.SUBMIT_FOR_APPROVAL, user=OFFICER, policy=POLICY)

    def tsa_down(_pdf: bytes) -> bytes:
        raise SigningError("Dịch vụ cấp dấu thời gian không phản hồi.", "The TSA did not answer.")

    with pytest.raises(SigningError), db.unit_of_work() as session:
        approve_and_sign(session, code, store=store, user=LEADER, policy=POLICY, sign=tsa_down)
    with db.unit_of_work() as session:
        dossier = get_dossier(session, code)
    assert dossier.status is Status.AWAITING_APPROVAL
    assert not dossier.documents_of(DocumentKind.RESULT)
    assert [h.to_status for h in dossier.history][-1] is Status.AWAITING_APPROVAL


def test_an_approved_dossier_without_signed_result_is_signed_and_issued(
    db: Database, code: str, store: FsObjectStore
) -> None:
    _draft(db, code, store)
    with db.unit_of_work() as session:
        act(session, code, Action.SUBMIT_FOR_APPROVAL, user=OFFICER, policy=POLICY)
        act(session, code, Action.APPROVE, user=LEADER, policy=POLICY)
    stranger = ActingUser("leader2", Actor.LEADER, frozenset({OTHER}))
    with pytest.raises(DossierPermissionError), db.unit_of_work() as session:
        approve_and_sign(session, code, store=store, user=stranger, policy=POLICY, sign=bytes)
    with db.unit_of_work() as session:
        dossier = approve_and_sign(
            session, code, store=store, user=LEADER, policy=POLICY, sign=bytes
        )
    assert dossier.status is Status.RESULT_ISSUED
    with pytest.raises(IllegalTransitionError), db.unit_of_work() as session:
        approve_and_sign(session, code, store=store, user=LEADER, policy=POLICY, sign=bytes)
