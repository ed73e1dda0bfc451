"""Labels that pages show for stored codes, in the reader's language."""
from __future__ import annotations

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l

from marketplace.web.i18n import current_locale
from marketplace.models import ListingStatus, OrderStatus
from marketplace.reference.categories import all_groups, get_category
from marketplace.reference.certifications import get_certification
from marketplace.reference.units import get_unit

LISTING_STATUS_LABELS = {
    ListingStatus.DRAFT: _l("Draft"),
    ListingStatus.ACTIVE: _l("On sale"),
    ListingStatus.PAUSED: _l("Paused"),
    ListingStatus.SOLD_OUT: _l("Sold out"),
    ListingStatus.EXPIRED: _l("Expired"),
    ListingStatus.REMOVED: _l("Removed"),
}

ORDER_STATUS_LABELS = {
    OrderStatus.OPEN: _l("Open"),
    OrderStatus.PARTIALLY_MATCHED: _l("Partly matched"),
    OrderStatus.MATCHED: _l("Matched"),
    OrderStatus.FULFILLED: _l("Fulfilled"),
    OrderStatus.CANCELLED: _l("Cancelled"),
    OrderStatus.EXPIRED: _l("Expired"),
}


def listing_status_label(status) -> str:
    return LISTING_STATUS_LABELS.get(status, status)


def order_status_label(status) -> str:
    return ORDER_STATUS_LABELS.get(status, status)


def category_groups():
    """The groups and their sub-categories, labelled in the reader's language."""
    here = current_locale()
    return [(g.code, g.label(here), [(c.code, c.label(here)) for c in g.children]) for g in all_groups()]


def category_label(code: str | None) -> str:
    category = get_category(code or "")
    return category.label(current_locale()) if category else (code or "")


def unit_label(code: str | None) -> str:
    unit = get_unit(code)
    return unit.label(current_locale()) if unit else (code or "")


def certification_label(code: str | None) -> str:
    certification = get_certification(code)
    return certification.name if certification else (code or "")


def quantity(value: int | None) -> str:
    """2000 -> "2.000" in Vietnamese, "2,000" in English."""
    return "" if value is None else format_decimal(int(value), format="#,##0", locale=current_locale())
