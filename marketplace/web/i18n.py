"""The reader's language: chosen per request, remembered on the account and in a cookie."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

from marketplace.core.extensions import babel

LOCALE_COOKIE = "lang"


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and Celery tasks
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):
        # API clients carry no cookies; they say what they read.
        return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    # ?lang= is what the public pages' language links say: the page stays
    # cacheable by its URL, with no session or CSRF token behind a form.
    asked = request.args.get(LOCALE_COOKIE)
    if asked in supported:
        return asked
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in supported:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(get_locale() or "vi")


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def inject_locale():
        return {"current_locale": current_locale(), "languages": app.config["LANGUAGES"]}
