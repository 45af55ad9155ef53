"""Static files under URLs that change with their content, so they can be cached for good.

``url_for('static', filename='css/site.css')`` becomes
``/static/css/site.css?v=<first 12 hex of its SHA-256>``: after an upgrade the
page asks for the new file, while browsers and nginx may keep each version a
year (``Cache-Control: public, max-age=31536000, immutable``).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

__all__ = ["ONE_YEAR", "init_app"]

ONE_YEAR = 365 * 24 * 3600


@lru_cache(maxsize=256)
def _version(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def init_app(app: Flask) -> None:
    """Version the static URLs of ``app`` and cache versioned responses for a year."""
    folder = Path(app.static_folder or "")

    @app.url_defaults
    def _add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "filename" not in values:
            return
        path = (folder / values["filename"]).resolve()
        if folder.resolve() in path.parents and path.is_file():
            values["v"] = _version(path, path.stat().st_mtime_ns)

    @app.after_request
    def _cache_versioned(response: Response) -> Response:
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        return response
