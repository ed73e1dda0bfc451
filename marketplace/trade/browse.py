"""Filter and sort pieces shared by the listing catalogue and the demand
board, on the pages and in the API."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, case, literal

from marketplace.core.validation import FieldErrors
from marketplace.geo import all_provinces, distance_km, fold, get_province
from marketplace.reference.categories import get_category

SEARCH_MAX = 100


def viewer_province(user) -> str | None:
    """Where "nearest to me" is measured from; admins have no profile."""
    profile = user.profile
    return profile.province_code if profile else None


def category_clause(column, code: str, errors: FieldErrors):
    """A group code matches all of its sub-categories."""
    category = get_category(code)
    if category is None:
        errors.add("category", _("Unknown category. Choose one from the list."))
        return None
    if category.is_leaf:
        return column == code
    return column.in_([child.code for child in category.children])


def text_clause(column, query: str, errors: FieldErrors):
    """Every word must appear, diacritics and case ignored: "nuoc mam" finds
    "Nước mắm". Served by a trigram index on PostgreSQL."""
    if len(query) > SEARCH_MAX:
        errors.add("q", _("At most %(max)d characters.", max=SEARCH_MAX))
        return None
    words = [w for w in fold(query).split() if w]
    if not words:
        return None
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    return and_(*(column.like(f"%{w}%", escape="\\") for w in escaped))


def distance_from(column, origin_code: str | None):
    """Kilometres from the viewer's province to the row's, as a SQL CASE over
    the 34 units; rows in an unknown province sort last."""
    origin = get_province(origin_code) if origin_code else None
    if origin is None:
        return literal(0)
    whens = {p.code: round(distance_km(origin, p), 1) for p in all_provinces()}
    return case(whens, value=column, else_=literal(100000.0))


def check_price_range(low: int | None, high: int | None, errors: FieldErrors) -> None:
    if low is not None and low < 0:
        errors.add("min_price", _("Enter a price in whole dong, greater than zero."))
    if high is not None and high < 0:
        errors.add("max_price", _("Enter a price in whole dong, greater than zero."))
    if low is not None and high is not None and high < low:
        errors.add("max_price", _("The highest price is below the lowest."))
