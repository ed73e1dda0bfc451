"""On a 360 px phone: scanning a lot's QR code (decoded here from the PNG the
app serves) opens its trace page, light and readable, in Vietnamese."""
from __future__ import annotations

import io
from datetime import date

import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from marketplace.core.extensions import db
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, UserFactory
from tests.support.lots import make_lot


def test_a_scanned_qr_code_opens_the_lots_trace_page_on_a_phone(live_server, phone):
    live_server.app.config["SITE_URL"] = live_server.url
    with live_server.app.app_context():
        producer = UserFactory(role=Role.PRODUCER, profile__display_name="HTX Nước mắm Dương Đông")
        producer.profile.address = "Khu phố 2, Dương Đông, Phú Quốc"
        db.session.commit()
        listing = ListingFactory(producer=producer, title="Nước mắm cá cơm 40 độ đạm", unit="bottle",
                                 gtin="8934563000011")
        lot = make_lot(listing, best_before=date(2028, 11, 1))
        link_code = lot.link_code
    png = phone.request.get(f"{live_server.url}/t/{link_code}/qr.png")
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.body())))
    assert code.text == f"{live_server.url}/01/08934563000011/10/NM-2026-01?17=281101"

    response = phone.goto(code.text)
    assert response.status == 200
    expect(phone.get_by_role("heading", name="Nước mắm cá cơm 40 độ đạm")).to_be_visible()
    expect(phone.get_by_text("Hồ sơ truy xuất nguồn gốc")).to_be_visible()
    expect(phone.get_by_text("NM-2026-01", exact=True)).to_be_visible()
    expect(phone.get_by_text("ủ chượp 12 tháng")).to_be_visible()
    expect(phone.get_by_text("HTX Nước mắm Dương Đông")).to_be_visible()
    expect(phone.get_by_text("Ghi nhận lô")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.evaluate("document.scripts.length") == 0
    assert len(response.body()) < 20_000

    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_text("Traceability record")).to_be_visible()
    expect(phone.get_by_text("Journey")).to_be_visible()
