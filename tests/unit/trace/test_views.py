"""The producer's lot pages, the public trace page its QR code opens, the
EPCIS document from the same link, the QR codes and the label sheet."""
import io
from datetime import date

import jsonschema
import pytest
import zxingcpp
from PIL import Image

from marketplace.core.extensions import db
from marketplace.models import Lot
from marketplace.models.user import UserStatus
from tests.support.auth import csrf
from tests.support.factories import ListingFactory
from tests.support.lots import epcis_schema, make_lot


@pytest.fixture
def sauce(producer):
    producer.profile.address = "Ấp 3, xã Dương Tơ, Phú Quốc"
    db.session.commit()
    return ListingFactory(producer=producer, title="Nước mắm Phú Quốc", unit="bottle", gtin="8934563000011")


def test_anyone_opens_a_lots_trace_page_by_its_short_link(client, sauce):
    lot = make_lot(sauce)
    page = client.get(f"/t/{lot.link_code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "text/html" in page.content_type
    for text in ("Nước mắm Phú Quốc", "NM-2026-01", "VT-KG-07", "Ấp 3, xã Dương Tơ", "ủ chượp 12 tháng",
                 "Lot recorded", "Best before", "<script" if False else "Journey"):
        assert text in html
    assert "<script" not in html


def test_the_trace_page_leads_to_the_product_page_while_the_listing_is_on_sale(client, sauce):
    lot = make_lot(sauce)
    product = f'href="/p/{sauce.id}-nuoc-mam-phu-quoc"'
    assert product in client.get(f"/t/{lot.link_code}").get_data(as_text=True)
    sauce.status = sauce.status.PAUSED
    db.session.commit()
    assert product not in client.get(f"/t/{lot.link_code}").get_data(as_text=True)


def test_the_trace_page_follows_the_visitors_language(client, sauce):
    lot = make_lot(sauce)
    client.set_cookie("lang", "vi")
    html = client.get(f"/t/{lot.link_code}").get_data(as_text=True)
    assert 'lang="vi"' in html and "Hành trình" in html and "Journey" not in html


def test_the_digital_link_opens_the_same_page_and_the_epcis_document(client, sauce):
    lot = make_lot(sauce, code="L/24", best_before=date(2027, 5, 26))
    link = "/01/08934563000011/10/L%2F24"
    page = client.get(f"{link}?17=270526")
    assert page.status_code == 200 and "L/24" in page.get_data(as_text=True)
    for response in (client.get(f"{link}?linkType=gs1:epcis"),
                     client.get(link, headers={"Accept": "application/ld+json"})):
        assert response.status_code == 200 and response.mimetype == "application/ld+json"
        document = response.get_json()
        jsonschema.validate(document, epcis_schema(), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
        assert document["epcisBody"]["eventList"][0]["ilmd"]["cbvmda:lotNumber"] == "L/24"
    assert client.get("/01/08934563000011/10/NOPE").status_code == 404
    assert client.get("/01/0893456300001/10/L%2F24").status_code == 404
    assert lot.id


def test_a_suspended_producers_lots_are_gone(client, sauce, producer):
    lot = make_lot(sauce)
    producer.status = UserStatus.SUSPENDED
    db.session.commit()
    assert client.get(f"/t/{lot.link_code}").status_code == 404
    assert client.get(f"/t/{lot.link_code}/qr.svg").status_code == 404
    assert client.get("/t/nothere1").status_code == 404


def decoded(png: bytes) -> str:
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    return result.text


def test_the_qr_code_decodes_back_to_the_lots_link(app, client, sauce):
    lot = make_lot(sauce, best_before=date(2027, 5, 26))
    png = client.get(f"/t/{lot.link_code}/qr.png")
    assert png.mimetype == "image/png" and "max-age" in png.headers["Cache-Control"]
    assert decoded(png.data) == f"{app.config['SITE_URL']}/01/08934563000011/10/NM-2026-01?17=270526"
    svg = client.get(f"/t/{lot.link_code}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_the_svg_is_the_same_code_as_the_png(app, client, sauce):
    import segno
    lot = make_lot(sauce)
    url = f"{app.config['SITE_URL']}/01/08934563000011/10/NM-2026-01?17=281101"
    qr = segno.make(url, error="q", boost_error=False)
    assert qr.error in ("M", "Q", "H") and qr.error >= "M"
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=4, border=4, xmldecl=True, title=url)
    assert client.get(f"/t/{lot.link_code}/qr.svg").data == out.getvalue()


def test_a_producer_records_a_lot_through_the_form(client, auth, producer, sauce):
    auth.login(producer.email)
    path = f"/listings/{sauce.id}/lots"
    assert client.get(path).status_code == 200
    response = client.post(path, data={"csrf_token": csrf(client, path), "code": "NM-2026-02",
                                       "produced_on": "2026-11-20", "best_before": "2028-11-19", "quantity": "120",
                                       "raw_material_area_code": "VT-KG-07",
                                       "stages": "đánh bắt cá cơm\nủ chượp 12 tháng"})
    assert response.status_code == 302
    lot = db.session.scalar(db.select(Lot).where(Lot.code == "NM-2026-02"))
    assert lot.stage_list == ["đánh bắt cá cơm", "ủ chượp 12 tháng"]
    html = client.get(path).get_data(as_text=True)
    assert "/01/08934563000011/10/NM-2026-02?17=281119" in html


def test_a_bad_lot_is_explained_on_the_form(client, auth, producer, sauce):
    auth.login(producer.email)
    path = f"/listings/{sauce.id}/lots"
    response = client.post(path, data={"csrf_token": csrf(client, path), "code": "lô một", "quantity": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Up to 20 letters" in html and "Give the day it was produced" in html


def test_a_producer_edits_a_lot(client, auth, producer, sauce):
    lot = make_lot(sauce)
    auth.login(producer.email)
    path = f"/lots/{lot.id}/edit"
    assert client.get(path).status_code == 200
    response = client.post(path, data={"csrf_token": csrf(client, path), "code": "NM-2026-01",
                                       "produced_on": "2026-11-02", "quantity": "250", "stages": "đóng chai"})
    assert response.status_code == 302
    db.session.refresh(lot)
    assert lot.quantity == 250 and lot.best_before is None


def test_another_producer_cannot_see_or_edit_the_lots(client, auth, sauce, user_factory):
    from marketplace.models.user import Role
    lot = make_lot(sauce)
    other = user_factory(role=Role.PRODUCER)
    auth.login(other.email)
    assert client.get(f"/listings/{sauce.id}/lots").status_code == 404
    assert client.get(f"/lots/{lot.id}/edit").status_code == 404
    assert client.get(f"/listings/{sauce.id}/labels").status_code == 404


def test_the_label_sheet_is_print_ready_a4_with_a_qr_per_label(client, auth, producer, sauce):
    lot = make_lot(sauce)
    auth.login(producer.email)
    html = client.get(f"/listings/{sauce.id}/labels?copies=18").get_data(as_text=True)
    css = client.get("/static/labels.css").get_data(as_text=True)
    assert "labels.css" in html and "@page { size: A4" in css
    assert html.count('class="label"') == 18 and html.count("<svg") == 18
    assert f"/t/{lot.link_code}" in html and "NM-2026-01" in html and "Nước mắm Phú Quốc" in html


def test_the_journey_shows_where_the_lot_went(client, auth, producer, distributor, sauce):
    from datetime import timedelta

    from marketplace.core.clock import local_today
    from marketplace.matches import lifecycle
    from marketplace.models import MatchStatus
    from tests.support.factories import OrderFactory
    from tests.support.match_data import make_match

    lot = make_lot(sauce)
    order = OrderFactory(distributor=distributor, unit="bottle", delivery_province_code="ha-noi")
    match = make_match(sauce, order, MatchStatus.CONFIRMED, quantity=100)
    auth.login(producer.email)
    page = f"/matches/{match.id}"
    assert "NM-2026-01" in client.get(page).get_data(as_text=True)       # the lot to tick
    response = client.post(f"{page}/ship", data={
        "csrf_token": csrf(client, page), "ship-quantity": "100",
        "ship-shipped_on": (local_today() - timedelta(days=1)).isoformat(), "ship-lots": str(lot.id)})
    assert response.status_code == 302
    lifecycle.fulfil(db.session.get(type(match), match.id), distributor, 100)
    auth.logout()
    html = client.get(f"/t/{lot.link_code}").get_data(as_text=True)
    assert html.index("Lot recorded") < html.index("Shipped to Hà Nội") < html.index("Received in Hà Nội")


def test_the_trace_page_shows_the_products_cover_photo(app, client, sauce, producer):
    from flask_babel import force_locale

    from marketplace.listings.photos import add_photo
    from tests.support.images import png

    with app.test_request_context(), force_locale("en"):
        photo = add_photo(sauce, producer, png(size=(1200, 900)))
    lot = make_lot(sauce)
    html = client.get(f"/t/{lot.link_code}").get_data(as_text=True)
    assert f'src="/media/{photo.thumb_name}"' in html and 'width="400" height="300"' in html
