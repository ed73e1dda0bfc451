"""Registers every label, format and phrase for the templates, once: a
template says ``{{ amount|vnd }}`` or ``{{ match_status_label(m.status) }}``
and never formats anything itself."""
from flask import Flask
from flask_login import current_user

from marketplace.core.clock import local_today
from marketplace.geo import all_provinces, distance_km, get_province
from marketplace.models.photo import MAX_PHOTOS
from marketplace.web import formats, labels, phrases


def km_from_viewer(code: str | None) -> int | None:
    """Great-circle km from the signed-in user's province to ``code``: what a
    buyer weighs against the price. None when either end is unknown."""
    profile = getattr(current_user, "profile", None)
    here, there = (get_province(profile.province_code) if profile else None), get_province(code or "")
    if here is None or there is None:
        return None
    return round(distance_km(here, there))


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(
        km_from_viewer=km_from_viewer,
        all_provinces=all_provinces,
        province_name=labels.province_name,
        role_label=labels.role_label,
        category_label=labels.category_label,
        category_groups=labels.category_groups,
        unit_label=labels.unit_label,
        certification_label=labels.certification_label,
        listing_status_label=labels.listing_status_label,
        order_status_label=labels.order_status_label,
        match_status_label=labels.match_status_label,
        offer_status_label=labels.offer_status_label,
        action_label=labels.action_label,
        max_photos=MAX_PHOTOS,
        run_status_label=labels.run_status_label,
        run_trigger_label=labels.run_trigger_label,
        number=formats.number,
        seconds=formats.seconds,
        target_label=labels.target_label,
        percent=formats.percent,
        duration_in_words=formats.duration_in_words,
        score_in_words=phrases.score_in_words,
        in_units=phrases.in_units,
        period_label=phrases.period_label,
    )
    app.jinja_env.filters.update(qty=formats.quantity, vnd=formats.format_vnd, day=formats.format_day,
                                 moment=formats.local_moment)

    @app.context_processor
    def inject_today():
        # Vietnam's date: the server's UTC clock is a day behind until 07:00.
        return {"today": local_today()}
