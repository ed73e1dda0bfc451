"""The lots API: a producer records lots, reads their links and EPCIS record;
a listing takes a GTIN whose check digit is right."""
import jsonschema
import pytest

from tests.support.api_client import ApiClient, error_of, issue_token, listing_body
from tests.support.lots import epcis_schema

LOT = {"code": "NM-2026-01", "produced_on": "2026-11-02", "best_before": "2028-11-01", "quantity": 300,
       "raw_material_area_code": "VT-KG-07", "stages": ["đánh bắt cá cơm", "ủ chượp 12 tháng", "đóng chai"]}


@pytest.fixture
def api(client, producer):
    return ApiClient(client, issue_token(producer))


def test_a_listing_with_a_gtin_gives_its_lots_digital_links(app, api):
    listing = api.post("/listings", json=listing_body(gtin="8934563000011")).get_json()
    assert listing["gtin"] == "8934563000011"
    created = api.post(f"/listings/{listing['id']}/lots", json=LOT)
    assert created.status_code == 201, created.get_json()
    lot = created.get_json()
    site = app.config["SITE_URL"]
    assert lot["digital_link"] == lot["trace_url"] == f"{site}/01/08934563000011/10/NM-2026-01?17=281101"
    assert lot["short_link"].startswith(f"{site}/t/") and lot["stages"] == LOT["stages"]
    assert lot["qr_svg_url"].endswith("/qr.svg") and lot["qr_png_url"].endswith("/qr.png")
    assert api.get(f"/lots/{lot['id']}").get_json()["code"] == "NM-2026-01"
    assert [x["id"] for x in api.get(f"/listings/{listing['id']}/lots").get_json()] == [lot["id"]]
    document = api.get(f"/lots/{lot['id']}/epcis")
    assert document.mimetype == "application/ld+json"
    jsonschema.validate(document.get_json(), epcis_schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_without_a_gtin_the_lot_has_a_short_link_only(app, api):
    listing = api.post("/listings", json=listing_body()).get_json()
    lot = api.post(f"/listings/{listing['id']}/lots", json=LOT).get_json()
    assert lot["digital_link"] is None and lot["trace_url"] == lot["short_link"]


@pytest.mark.parametrize("gtin", ["8934563000014", "12345", "89345630000a1"])
def test_a_wrong_gtin_is_refused_by_its_field(api, gtin):
    response = api.post("/listings", json=listing_body(gtin=gtin))
    assert response.status_code == 422
    assert "check digit" in error_of(response)["fields"]["gtin"]


def test_a_bad_lot_is_refused_in_the_error_shape(api):
    listing = api.post("/listings", json=listing_body()).get_json()
    response = api.post(f"/listings/{listing['id']}/lots", json={**LOT, "code": "lô 1", "quantity": 0})
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) >= {"code", "quantity"}
    api.post(f"/listings/{listing['id']}/lots", json=LOT)
    again = api.post(f"/listings/{listing['id']}/lots", json=LOT)
    assert again.status_code == 422 and "already" in error_of(again)["fields"]["code"]


def test_a_shipment_names_its_lots_and_refuses_anothers(api, producer, distributor):
    from datetime import date, timedelta

    from marketplace.models import MatchStatus
    from tests.support.factories import ListingFactory, OrderFactory
    from tests.support.lots import make_lot
    from tests.support.match_data import make_match

    listing = ListingFactory(producer=producer)
    lot = make_lot(listing)
    stranger = make_lot(ListingFactory(producer=producer), code="OTHER")
    match = make_match(listing, OrderFactory(distributor=distributor), MatchStatus.CONFIRMED)
    body = {"quantity": 10, "shipped_on": (date.today() - timedelta(days=1)).isoformat()}
    refused = api.post(f"/matches/{match.id}/shipments", json={**body, "lots": [stranger.id]})
    assert refused.status_code == 422 and "lots" in error_of(refused)["fields"]
    shipped = api.post(f"/matches/{match.id}/shipments", json={**body, "lots": [lot.id]})
    assert shipped.status_code == 201 and shipped.get_json()["lots"] == [lot.id]
    events = api.get(f"/lots/{lot.id}/epcis").get_json()["epcisBody"]["eventList"]
    assert [e["bizStep"] for e in events] == ["commissioning", "shipping"]
