"""Recording lots: checks, codes unique per producer, the commissioning event, append-only events."""
from datetime import date

import pytest
from sqlalchemy.exc import DatabaseError

from marketplace.core.validation import InvalidInput, NotAllowed
from marketplace.models import TraceEvent
from marketplace.models.user import Role
from marketplace.trace.services import LotInput, create_lot, lot_events, trace_url, update_lot
from tests.support.factories import ListingFactory, UserFactory
from tests.support.lots import make_lot


def test_a_lot_is_commissioned_with_its_master_data(app, producer):
    listing = ListingFactory(producer=producer)
    lot = make_lot(listing)
    [event] = lot_events(lot)
    assert (event.biz_step, event.action, event.quantity, event.unit) == ("commissioning", "ADD", 300, "kg")
    assert event.details["ilmd"]["stages"] == ["đánh bắt cá cơm", "ủ chượp 12 tháng", "đóng chai"]
    assert lot.link_code and trace_url(lot) == f"{app.config['SITE_URL']}/t/{lot.link_code}"


def test_a_gtin_gives_the_lot_a_digital_link(app, producer):
    listing = ListingFactory(producer=producer, gtin="8934563000011")
    lot = make_lot(listing, code="L/24", best_before=date(2027, 5, 26))
    assert trace_url(lot) == f"{app.config['SITE_URL']}/01/08934563000011/10/L%2F24?17=270526"


def test_codes_are_unique_per_producer_not_across_producers(app, producer):
    listing = ListingFactory(producer=producer)
    make_lot(listing)
    with pytest.raises(InvalidInput) as refused:
        make_lot(ListingFactory(producer=producer))
    assert "code" in refused.value.fields
    other = ListingFactory(producer=UserFactory(role=Role.PRODUCER))
    assert make_lot(other).code == "NM-2026-01"


@pytest.mark.parametrize("changes,field", [
    ({"code": "lô một"}, "code"), ({"code": ""}, "code"), ({"quantity": 0}, "quantity"),
    ({"quantity": None}, "quantity"), ({"produced_on": None}, "produced_on"),
    ({"produced_on": date(2099, 1, 1)}, "produced_on"), ({"best_before": date(2020, 1, 1)}, "best_before"),
    ({"stages": "x" * 2001}, "stages"),
])
def test_bad_lots_are_refused_by_field(app, producer, changes, field):
    data = {"code": "A1", "produced_on": date(2026, 11, 2), "quantity": 10, **changes}
    with pytest.raises(InvalidInput) as refused:
        create_lot(ListingFactory(producer=producer), producer, LotInput(**data))
    assert field in refused.value.fields


def test_only_the_listing_producer_records_lots(app, producer):
    listing = ListingFactory(producer=producer)
    other = UserFactory(role=Role.PRODUCER)
    with pytest.raises(NotAllowed):
        create_lot(listing, other, LotInput(code="A1", produced_on=date(2026, 11, 2), quantity=5))


def test_an_edit_keeps_the_recorded_events(app, producer, db):
    lot = make_lot(ListingFactory(producer=producer))
    update_lot(lot, producer, LotInput(code="NM-2026-01B", produced_on=date(2026, 11, 3), quantity=280))
    assert lot.code == "NM-2026-01B" and len(lot_events(lot)) == 1


def test_trace_events_are_append_only(app, producer, db):
    make_lot(ListingFactory(producer=producer))
    with pytest.raises(DatabaseError):
        db.session.execute(db.update(TraceEvent).values(quantity=1))
    db.session.rollback()
    with pytest.raises(DatabaseError):
        db.session.execute(db.delete(TraceEvent))
    db.session.rollback()
