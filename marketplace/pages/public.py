"""What the public pages (product, producer, sitemap) read, and how they
answer: anyone may open them, so an anonymous answer may sit in a front
proxy's cache for a few minutes; a signed-in one never does (web.security
marks it no-store)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, make_response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from marketplace.core.extensions import db
from marketplace.listings.search import is_public, load_listing, public_clauses
from marketplace.matches.reputation import reputation
from marketplace.models import Listing, ListingCertification, ListingStatus, User
from marketplace.models.user import Role, UserStatus
from marketplace.web.phrases import record_in_words

PUBLIC_MAX_AGE = 300          # seconds: a removed listing leaves proxies' caches within five minutes
SITEMAP_MAX = 50_000          # the sitemap protocol's limit per file


def cacheable(body) -> Response:
    response = make_response(body)
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    # The language comes from ?lang= or the cookie; a signed-in visitor's page differs too.
    response.vary.add("Cookie")
    return response


def public_listing_or_abort(listing_id: int) -> Listing:
    """An active listing of an active producer. A removed one (by its producer
    or the programme staff) is 410 Gone, so search engines drop it; drafts,
    paused, sold-out or expired listings and a suspended producer's are 404,
    like an id that never existed."""
    listing = load_listing(listing_id)
    if listing is None or listing.producer.status != UserStatus.ACTIVE:
        abort(404)
    if listing.status == ListingStatus.REMOVED:
        abort(410)
    if not is_public(listing):
        abort(404)
    return listing


def public_producer_or_abort(user_id: int) -> User:
    """A producer's account that is not suspended; anyone else's id is a 404."""
    user = db.session.scalar(select(User).options(joinedload(User.profile)).where(
        User.id == user_id, User.role == Role.PRODUCER, User.status == UserStatus.ACTIVE))
    if user is None or user.profile is None:
        abort(404)
    return user


def reputation_summary(user: User) -> str | None:
    """The line the listing and match pages show ("4,5★ from 2 ratings, ..."), or None with no record yet."""
    record = reputation(user.id, as_producer=True)
    if not record.rating_count and not record.deals_fulfilled:
        return None
    return record_in_words(record)


def producer_certifications(producer_id: int, today: date) -> list[ListingCertification]:
    """The valid certificates of a producer's public listings, each (code, number) once, the latest expiry kept."""
    rows = db.session.scalars(
        select(ListingCertification).join(Listing, Listing.id == ListingCertification.listing_id)
        .join(Listing.producer)
        .where(Listing.producer_id == producer_id, *public_clauses(),
               or_(ListingCertification.expires_on.is_(None), ListingCertification.expires_on >= today))
        .order_by(ListingCertification.code, ListingCertification.id)).all()
    kept: dict[tuple, ListingCertification] = {}
    for row in rows:
        key = (row.code, (row.number or "").strip().casefold())
        best = kept.get(key)
        if best is None or (best.expires_on is not None and (row.expires_on is None or row.expires_on > best.expires_on)):
            kept[key] = row
    return list(kept.values())


def sitemap_rows() -> tuple[list, list]:
    """(listing id, title, updated_at) of every public listing and (producer id, latest change) of every
    producer with one: Core rows, no ORM objects, so a large catalogue stays cheap."""
    listings = db.session.execute(
        select(Listing.id, Listing.title, Listing.updated_at).join(Listing.producer)
        .where(*public_clauses()).order_by(Listing.id).limit(SITEMAP_MAX)).all()
    producers = db.session.execute(
        select(User.id, func.max(Listing.updated_at)).select_from(Listing).join(Listing.producer)
        .where(*public_clauses()).group_by(User.id).order_by(User.id)
        .limit(max(SITEMAP_MAX - len(listings), 0))).all()
    return listings, producers
