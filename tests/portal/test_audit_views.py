"""Auditors and supervisors browse and verify the audit trail; others cannot."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.services import services
from storage.schema import AuditEventRow
from tests.conftest import login


def test_auditor_browses_and_filters(client: FlaskClient) -> None:
    login(client, "auditor")
    page = client.get("/audit/?action=users.create").get_data(as_text=True)
    assert "users.create" in page and "officer2" in page
    filtered = client.get("/audit/?action=auth.login&actor=auditor").get_data(as_text=True)
    assert "auth.login" in filtered and "users.create" not in filtered


def test_supervisor_can_read_trail(client: FlaskClient) -> None:
    login(client, "supervisor")
    assert client.get("/audit/").status_code == 200


def test_officer_cannot_read_trail(client: FlaskClient) -> None:
    login(client, "officer")
    assert client.get("/audit/").status_code == 403


def test_verify_page_reports_tampering(app: Flask, client: FlaskClient) -> None:
    login(client, "auditor")
    assert "SHA-256" in client.get("/audit/verify").get_data(as_text=True)
    with services(app).db.unit_of_work() as session:
        session.execute(update(AuditEventRow).where(AuditEventRow.id == 4).values(outcome="x"))
    page = client.get("/audit/verify").get_data(as_text=True)
    assert "sự kiện số 4" in page


def test_bad_filter_values_are_ignored(client: FlaskClient) -> None:
    login(client, "auditor")
    assert client.get("/audit/?since=not-a-date&outcome=nope&page=-3").status_code == 200
