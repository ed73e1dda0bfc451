"""Listings as a producer creates and manages them, through the services."""
from datetime import date, timedelta

import pytest

from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.listings.services import (
    ListingInput,
    create_listing,
    expire_listings,
    input_from_listing,
    pause_listing,
    publish_listing,
    remove_listing,
    update_listing,
)
from marketplace.models import ListingStatus
from marketplace.models.user import Role
from marketplace.trade.checks import CertificateInput

TODAY = date(2026, 11, 29)


def rice(**changes) -> ListingInput:
    values = dict(title="Gạo ST25", category="food.rice", unit="kg", quantity=2000, unit_price=32000,
                  province="Sóc Trăng", min_order_quantity=100, stars=4,
                  certifications=(CertificateInput("vietgap", "VG-123", TODAY + timedelta(days=300)),))
    values.update(changes)
    return ListingInput(**values)


def test_quantities_and_prices_in_tonnes_are_stored_per_kg(user_factory):
    producer = user_factory()
    listing = create_listing(producer, rice(unit="tan", quantity=2, min_order_quantity=1,
                                            unit_price=32_000_000), TODAY)
    assert (listing.unit, listing.quantity, listing.min_order_quantity, listing.unit_price) == \
        ("kg", 2000, 1000, 32_000)
    # Sóc Trăng merged into Cần Thơ in 2025.
    assert listing.province_code == "can-tho"
    assert listing.status is ListingStatus.ACTIVE
    assert listing.search_text.startswith("gao st25")


@pytest.mark.parametrize("changes, field", [
    ({"quantity": 0}, "quantity"),
    ({"quantity": -5}, "quantity"),
    ({"unit_price": 0}, "unit_price"),
    ({"unit": "tan", "unit_price": 1_500}, "unit_price"),       # 1.5 dong per kg
    ({"min_order_quantity": 5000}, "min_order_quantity"),
    ({"available_from": TODAY + timedelta(days=5), "available_until": TODAY + timedelta(days=1)},
     "available_until"),
    ({"available_until": TODAY - timedelta(days=1)}, "available_until"),
    ({"category": "food"}, "category"),                         # a group, not a leaf
    ({"category": "weapons.guns"}, "category"),
    ({"unit": "gallon"}, "unit"),
    ({"province": "Atlantis"}, "province"),
    ({"stars": 2}, "stars"),
    ({"title": "  "}, "title"),
    ({"title": "x" * 121}, "title"),
    ({"description": "x" * 2001}, "description"),
    ({"certifications": (CertificateInput("iso9999"),)}, "certifications"),
    ({"certifications": (CertificateInput("haccp"), CertificateInput("haccp"))}, "certifications"),
])
def test_bad_input_names_the_field_and_stores_nothing(user_factory, db, changes, field):
    from marketplace.models import Listing
    producer = user_factory()
    with pytest.raises(InvalidInput) as error:
        create_listing(producer, rice(**changes), TODAY)
    assert field in error.value.fields
    assert db.session.query(Listing).count() == 0


def test_distributors_cannot_list(user_factory):
    with pytest.raises(NotAllowed):
        create_listing(user_factory(role=Role.DISTRIBUTOR), rice(), TODAY)


def test_status_moves(user_factory):
    producer = user_factory()
    listing = create_listing(producer, rice(), TODAY, publish=False)
    assert listing.status is ListingStatus.DRAFT
    with pytest.raises(WrongState):
        pause_listing(listing)
    publish_listing(listing, TODAY)
    pause_listing(listing)
    assert listing.status is ListingStatus.PAUSED
    publish_listing(listing, TODAY)
    assert listing.status is ListingStatus.ACTIVE
    revision = listing.revision
    remove_listing(listing, producer)
    assert listing.status is ListingStatus.REMOVED and listing.revision > revision
    with pytest.raises(WrongState):
        update_listing(listing, rice(), TODAY)


def test_only_the_owner_or_an_admin_removes(user_factory):
    owner, other = user_factory(), user_factory()
    admin = user_factory(role=Role.ADMIN)
    first = create_listing(owner, rice(), TODAY)
    with pytest.raises(NotAllowed):
        remove_listing(first, other)
    remove_listing(first, admin)
    assert first.status is ListingStatus.REMOVED


def test_an_edit_cannot_drop_stock_below_what_is_promised(user_factory, db):
    listing = create_listing(user_factory(), rice(), TODAY)
    listing.reserved_quantity = 1500
    db.session.commit()
    with pytest.raises(InvalidInput) as error:
        update_listing(listing, rice(quantity=1000), TODAY)
    assert "quantity" in error.value.fields
    db.session.refresh(listing)
    assert listing.quantity == 2000


def test_partial_edit_round_trips_through_input(user_factory):
    listing = create_listing(user_factory(), rice(), TODAY)
    data = input_from_listing(listing)
    updated = update_listing(listing, ListingInput(**{**data.__dict__, "unit_price": 30000}), TODAY)
    assert updated.unit_price == 30000 and updated.revision == 2
    assert [c.code for c in updated.certifications] == ["vietgap"]


def test_expiry_after_available_until(user_factory):
    producer = user_factory()
    soon = create_listing(producer, rice(available_until=TODAY + timedelta(days=1)), TODAY)
    lasting = create_listing(producer, rice(), TODAY)
    assert expire_listings(TODAY + timedelta(days=1)) == 0
    assert expire_listings(TODAY + timedelta(days=2)) == 1
    assert expire_listings(TODAY + timedelta(days=2)) == 0
    from marketplace.core.extensions import db
    db.session.expire_all()
    assert soon.status is ListingStatus.EXPIRED and lasting.status is ListingStatus.ACTIVE
    with pytest.raises(WrongState):
        publish_listing(soon, TODAY + timedelta(days=2))


def test_certification_codes_are_stored_one_way_whatever_the_case(user_factory):
    from marketplace.listings.search import ListingFilters, browse_listings

    listing = create_listing(user_factory(), rice(certifications=(CertificateInput("VietGAP"),)), TODAY)
    assert [c.code for c in listing.certifications] == ["vietgap"]
    assert browse_listings(ListingFilters(certification="vietgap"), TODAY).total == 1
    with pytest.raises(InvalidInput):
        create_listing(user_factory(), rice(certifications=(CertificateInput("VIETGAP"), CertificateInput("vietgap"))),
                       TODAY)
