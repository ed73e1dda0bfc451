"""Helpers every template may use."""
from datetime import date

from flask import Flask
from flask_babel import lazy_gettext as _l

from marketplace.geo import all_provinces, get_province

ROLE_LABELS = {"producer": _l("Producer"), "distributor": _l("Distributor"), "admin": _l("Admin")}


def province_name(code: str | None) -> str:
    province = get_province(code) if code else None
    return province.name if province else (code or "")


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        province_name=province_name,
        all_provinces=all_provinces,
        role_label=lambda role: ROLE_LABELS.get(getattr(role, "value", role), role),
    )

    @app.context_processor
    def inject_today():
        return {"today": date.today()}
