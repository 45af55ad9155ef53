"""Translations: Vietnamese first, English available (Flask-Babel).

Source strings are Vietnamese; ``translations/en`` holds English. The
language comes from the ``lang`` cookie set by ``/lang/<code>``, else the
configured default (``vi``).
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import Babel, get_locale

from eforms.errors import EformsError

LANGUAGES = ("vi", "en")
LANG_COOKIE = "lang"

babel = Babel()


def select_locale() -> str:
    chosen = request.cookies.get(LANG_COOKIE) if request else None
    if chosen in LANGUAGES:
        return chosen
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")


def current_lang() -> str:
    """``vi`` or ``en`` for the current request."""
    locale = get_locale()
    return locale.language if locale is not None else "vi"


def error_message(error: EformsError) -> str:
    """A domain error's message in the current language."""
    return error.message(current_lang())


def init_app(app: Flask, *, default_locale: str) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", default_locale)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Ho_Chi_Minh")
    app.jinja_env.globals["current_lang"] = current_lang
    app.jinja_env.globals["error_message"] = error_message
