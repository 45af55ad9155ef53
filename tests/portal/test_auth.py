"""Login, lockout, CSRF, role checks and the security baseline."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.demo import DEMO_PASSWORD
from portal.services import services
from storage.audit import AuditFilter, search_events
from tests.conftest import login


def _events(app: Flask, **criteria: str) -> list:
    with services(app).db.unit_of_work() as session:
        rows, _ = search_events(session, AuditFilter(**criteria), limit=100)
    return rows


def test_login_page_is_vietnamese_first(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Đăng nhập" in page


def test_english_is_available(client: FlaskClient) -> None:
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page and "Username" in page


def test_language_switch_refuses_open_redirect(client: FlaskClient) -> None:
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("admin", "/admin/"),
        ("author", "/authoring/"),
        ("citizen", "/citizen/"),
        ("officer", "/officer/"),
        ("leader", "/leader/"),
        ("archivist", "/archivist/"),
        ("auditor", "/auditor/"),
        ("supervisor", "/supervisor/"),
    ],
)
def test_each_demo_account_lands_on_its_own_home(
    client: FlaskClient, username: str, home: str
) -> None:
    login(client, username)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == home
    page = client.get(home)
    assert page.status_code == 200
    assert username in page.get_data(as_text=True)


def test_wrong_password_is_refused_and_audited(app: Flask, client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "officer", "password": "wrong-password"})
    assert response.status_code == 401
    assert "không đúng" in response.get_data(as_text=True)
    [event] = _events(app, action="auth.login", outcome="failure")
    assert event.object_id == "officer" and event.details == {"reason": "bad_password"}


def test_lockout_after_too_many_failures(app: Flask, client: FlaskClient) -> None:
    limit = services(app).settings.login_max_attempts
    for _ in range(limit - 1):
        assert (
            client.post("/login", data={"username": "leader", "password": "x" * 9}).status_code
            == 401
        )
    locked = client.post("/login", data={"username": "leader", "password": "x" * 9})
    assert locked.status_code == 423
    assert "tạm khóa" in locked.get_data(as_text=True)
    # Even the right password is refused while locked.
    still = client.post("/login", data={"username": "leader", "password": DEMO_PASSWORD})
    assert still.status_code == 423
    assert _events(app, action="auth.login", outcome="denied")


def test_unknown_user_gets_the_same_answer(client: FlaskClient) -> None:
    response = client.post("/login", data={"username": "ghost", "password": "whatever1"})
    assert response.status_code == 401


def test_login_rate_limit_per_address(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from portal import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(tmp_path, login_rate_limit="3 per minute"))
    services(app).db.upgrade()
    client = app.test_client()
    codes = [
        client.post("/login", data={"username": "a", "password": "bbbbbbbb"}).status_code
        for _ in range(4)
    ]
    assert codes[:3] == [401, 401, 401] and codes[3] == 429


def test_citizen_opening_officer_page_is_403_and_audited(app: Flask, client: FlaskClient) -> None:
    login(client, "citizen")
    response = client.get("/officer/")
    assert response.status_code == 403
    assert "không có quyền" in response.get_data(as_text=True).lower()
    [event] = _events(app, action="access.denied")
    assert event.actor == "citizen" and event.object_id == "/officer/"


def test_anonymous_visitor_is_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/officer/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_open_redirect_after_login_is_ignored(client: FlaskClient) -> None:
    response = client.post(
        "/login?next=//evil.example/", data={"username": "officer", "password": DEMO_PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_missing_csrf_token_is_400(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": "officer", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_login_with_csrf_token_works(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, page
    response = client.post(
        "/login",
        data={"username": "officer", "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302


def test_logout_without_csrf_is_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    assert client.post("/logout").status_code == 400


def test_security_headers_and_cookie_flags(csrf_app: Flask) -> None:
    response = csrf_app.test_client().get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_over_https(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from portal import create_app
    from tests.conftest import make_settings

    app = create_app(
        make_settings(tmp_path, base_url="https://dvc.example.vn", extra={"TESTING": True})
    )
    services(app).db.upgrade()
    response = app.test_client().get("/login", base_url="https://dvc.example.vn")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_no_inline_script_or_style_in_pages(client: FlaskClient) -> None:
    login(client, "admin")
    for path in ("/", "/login", "/admin/", "/admin/users/new"):
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "<script>" not in page and "style=" not in page and "<style" not in page


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "Không tìm thấy trang" in response.get_data(as_text=True)


def test_api_errors_are_json(client: FlaskClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json["error"]["code"] == "http.404"
