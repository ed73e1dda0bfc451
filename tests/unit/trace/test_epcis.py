"""A lot's trace record as an EPCIS 2.0 document, validated against GS1's
published JSON schema (tests/standards/epcis-2.0, with its licence)."""
from datetime import timedelta

import jsonschema
import pytest

from marketplace.core.clock import local_today
from marketplace.core.validation import InvalidInput
from marketplace.matches import lifecycle
from marketplace.models import MatchStatus
from marketplace.trace.epcis import CONTEXT, epcis_document
from marketplace.trace.services import lot_events
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.lots import STANDARDS, epcis_schema, make_lot
from tests.support.match_data import make_match

SCHEMA = epcis_schema()


def validate(document: dict) -> None:
    jsonschema.validate(document, SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_the_schema_copy_accepts_gs1s_own_example_and_refuses_a_broken_one():
    import json
    example = json.loads((STANDARDS / "example-ObjectEvent.jsonld").read_text(encoding="utf-8"))
    validate(example)
    example["epcisBody"]["eventList"][0]["action"] = "SHIPPED"
    with pytest.raises(jsonschema.ValidationError):
        validate(example)


@pytest.fixture
def shipped(app, producer, distributor):
    """A lot of fish sauce with a GTIN, shipped in a confirmed match to Hà Nội and received."""
    listing = ListingFactory(producer=producer, unit="bottle", gtin="8934563000011", province_code="an-giang")
    order = OrderFactory(distributor=distributor, unit="bottle", delivery_province_code="ha-noi")
    lot = make_lot(listing)
    match = make_match(listing, order, MatchStatus.CONFIRMED, quantity=100)
    lifecycle.ship(match, producer, lifecycle.ShipmentInput(60, local_today() - timedelta(days=1), lots=(lot.id,)))
    lifecycle.fulfil(match, distributor, 60)
    return lot, match


def test_commissioning_shipping_and_receiving_validate_against_gs1s_schema(app, shipped):
    lot, match = shipped
    document = epcis_document(lot, lot_events(lot), "https://cungcau.vn")
    validate(document)
    assert document["@context"][0] == CONTEXT == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    assert (document["type"], document["schemaVersion"]) == ("EPCISDocument", "2.0")
    added, shipping, receiving = document["epcisBody"]["eventList"]
    assert (added["action"], added["bizStep"]) == ("ADD", "commissioning")
    assert added["quantityList"] == [{"epcClass": "https://cungcau.vn/01/08934563000011/10/NM-2026-01",
                                      "quantity": 300, "uom": "H87"}]
    assert added["ilmd"]["cbvmda:lotNumber"] == "NM-2026-01"
    assert added["ilmd"]["cbvmda:bestBeforeDate"] == "2028-11-01"
    assert added["ilmd"]["cungcau:rawMaterialAreaCode"] == "VT-KG-07"
    assert (shipping["action"], shipping["bizStep"], shipping["disposition"]) == ("OBSERVE", "shipping", "in_transit")
    assert shipping["bizTransactionList"] == [{"type": "po", "bizTransaction": f"https://cungcau.vn/matches/{match.id}"}]
    assert shipping["sourceList"][0]["source"].endswith(f"/users/{match.producer_id}")
    assert shipping["destinationList"][0]["destination"].endswith(f"/users/{match.distributor_id}")
    assert shipping["quantityList"][0]["quantity"] == 60
    assert (receiving["action"], receiving["bizStep"]) == ("OBSERVE", "receiving")


def test_kilograms_and_litres_use_un_ece_rec_20_codes(app, producer):
    from marketplace.trace.epcis import uom
    assert (uom("kg"), uom("l"), uom("piece"), uom("bottle")) == ("KGM", "LTR", "H87", "H87")
    lot = make_lot(ListingFactory(producer=producer), best_before=None, area=None, stages="")
    document = epcis_document(lot, lot_events(lot), "http://127.0.0.1:5000")
    validate(document)
    [event] = document["epcisBody"]["eventList"]
    assert event["quantityList"][0]["uom"] == "KGM"
    assert event["quantityList"][0]["epcClass"] == f"http://127.0.0.1:5000/t/{lot.link_code}"


def test_a_shipment_takes_lots_of_its_own_listing_only(app, producer, distributor):
    listing = ListingFactory(producer=producer)
    order = OrderFactory(distributor=distributor)
    foreign = make_lot(ListingFactory(producer=producer), code="OTHER-1")
    match = make_match(listing, order, MatchStatus.CONFIRMED, quantity=100)
    with pytest.raises(InvalidInput) as refused:
        lifecycle.ship(match, producer, lifecycle.ShipmentInput(10, local_today(), lots=(foreign.id,)))
    assert "lots" in refused.value.fields
    with pytest.raises(InvalidInput):
        lifecycle.ship(match, producer, lifecycle.ShipmentInput(10, local_today(), lots=(999999,)))
    assert len(lot_events(foreign)) == 1


def test_a_shipment_without_lots_records_no_trace_event(app, producer, distributor):
    listing = ListingFactory(producer=producer)
    lot = make_lot(listing)
    match = make_match(listing, OrderFactory(distributor=distributor), MatchStatus.CONFIRMED, quantity=100)
    shipment = lifecycle.ship(match, producer, lifecycle.ShipmentInput(10, local_today()))
    assert shipment.lot_ids == [] and len(lot_events(lot)) == 1
