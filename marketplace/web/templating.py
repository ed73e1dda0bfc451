"""Helpers every template may use."""
from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from marketplace.web import labels
from marketplace.core.clock import local_today
from marketplace.geo import all_provinces, distance_km, get_province

ROLE_LABELS = {"producer": _l("Producer"), "distributor": _l("Distributor"), "admin": _l("Admin")}


def km_from_viewer(code: str | None) -> int | None:
    """Great-circle km from the signed-in user's province to ``code``: what a
    buyer weighs against the price. None when either end is unknown."""
    profile = getattr(current_user, "profile", None)
    here, there = (get_province(profile.province_code) if profile else None), get_province(code or "")
    if here is None or there is None:
        return None
    return round(distance_km(here, there))


def province_name(code: str | None) -> str:
    province = get_province(code) if code else None
    return province.name if province else (code or "")


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        province_name=province_name,
        km_from_viewer=km_from_viewer,
        all_provinces=all_provinces,
        role_label=lambda role: ROLE_LABELS.get(getattr(role, "value", role), role),
        category_label=labels.category_label,
        category_groups=labels.category_groups,
        unit_label=labels.unit_label,
        certification_label=labels.certification_label,
        listing_status_label=labels.listing_status_label,
        order_status_label=labels.order_status_label,
    )
    app.jinja_env.filters["qty"] = labels.quantity

    @app.context_processor
    def inject_today():
        # Vietnam's date: the server's UTC clock is a day behind until 07:00.
        return {"today": local_today()}
