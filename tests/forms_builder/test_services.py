"""Form services on a real database: life cycle, ownership, audit, versions."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from dossiers.drafts import create_draft
from forms_builder import (
    SYSTEM,
    Author,
    ChecksumMismatch,
    DefinitionImmutable,
    FormService,
    NotOwner,
    NoVersionInForce,
    PublishRefused,
    Status,
)
from storage.audit import verify_chain
from storage.schema import AuditEventRow
from storage.schema.accounts import UserRow
from storage.schema.citizen import FormDraftRow

H56 = Author("tuphap.author", "000.00.00.H56")
OTHER = Author("xaydung.author", "000.00.00.H57")
CODE = "1.000001.TK01"


def _events(service: FormService) -> list[tuple[str, str, str]]:
    with service.db.unit_of_work() as session:
        rows = session.scalars(select(AuditEventRow).order_by(AuditEventRow.id)).all()
        return [(r.actor, r.action, r.outcome) for r in rows]


def test_draft_publish_and_immutability(service: FormService, small_doc: dict[str, Any]) -> None:
    draft = service.create_draft(small_doc, H56)
    assert (draft.version, draft.status) == (1, Status.DRAFT)
    small_doc["title"]["vi"] = "Tờ khai thử (sửa)"
    service.update_draft(CODE, 1, small_doc, H56)
    report = service.publish(CODE, 1, H56)
    assert report.published and all(r.passed for r in report.results)
    assert service.get(CODE, 1).status == Status.PUBLISHED
    with pytest.raises(DefinitionImmutable) as caught:
        service.update_draft(CODE, 1, small_doc, H56)
    assert "phiên bản nháp mới" in caught.value.message_vi
    assert _events(service)[-1] == ("tuphap.author", "forms.update_draft", "denied")
    with service.db.unit_of_work() as session:
        assert verify_chain(session).ok


def test_editing_a_published_form_makes_a_new_draft(
    service: FormService, small_doc: dict[str, Any]
) -> None:
    service.create_draft(small_doc, H56)
    service.publish(CODE, 1, H56)
    second = service.new_version(CODE, H56)
    assert (second.version, second.status) == (2, Status.DRAFT)
    doc = json.loads(json.dumps(small_doc))
    doc["sections"][0]["fields"][4]["required"] = True  # ethnicity becomes required
    doc["sections"][0]["fields"][1]["label"]["en"] = "Name in full"
    for case in doc["test_cases"]:
        case["data"]["ethnicity"] = "01"
    service.update_draft(CODE, 2, doc, H56)
    diff = service.diff(CODE, 1, 2)
    by_id = {c.field_id: c for c in diff.changes}
    assert by_id["f_name"].compatible and by_id["f_name"].properties == ("label",)
    assert not by_id["f_ethnicity"].compatible
    ids = save_citizen_drafts(
        service,
        CODE,
        1,
        [
            {"kind": "person", "full_name": "A"},
            {"kind": "person", "full_name": "B", "ethnicity": "02"},
            {"kind": "person", "full_name": "C"},
        ],
        submitted=(2,),
    )
    preview = service.preview_publish(CODE, 2)
    assert not preview.published and preview.previous == f"{CODE}@1"
    assert (preview.open_drafts, preview.drafts_by_version) == (2, ((1, 2),))
    assert [(a.draft_id, a.from_version, a.field_ids) for a in preview.affected] == [
        (ids[0], 1, ("f_ethnicity",))
    ]
    assert [(f.path, f.drafts) for f in preview.re_enter] == [("ethnicity", 1)]
    assert service.get(CODE, 2).status == Status.DRAFT
    report = service.publish(CODE, 2, H56)
    assert report.published and report.open_drafts == 2 and len(report.affected) == 1
    with service.db.unit_of_work() as session:
        event = session.scalars(select(AuditEventRow).order_by(AuditEventRow.id.desc())).first()
        assert event is not None and event.details["open_drafts"] == 2
        assert event.details["affected_drafts"] == 1
        # The drafts keep the version they were started on.
        assert {r.form_version for r in session.scalars(select(FormDraftRow))} == {1}


def save_citizen_drafts(
    service: FormService,
    code: str,
    version: int,
    datas: list[dict[str, Any]],
    *,
    submitted: tuple[int, ...] = (),
) -> list[str]:
    """Citizens' drafts of ``code@version`` saved as the citizen pages save them."""
    definition = service.get(code, version)
    with service.db.unit_of_work() as session:
        user = UserRow(username=f"citizen-{code}-{version}", full_name="Công dân thử")
        session.add(user)
        session.flush()
        ids = []
        for index, data in enumerate(datas):
            draft = create_draft(
                session,
                user_id=user.id,
                procedure_code=definition.procedure_code,
                definition=definition,
                data=data,
            )
            if index in submitted:
                session.get_one(FormDraftRow, draft.id).dossier_code = f"H56.99-{index}"
            ids.append(draft.id)
    return ids


def test_open_drafts_of_every_earlier_version_are_counted(
    service: FormService, small_doc: dict[str, Any]
) -> None:
    """Drafts of an older version are compared with that version, not the last published."""
    service.create_draft(small_doc, H56)
    service.publish(CODE, 1, H56)
    doc = json.loads(json.dumps(small_doc))
    doc["sections"][0]["fields"][1]["max_length"] = 5  # tighter than v1's 100
    for case in doc["test_cases"]:
        case["data"]["full_name"] = "An"
    service.new_version(CODE, H56)
    service.update_draft(CODE, 2, doc, H56)
    service.publish(CODE, 2, H56)
    service.new_version(CODE, H56)  # v3: same as v2
    save_citizen_drafts(service, CODE, 1, [{"full_name": "Nguyễn Văn An"}, {"full_name": "Bá"}])
    save_citizen_drafts(service, CODE, 2, [{"full_name": "Chi"}])
    report = service.preview_publish(CODE, 3)
    assert report.diff is not None and report.diff.compatible  # v2 -> v3: nothing changed
    assert (report.open_drafts, report.drafts_by_version) == (3, ((1, 2), (2, 1)))
    assert [(a.from_version, a.field_ids) for a in report.affected] == [(1, ("f_name",))]
    assert [(f.field_id, f.drafts) for f in report.re_enter] == [("f_name", 1)]


def test_other_agency_reads_but_cannot_edit(
    service: FormService, small_doc: dict[str, Any]
) -> None:
    service.create_draft(small_doc, H56)
    for attempt in (
        lambda: service.update_draft(CODE, 1, small_doc, OTHER),
        lambda: service.publish(CODE, 1, OTHER),
        lambda: service.new_version(CODE, OTHER),
        lambda: service.create_draft(small_doc, OTHER),
    ):
        with pytest.raises(NotOwner):
            attempt()
    assert service.get(CODE).agency_id == "000.00.00.H56"
    denied = [e for e in _events(service) if e[2] == "denied"]
    assert len(denied) == 4 and all(e[0] == "xaydung.author" for e in denied)
    copy = service.copy_form(CODE, 1, OTHER, new_code="1.000009.TK01")
    assert (copy.agency_id, copy.version, copy.status) == ("000.00.00.H57", 1, Status.DRAFT)
    assert [s.code for s in service.list_forms(agency_id="000.00.00.H57")] == ["1.000009.TK01"]


def test_publishing_gate_refuses_failing_test_cases(
    service: FormService, small_doc: dict[str, Any]
) -> None:
    small_doc["test_cases"][1]["expect"]["errors"] = ["full_name"]
    service.create_draft(small_doc, H56)
    with pytest.raises(PublishRefused) as caught:
        service.publish(CODE, 1, H56)
    assert "organisation without tax code" in caught.value.message_en
    assert service.get(CODE, 1).status == Status.DRAFT


def test_render_check_hook_gates_publishing(database: Any, small_doc: dict[str, Any]) -> None:
    seen: list[dict[str, Any]] = []

    def render_check(definition: Any, data: Any) -> list[str]:
        seen.append(dict(data))
        return ["font not embedded"]

    service = FormService(database, render_check=render_check, today=lambda: date(2026, 11, 24))
    service.create_draft(small_doc, H56)
    with pytest.raises(PublishRefused) as caught:
        service.publish(CODE, 1, H56)
    assert "font not embedded" in caught.value.message_en
    assert seen == [small_doc["test_cases"][0]["data"]]


def test_version_in_force_follows_the_legal_basis(
    service: FormService, small_doc: dict[str, Any]
) -> None:
    service.create_draft(small_doc, H56)
    service.publish(CODE, 1, H56)
    service.new_version(CODE, H56)
    doc = json.loads(json.dumps(small_doc))
    doc["legal_basis"].update(document="02/2026/TT-TEST", effective_from="2026-12-01")
    service.update_draft(CODE, 2, doc, H56)
    service.publish(CODE, 2, H56)
    assert service.in_force(CODE, date(2026, 11, 30)).version == 1
    assert service.in_force(CODE, date(2026, 12, 1)).version == 2
    with pytest.raises(NoVersionInForce):
        service.in_force(CODE, date(2026, 1, 1))
    service.retire(CODE, 2, H56)
    assert service.in_force(CODE, date(2026, 12, 1)).version == 1


def test_export_import_with_checksum(service: FormService, small_doc: dict[str, Any]) -> None:
    service.create_draft(small_doc, H56)
    service.publish(CODE, 1, H56)
    exported = service.export_file(CODE, 1)
    payload = json.loads(exported)
    assert payload["checksum"].startswith("sha256:")
    imported = service.import_file(exported, SYSTEM)
    assert (imported.version, imported.status) == (2, Status.DRAFT)
    payload["definition"]["title"]["vi"] = "Đã sửa tay"
    with pytest.raises(ChecksumMismatch):
        service.import_file(json.dumps(payload).encode(), SYSTEM)


@pytest.mark.parametrize("cases", ["none", "only_rejected"])
def test_publishing_needs_an_accepted_test_case(
    database: Any, small_doc: dict[str, Any], cases: str
) -> None:
    """Without an accepted sample the render check could not run: publishing is refused."""
    checked: list[Any] = []
    service = FormService(
        database,
        render_check=lambda d, data: checked.append(data) or [],
        today=lambda: date(2026, 11, 24),
    )
    small_doc["test_cases"] = [] if cases == "none" else small_doc["test_cases"][1:]
    service.create_draft(small_doc, H56)
    for attempt in (
        lambda: service.preview_publish(CODE, 1),
        lambda: service.publish(CODE, 1, H56),
    ):
        with pytest.raises(PublishRefused) as caught:
            attempt()
        assert "/test_cases" in caught.value.message_vi and "accepted" in caught.value.message_en
        assert caught.value.details["pointer"] == "/test_cases"
    assert service.get(CODE, 1).status == Status.DRAFT and checked == []
    with pytest.raises(PublishRefused):
        service.install(dict(small_doc, status="published"))
