"""Listing use cases: a producer creates, edits, pauses, resumes and removes
its listings; a periodic task expires them. One commit per use case."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from marketplace.auth.permissions import confirm_email_first, must_confirm_email
from marketplace.core.concurrency import lock_for_change
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.rate import check_cap, check_rate, count_write
from marketplace.core.validation import FieldErrors, InvalidInput, NotAllowed, WrongState
from marketplace.geo import fold
from marketplace.matches.lifecycle import cancel_open_matches
from marketplace.matches.triggers import request_category_run
from marketplace.models import Listing, ListingCertification, ListingStatus, User
from marketplace.models.user import Role
from marketplace.trace.gs1 import gtin_is_valid
from marketplace.trade.certifications import sync_certifications
from marketplace.trade.checks import (
    CODE_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    CertificateInput,
    canonical_code,
    check_category,
    check_certifications,
    check_province,
    check_quantity,
    check_stars,
    check_text,
    price_per_base,
    unit_factor,
)
from marketplace.trade.scope import oversees

EDITABLE = {ListingStatus.DRAFT, ListingStatus.ACTIVE, ListingStatus.PAUSED, ListingStatus.SOLD_OUT,
            ListingStatus.EXPIRED}


@dataclass(frozen=True)
class ListingInput:
    """What a producer types. Quantities and the price are in ``unit``, which
    may be any unit (2 tấn); they are stored in its base (2000 kg)."""
    title: str
    category: str
    unit: str
    quantity: int | Decimal
    unit_price: int
    province: str
    description: str = ""
    min_order_quantity: int | Decimal = 1
    available_from: date | None = None
    available_until: date | None = None
    stars: int = 0
    certifications: tuple[CertificateInput, ...] = field(default_factory=tuple)
    traceability_code: str | None = None
    raw_material_area_code: str | None = None
    gtin: str | None = None


def input_from_listing(listing: Listing) -> ListingInput:
    """The listing as input again, so a partial edit can change a few fields."""
    return ListingInput(
        title=listing.title, category=listing.category, unit=listing.unit, quantity=listing.quantity,
        unit_price=listing.unit_price, province=listing.province_code, description=listing.description,
        min_order_quantity=listing.min_order_quantity, available_from=listing.available_from,
        available_until=listing.available_until, stars=listing.stars,
        certifications=tuple(CertificateInput(c.code, c.number, c.expires_on) for c in listing.certifications),
        traceability_code=listing.traceability_code, raw_material_area_code=listing.raw_material_area_code,
        gtin=listing.gtin,
    )


def _checked(data: ListingInput, today: date, reserved: int = 0) -> dict:
    errors = FieldErrors()
    values = {
        "title": check_text(errors, "title", data.title, TITLE_MAX, required=True),
        "description": check_text(errors, "description", data.description, DESCRIPTION_MAX),
        "traceability_code": check_text(errors, "traceability_code", data.traceability_code, CODE_MAX) or None,
        "raw_material_area_code": check_text(errors, "raw_material_area_code", data.raw_material_area_code,
                                             CODE_MAX) or None,
    }
    values["gtin"] = _gtin(errors, data.gtin)
    check_category(errors, data.category)
    base, factor = unit_factor(errors, data.unit)
    quantity = check_quantity(errors, "quantity", data.quantity, factor, data.unit)
    minimum = check_quantity(errors, "min_order_quantity", data.min_order_quantity, factor, data.unit)
    if quantity and minimum and minimum > quantity:
        errors.add("min_order_quantity", _("The minimum order cannot exceed the quantity."))
    if quantity and quantity < reserved:
        errors.add("quantity", _("%(reserved)d are already promised to matches; the quantity cannot go below that.",
                                 reserved=reserved))
    price = price_per_base(errors, "unit_price", data.unit_price, factor)
    province_code = check_province(errors, data.province, "province")
    check_stars(errors, data.stars, "stars")
    if data.available_from and data.available_until and data.available_until < data.available_from:
        errors.add("available_until", _("The end date is before the start date."))
    elif data.available_until and data.available_until < today:
        errors.add("available_until", _("This date is in the past."))
    check_certifications(errors, "certifications", data.certifications)
    if errors:
        raise InvalidInput(dict(errors))
    return {**values, "category": data.category, "unit": base, "quantity": quantity,
            "min_order_quantity": minimum, "unit_price": price, "province_code": province_code,
            "stars": data.stars, "available_from": data.available_from,
            "available_until": data.available_until}


def _gtin(errors: FieldErrors, value: str | None) -> str | None:
    gtin = "".join((value or "").split())
    if gtin and not gtin_is_valid(gtin):
        errors.add("gtin", _("A GTIN has 8, 12, 13 or 14 digits and a valid check digit (the last one)."))
    return gtin or None


def check_listing(data: ListingInput, today: date, reserved: int = 0) -> None:
    """The same checks as create and update, storing nothing."""
    _checked(data, today, reserved)


def _apply(listing: Listing, values: dict, certificates: tuple[CertificateInput, ...]) -> None:
    for name, value in values.items():
        setattr(listing, name, value)
    sync_certifications(listing.certifications, {
        canonical_code(c.code): {"number": (c.number or "").strip() or None, "expires_on": c.expires_on}
        for c in certificates}, ListingCertification)
    listing.search_text = fold(f"{listing.title} {listing.description} {listing.traceability_code or ''}")


def require_producer(user: User) -> None:
    if user.role != Role.PRODUCER:
        raise NotAllowed(_("Only producers can list products."))


def _too_many_listings() -> str:
    return _("You have created many listings in a short time. Please wait a while and try again.")


def create_listing(producer: User, data: ListingInput, today: date, publish: bool = True) -> Listing:
    """One listing, within the account's ``LISTING_RATE_LIMIT`` (a spreadsheet import counts once)."""
    require_producer(producer)
    check_rate("LISTING_RATE_LIMIT", "listing-create", producer.id, _too_many_listings())
    listing = create_listings(producer, [data], today, publish)[0]
    count_write("LISTING_RATE_LIMIT", "listing-create", producer.id)
    return listing


def create_listings(producer: User, inputs, today: date, publish: bool = True) -> list[Listing]:
    """One listing, or a spreadsheet's worth: all stored in one transaction or
    none, and one match run asked for per category."""
    require_producer(producer)
    if publish and must_confirm_email(producer):
        raise InvalidInput({}, confirm_email_first())
    inputs = list(inputs)
    live = db.session.scalar(select(func.count(Listing.id)).where(
        Listing.producer_id == producer.id, Listing.status.notin_((ListingStatus.REMOVED, ListingStatus.EXPIRED))))
    cap = current_app.config["MAX_LIVE_LISTINGS"]
    check_cap("MAX_LIVE_LISTINGS", live, len(inputs), ngettext(
        "An account can keep at most %(num)d listing; remove one that has ended first.",
        "An account can keep at most %(num)d listings; remove ones that have ended first.", cap))
    listings = []
    try:
        for data in inputs:
            listing = Listing(producer_id=producer.id, reserved_quantity=0,
                              status=ListingStatus.ACTIVE if publish else ListingStatus.DRAFT)
            _apply(listing, _checked(data, today), data.certifications)
            db.session.add(listing)
            listings.append(listing)
    except InvalidInput:
        db.session.rollback()
        raise
    if publish:
        for category in sorted({listing.category for listing in listings}):
            request_category_run(category)
    db.session.commit()
    return listings


def update_listing(listing: Listing, data: ListingInput, today: date) -> Listing:
    lock_for_change(listing)
    try:
        if listing.status not in EDITABLE:
            raise WrongState(_("A removed listing cannot be edited."))
        values = _checked(data, today, reserved=listing.reserved_quantity)
        if values["unit"] != listing.unit and listing.reserved_quantity:
            raise InvalidInput({"unit": _("The unit cannot change while stock is promised to matches.")})
    except (WrongState, InvalidInput):
        db.session.rollback()
        raise
    _apply(listing, values, data.certifications)
    request_category_run(listing.category)
    if listing.status == ListingStatus.EXPIRED:
        # New dates: the producer resumes it when ready.
        listing.status = ListingStatus.PAUSED
    elif listing.status == ListingStatus.SOLD_OUT and listing.available_quantity > 0:
        # Sold out only meant "all promised to matches"; new stock is on sale at once.
        listing.status = ListingStatus.ACTIVE
    db.session.commit()
    return listing


def _move(listing: Listing, allowed_from: set[ListingStatus], to: ListingStatus, message: str,
          actor: User | None = None) -> Listing:
    if listing.status not in allowed_from:
        raise WrongState(message)
    if to == ListingStatus.REMOVED:
        # Before the listing row is touched: see cancel_open_matches on lock order.
        cancelled = cancel_open_matches(actor=actor, reason=_("The listing was removed."), listing_id=listing.id)
        # Audited: an admin removing someone's listing is an admin action.
        emit_event("listing.removed", target_type="listing", target_id=listing.id, actor=actor,
                   producer_id=listing.producer_id, listing_title=listing.title, cancelled_matches=cancelled)
    listing.status = to
    listing.revision = Listing.revision + 1  # in SQL: never from a stale copy
    if to == ListingStatus.ACTIVE:
        request_category_run(listing.category)
    db.session.commit()
    return listing


def publish_listing(listing: Listing, today: date) -> Listing:
    """Draft or paused -> active, if it can still be sold."""
    if must_confirm_email(listing.producer):
        raise WrongState(confirm_email_first())
    if listing.available_until and listing.available_until < today:
        raise WrongState(_("The available-until date has passed; change it first."))
    if listing.available_quantity <= 0:
        raise WrongState(_("Nothing is left to sell; add stock first."))
    return _move(listing, {ListingStatus.DRAFT, ListingStatus.PAUSED}, ListingStatus.ACTIVE,
                 _("Only a draft or paused listing can be put on sale."))


def pause_listing(listing: Listing) -> Listing:
    return _move(listing, {ListingStatus.ACTIVE}, ListingStatus.PAUSED, _("Only an active listing can be paused."))


def remove_listing(listing: Listing, actor: User) -> Listing:
    """A soft delete: the row stays for the history of its matches."""
    # An admin only where they oversee it (an out-of-scope listing may still be public to them).
    if listing.producer_id != actor.id and not oversees(actor, listing):
        raise NotAllowed(_("You can only remove your own listings."))
    return _move(listing, EDITABLE, ListingStatus.REMOVED, _("This listing is already removed."), actor)


def expire_listings(today: date) -> int:
    """Listings whose available-until date has passed stop being offered."""
    result = db.session.execute(
        update(Listing)
        .where(Listing.status.in_([ListingStatus.DRAFT, ListingStatus.ACTIVE, ListingStatus.PAUSED,
                                   ListingStatus.SOLD_OUT]),
               Listing.available_until < today)
        .values(status=ListingStatus.EXPIRED, revision=Listing.revision + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
