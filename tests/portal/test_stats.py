"""``/stats``: figures, SVG charts without inline style, CSV and XLSX, who may see what."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from dossiers import ActingUser, Action, Actor, Applicant, ApplicantKind, Submission, act, submit
from portal.demo import DEMO_CITIZEN_ID
from portal.services import services
from storage.schema import UserRow
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
