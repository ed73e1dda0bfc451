"""The catalogue: active listings of active producers, filtered and sorted."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import contains_eager

from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.core.validation import FieldErrors, InvalidInput
from marketplace.models import Listing, ListingCertification, ListingStatus, Match, User
from marketplace.models.user import Role, UserStatus
from marketplace.trade.browse import (
    category_clause,
    check_price_range,
    distance_from,
    text_clause,
)
from marketplace.trade.checks import check_certification, check_province
from marketplace.trade.scope import oversees

LISTING_SORTS = ("newest", "price_asc", "price_desc", "available_from", "distance")


@dataclass(frozen=True)
class ListingFilters:
    category: str | None = None
    province: str | None = None       # any name, code or pre-2025 alias
    min_stars: int | None = None
    certification: str | None = None
    min_price: int | None = None
    max_price: int | None = None
    unit: str | None = None
    q: str | None = None
    sort: str = "newest"
    producer_id: int | None = None


def _conditions(filters: ListingFilters, today: date, errors: FieldErrors) -> list:
    conditions = []
    if filters.category:
        conditions.append(category_clause(Listing.category, filters.category, errors))
    if filters.province:
        conditions.append(Listing.province_code == check_province(errors, filters.province, "province"))
    if filters.min_stars:
        if filters.min_stars not in (3, 4, 5):
            errors.add("min_stars", _("OCOP stars are 0 (none), 3, 4 or 5."))
        conditions.append(Listing.stars >= filters.min_stars)
    if filters.certification:
        code = check_certification(errors, filters.certification, "certification")
        conditions.append(exists().where(
            ListingCertification.listing_id == Listing.id, ListingCertification.code == code,
            or_(ListingCertification.expires_on.is_(None), ListingCertification.expires_on >= today)))
    check_price_range(filters.min_price, filters.max_price, errors)
    if filters.min_price is not None:
        conditions.append(Listing.unit_price >= filters.min_price)
    if filters.max_price is not None:
        conditions.append(Listing.unit_price <= filters.max_price)
    if filters.unit:
        conditions.append(Listing.unit == filters.unit)
    if filters.q:
        conditions.append(text_clause(Listing.search_text, filters.q, errors))
    if filters.producer_id is not None:
        conditions.append(Listing.producer_id == filters.producer_id)
    if filters.sort not in LISTING_SORTS:
        errors.add("sort", _("Unknown sort order."))
    return [c for c in conditions if c is not None]


def _ordering(sort: str, viewer_province: str | None) -> list:
    if sort == "price_asc":
        return [Listing.unit_price.asc(), Listing.id.desc()]
    if sort == "price_desc":
        return [Listing.unit_price.desc(), Listing.id.desc()]
    if sort == "available_from":
        return [Listing.available_from.asc().nulls_first(), Listing.id.desc()]
    if sort == "distance":
        return [distance_from(Listing.province_code, viewer_province), Listing.unit_price.asc(), Listing.id.desc()]
    return [Listing.created_at.desc(), Listing.id.desc()]


def public_clauses() -> list:
    """What makes a listing public (catalogue, product page, sitemap): on sale, by a producer not suspended.
    The statement must join Listing.producer."""
    return [Listing.status == ListingStatus.ACTIVE, User.status == UserStatus.ACTIVE]


def is_public(listing: Listing) -> bool:
    """The same test as ``public_clauses`` on a loaded listing (its producer loaded)."""
    return listing.status == ListingStatus.ACTIVE and listing.producer.status == UserStatus.ACTIVE


def browse_listings(filters: ListingFilters, today: date, viewer_province: str | None = None,
                    page: int | None = None, per_page: int | None = None) -> Page[Listing]:
    """Active, still-available listings whose producer is not suspended."""
    errors = FieldErrors()
    conditions = _conditions(filters, today, errors)
    if errors:
        raise InvalidInput(dict(errors))
    statement = (
        select(Listing).join(Listing.producer)
        .options(contains_eager(Listing.producer).joinedload(User.profile))
        .where(*public_clauses(),
               Listing.quantity > Listing.reserved_quantity,
               or_(Listing.available_until.is_(None), Listing.available_until >= today), *conditions)
        .order_by(*_ordering(filters.sort, viewer_province)))
    return paginate(statement, page, per_page)


def producer_listings(producer: User, filters: ListingFilters, today: date, statuses=None,
                      page: int | None = None, per_page: int | None = None) -> Page[Listing]:
    """A producer's own listings in any status but removed (unless asked);
    one the programme staff took down stays, so its owner reads why."""
    errors = FieldErrors()
    conditions = _conditions(ListingFilters(**{**filters.__dict__, "producer_id": None}), today, errors)
    if errors:
        raise InvalidInput(dict(errors))
    shown = (Listing.status.in_(statuses) if statuses else
             or_(Listing.status != ListingStatus.REMOVED, Listing.taken_down_at.is_not(None)))
    statement = (
        select(Listing).join(Listing.producer)
        .options(contains_eager(Listing.producer).joinedload(User.profile))
        .where(Listing.producer_id == producer.id, shown, *conditions)
        .order_by(*_ordering(filters.sort, None)))
    return paginate(statement, page, per_page)


def visible_listing(viewer: User, listing_id: int) -> Listing | None:
    """One listing as ``viewer`` may see it, producer and profile loaded.
    Active listings of active producers for everyone; one's own in any
    status; a listing a distributor has a match on (whatever became of it, unless
    its producer is suspended or the programme took it down);
    all for admins of the whole country, those of their provinces for a
    scoped admin (who otherwise sees what anyone sees). Anything else is
    None, like a missing id."""
    listing = load_listing(listing_id)
    if listing is None:
        return None
    if listing.producer_id == viewer.id or oversees(viewer, listing):
        return listing
    if is_public(listing):
        return listing
    if (viewer.role == Role.DISTRIBUTOR and listing.producer.status == UserStatus.ACTIVE
            and listing.taken_down_at is None and _matched_with(listing.id, viewer.id)):
        return listing
    return None


def load_listing(listing_id: int) -> Listing | None:
    """One listing in any status, its producer and profile loaded; None if the id is unknown."""
    return db.session.scalar(
        select(Listing).join(Listing.producer)
        .options(contains_eager(Listing.producer).joinedload(User.profile))
        .where(Listing.id == listing_id)
        # The session may hold this listing expired after a commit, with its
        # producer never loaded: load both afresh.
        .execution_options(populate_existing=True))


def _matched_with(listing_id: int, distributor_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Match.listing_id == listing_id,
                                                        Match.distributor_id == distributor_id))))
