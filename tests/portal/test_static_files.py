"""Static files: URLs carry a content version, versioned answers are cached for a year."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient


def test_pages_link_static_files_by_content_version(app: Flask, client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'href="(/static/css/site\.css\?v=([0-9a-f]{12}))"', page)
    assert match, "the stylesheet link carries no version"
    css = Path(app.static_folder or "") / "css" / "site.css"
    assert match.group(2) == hashlib.sha256(css.read_bytes()).hexdigest()[:12]

    response = client.get(match.group(1))
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.public and response.cache_control.immutable


def test_unversioned_and_missing_static_files_are_not_cached_for_good(client: FlaskClient) -> None:
    plain = client.get("/static/css/site.css")
    assert plain.status_code == 200 and not plain.cache_control.immutable
    assert client.get("/static/css/none.css?v=abc").status_code == 404
