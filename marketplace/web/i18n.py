"""Language choice and the Vietnamese way of writing money and dates."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal
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
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in supported:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    return str(get_locale() or "vi")


def format_vnd(amount: int | None) -> str:
    """``1250000`` -> ``1.250.000 ₫``: dots between thousands, the dong sign
    after. Dong have no subunit, so there are never decimals."""
    if amount is None:
        return ""
    return f"{format_decimal(int(amount), format='#,##0', locale='vi')} ₫"


def format_day(value: date | datetime | None, locale: str | None = None) -> str:
    """dd/mm/yyyy in Vietnamese; a short month name in English."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    locale = locale or current_locale()
    if locale == "vi":
        return value.strftime("%d/%m/%Y")
    return format_date(value, format="d MMM yyyy", locale=locale)


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["vnd"] = format_vnd
    app.jinja_env.filters["day"] = format_day

    @app.context_processor
    def inject_locale():
        return {"current_locale": current_locale(), "languages": app.config["LANGUAGES"]}
