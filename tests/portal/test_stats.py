"""``/stats``: figures, SVG charts without inline style, CSV and XLSX, who may see what."""

from __future__ import annotations

import csv
import html
import io
from datetime import date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from dossiers import (
    ActingUser,
    Action,
    Actor,
    Applicant,
    ApplicantKind,
    DocumentKind,
    Submission,
    act,
    add_document,
    get_dossier,
    submit,
)
from dossiers.calendar import VN_TZ
from portal.demo import DEMO_CITIZEN_ID
from portal.services import services
from storage.schema import AgencyRow, DossierRow, UserRow, utcnow
from storage.schema.dossiers import ProcedureRow
from tests.conftest import login


def _dossiers(app: Flask) -> None:
    """Two birth registrations (one received) and one residence registration."""
    svc = services(app)
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        assert citizen is not None
        codes = []
        for key, procedure in (("s1", "1.001193"), ("s2", "1.001193"), ("s3", "1.004222")):
            codes.append(
                submit(
                    session,
                    Submission(
                        procedure_code=procedure,
                        applicant=Applicant(
                            ApplicantKind.PERSON, DEMO_CITIZEN_ID, "Trần Văn Công Dân", citizen.id
                        ),
                        data={},
                        idempotency_key=key,
                    ),
                    policy=svc.dossier_policy,
                    actor="citizen",
                ).code
            )
        officer = ActingUser("officer", Actor.OFFICER, frozenset({"000.00.00.H56"}))
        act(session, codes[0], Action.RECEIVE, user=officer, policy=svc.dossier_policy)


def test_leader_sees_own_agency_figures_and_chart(app: Flask, client: FlaskClient) -> None:
    _dossiers(app)
    login(client, "leader")
    response = client.get("/stats")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page and 'class="bar-open"' in page
    assert "style=" not in page.split("<main", 1)[-1]
    assert "1.001193" in page and "1.004222" not in page.split("<table", 1)[-1]


def test_supervisor_sees_every_agency_and_filters(app: Flask, client: FlaskClient) -> None:
    _dossiers(app)
    login(client, "supervisor")
    page = client.get("/stats").get_data(as_text=True)
    assert "1.004222" in page and "1.001193" in page
    filtered = client.get("/stats?procedure=1.004222").get_data(as_text=True)
    assert "1.001193" not in filtered.split("<table", 1)[-1]


def test_exports(app: Flask, client: FlaskClient) -> None:
    _dossiers(app)
    login(client, "supervisor")
    csv = client.get("/stats/export.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Cơ quan,Thủ tục,Tiếp nhận") and len(lines) == 4
    xlsx = client.get("/stats/export.xlsx?procedure=1.001193")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet is not None and sheet.cell(3, 2).value == "1.001193"
    assert sheet.cell(3, 3).value == 2


def test_citizens_may_not_see_statistics(app: Flask, client: FlaskClient) -> None:
    login(client, "citizen")
    assert client.get("/stats").status_code == 403


# --- Periods, exports read back with real tools, numbers against a direct count, injection.

OFFICER = ActingUser("officer", Actor.OFFICER, frozenset({"000.00.00.H56"}))
LEADER = ActingUser("leader", Actor.LEADER, frozenset({"000.00.00.H56"}))


def _mixed(app: Flask) -> datetime:
    """Birth registrations in many states, some received three weeks ago; returns now."""
    svc = services(app)
    policy = svc.dossier_policy
    now = utcnow()
    past = now - timedelta(days=21)
    plans: list[tuple[datetime, list[tuple[Action, datetime]]]] = [
        (now, []),
        (now, [(Action.RECEIVE, now)]),
        (past, [(Action.RECEIVE, past)]),  # overdue
        (past, [(Action.RECEIVE, past), (Action.REQUEST_SUPPLEMENT, past)]),
        (now, [(Action.REJECT, now), (Action.CLOSE, now)]),  # closed, not resolved
        (now, [(Action.RECEIVE, now), (Action.START_PROCESSING, now)]),
        (now, [(Action.RECEIVE, now), (Action.START_PROCESSING, now), (Action.ISSUE_RESULT, now)]),
        (
            past,
            [(Action.RECEIVE, past), (Action.START_PROCESSING, past), (Action.ISSUE_RESULT, now)],
        ),
    ]
    with svc.db.unit_of_work() as session:
        citizen = session.scalar(select(UserRow).where(UserRow.username == "citizen"))
        assert citizen is not None
        for i, (submitted, steps) in enumerate(plans):
            code = submit(
                session,
                Submission(
                    procedure_code="1.001193",
                    applicant=Applicant(
                        ApplicantKind.PERSON, DEMO_CITIZEN_ID, "Trần Văn Công Dân", citizen.id
                    ),
                    data={},
                    idempotency_key=f"mixed-{i}",
                ),
                policy=policy,
                actor="citizen",
                now=submitted,
            ).code
            for action, at in steps:
                if action is Action.ISSUE_RESULT:
                    # Drafted, approved, signed (documents stand in), then issued.
                    for kind in (DocumentKind.RESULT_DRAFT, DocumentKind.RESULT):
                        add_document(
                            session,
                            code,
                            kind=kind,
                            title="KQ",
                            file_name="kq.pdf",
                            media_type="application/pdf",
                            object_key=f"x/{code}/{kind}",
                            sha256="0" * 64,
                            size=1,
                            created_by="officer",
                        )
                    for step, user in (
                        (Action.SUBMIT_FOR_APPROVAL, OFFICER),
                        (Action.APPROVE, LEADER),
                    ):
                        act(session, code, step, user=user, policy=policy, now=at)
                    act(session, code, action, user=LEADER, policy=policy, now=at)
                    continue
                act(session, code, action, user=OFFICER, policy=policy, note="Lý do", now=at)
    return now


def _direct_count(app: Flask, now: datetime) -> dict[str, int]:
    """The figures of 000.00.00.H56 / 1.001193, counted dossier by dossier."""
    with services(app).db.unit_of_work() as session:
        rows = session.scalars(
            select(DossierRow).where(DossierRow.procedure_code == "1.001193")
        ).all()
        dossiers = [get_dossier(session, r.code) for r in rows]
    issued = [d for d in dossiers if any(h.action == "issue_result" for h in d.history)]
    open_ = [d for d in dossiers if d.status.is_open]
    late = [d for d in issued if d.due_at and d.resolved_at and d.resolved_at > d.due_at]
    return {
        "Tiếp nhận": len(dossiers),
        "Trực tuyến": sum(d.channel == "online" for d in dossiers),
        "Giải quyết đúng hạn": len(issued) - len(late),
        "Giải quyết quá hạn": len(late),
        "Đang giải quyết": len(open_),
        "Đang quá hạn": sum(1 for d in open_ if d.due_at and d.due_at < now),
        "Yêu cầu bổ sung": sum(d.supplement_count > 0 for d in dossiers),
    }


def test_exports_open_with_real_tools_and_match_a_direct_count(
    app: Flask, client: FlaskClient
) -> None:
    now = _mixed(app)
    expected = _direct_count(app, now)
    assert expected == {
        "Tiếp nhận": 8,
        "Trực tuyến": 8,
        "Giải quyết đúng hạn": 1,
        "Giải quyết quá hạn": 1,
        "Đang giải quyết": 5,
        "Đang quá hạn": 2,
        "Yêu cầu bổ sung": 1,
    }
    login(client, "supervisor")
    first = (now - timedelta(days=40)).astimezone(VN_TZ).date()
    query = f"?from={first}&agency=000.00.00.H56"
    text = client.get(f"/stats/export.csv{query}").get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    [row] = [r for r in rows if r["Thủ tục"] == "1.001193"]
    assert {k: int(row[k]) for k in expected} == expected
    assert row["Tên thủ tục"] == "Đăng ký khai sinh" and float(row["Tỷ lệ đúng hạn (%)"]) == 50.0
    assert rows[-1]["Cơ quan"] == "*"
    book = load_workbook(io.BytesIO(client.get(f"/stats/export.xlsx{query}").get_data()))
    sheet = book.active
    assert sheet is not None
    header = [c.value for c in sheet[2]]
    [line] = [[c.value for c in r] for r in sheet.iter_rows(min_row=3) if r[1].value == "1.001193"]
    assert {k: line[header.index(k)] for k in expected} == expected


def test_names_that_look_like_formulas_are_neutralised(app: Flask, client: FlaskClient) -> None:
    _dossiers(app)
    with services(app).db.unit_of_work() as session:
        session.get(AgencyRow, "000.00.00.H56").name_vi = '=HYPERLINK("http://x.test","y")'
        session.get(ProcedureRow, "1.001193").name_vi = "@SUM(1+1)*cmd|' /C calc'!A0"
        session.get(ProcedureRow, "1.004222").name_vi = "+1-2"
    login(client, "supervisor")
    text = client.get("/stats/export.csv").get_data().decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert '\'=HYPERLINK("http://x.test","y")' in cells and "'+1-2" in cells
    assert not any(c[:1] in ("=", "+", "-", "@") for c in cells)
    sheet = load_workbook(io.BytesIO(client.get("/stats/export.xlsx").get_data())).active
    assert sheet is not None
    texts = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" and c.value[:1] not in ("=", "+", "-", "@") for c in texts)
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in {c.value for c in texts}


def test_bad_periods_are_refused_with_a_message(app: Flask, client: FlaskClient) -> None:
    login(client, "leader")
    for query, vi in (
        ("from=2026-11-20&to=2026-11-01", "trước 'Từ ngày'"),
        ("from=20-11-2026", "không phải ngày hợp lệ"),
        ("to=2026-02-30", "không phải ngày hợp lệ"),
        ("to=9999-12-31", "phải từ 01/01/2000"),
        ("from=0001-01-01", "phải từ 01/01/2000"),
    ):
        page = client.get(f"/stats?{query}")
        body = html.unescape(page.get_data(as_text=True))
        assert page.status_code == 400 and vi in body and 'name="from"' in body, query
        assert client.get(f"/stats/export.csv?{query}").status_code == 400
    client.get("/lang/en")
    body = html.unescape(client.get("/stats?from=2026-11-20&to=2026-11-01").get_data(as_text=True))
    assert "is before 'from' (2026-11-20); swap the two dates" in body
    assert client.get(f"/stats?to={date.today().year}-12-31").status_code == 200
