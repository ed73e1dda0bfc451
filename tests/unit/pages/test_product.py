"""The public product page: anyone reads it without an account, with the
tags Zalo and Facebook preview and the schema.org JSON-LD search engines
read; a stale address redirects, a removed listing is gone, and its QR code
is the page's own URL."""
from __future__ import annotations

import io
import json
import re

import pytest
import zxingcpp
from flask_babel import force_locale
from PIL import Image

from marketplace.core.extensions import db
from marketplace.listings.links import slug_of
from marketplace.listings.photos import add_photo
from marketplace.listings.services import remove_listing
from marketplace.models import ListingCertification, ListingStatus
from marketplace.models.user import UserStatus
from marketplace.web.jsonld import script_json
from tests.support.factories import ListingFactory
from tests.support.images import png


@pytest.fixture
def sauce(app, producer):
    listing = ListingFactory(producer=producer, title="Nước mắm Phú Quốc 40°N", unit="l", unit_price=185000,
                             quantity=1200, description="Cá cơm tươi, ủ chượp 12 tháng trong thùng gỗ.",
                             gtin="8934563000011")
    db.session.add(ListingCertification(listing_id=listing.id, code="haccp", number="HC-01"))
    db.session.commit()
    with app.test_request_context(), force_locale("en"):
        add_photo(listing, producer, png(size=(1200, 900)))
        add_photo(listing, producer, png(size=(800, 800), colour=(200, 10, 10)))
    return listing


def path_of(listing):
    return f"/p/{listing.id}-{slug_of(listing.title)}"


def structured_data(html: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def meta(html: str, name: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def test_the_slug_is_the_title_without_accents():
    assert slug_of("Nước mắm Phú Quốc 40°N") == "nuoc-mam-phu-quoc-40-n"
    assert slug_of("Đặc sản  Đà Lạt!") == "dac-san-da-lat"
    assert slug_of("★★★") == "ocop"


def test_an_anonymous_visitor_reads_the_product_page(app, client, sauce):
    response = client.get(path_of(sauce))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    site = app.config["SITE_URL"]
    for text in ("Nước mắm Phú Quốc 40°N", "185.000 ₫", "1,200", "Cá cơm tươi", "HACCP", "Cần Thơ",
                 "Contact through CungCầu", f'href="/producers/{sauce.producer_id}"'):
        assert text in html, text
    assert meta(html, "og:image").startswith(f"{site}/media/listings/") and meta(html, "og:image").endswith(
        "-1600.webp")
    assert meta(html, "og:title") == "Nước mắm Phú Quốc 40°N" and meta(html, "og:type") == "product"
    assert meta(html, "og:url") == f"{site}{path_of(sauce)}"
    assert meta(html, "twitter:card") == "summary_large_image"
    assert f'<link rel="canonical" href="{site}{path_of(sauce)}">' in html
    assert "<script src" not in html and "<script " in html   # the JSON-LD data block only
    assert 'width="400"' in html and "-400.webp" in html
    # No session, no CSRF token: a proxy may cache the page.
    assert "Set-Cookie" not in response.headers and "csrf_token" not in html
    assert "public" in response.headers["Cache-Control"] and "Cookie" in response.headers["Vary"]


def test_the_json_ld_is_a_schema_org_product(app, client, sauce):
    data = structured_data(client.get(path_of(sauce)).get_data(as_text=True))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert data["name"] == "Nước mắm Phú Quốc 40°N" and data["gtin"] == "8934563000011"
    assert len(data["image"]) == 2 and all(url.startswith(app.config["SITE_URL"]) for url in data["image"])
    offer = data["offers"]
    assert offer["price"] == 185000 and offer["priceCurrency"] == "VND"
    assert offer["availability"] == "https://schema.org/InStock"
    assert offer["priceSpecification"]["referenceQuantity"]["unitCode"] == "LTR"
    assert data["manufacturer"]["name"] == sauce.producer.display_name


def test_a_title_cannot_break_out_of_the_json_ld(client, producer):
    listing = ListingFactory(producer=producer, title="</script><script>alert(1)</script> & co")
    html = client.get(path_of(listing)).get_data(as_text=True)
    assert "<script>alert" not in html
    assert structured_data(html)["name"] == "</script><script>alert(1)</script> & co"
    assert str(script_json({"a": "<&>"})) == '{"a":"\\u003c\\u0026\\u003e"}'


def test_the_page_follows_the_language_link(client, sauce):
    html = client.get(f"{path_of(sauce)}?lang=vi").get_data(as_text=True)
    assert 'lang="vi"' in html and "Liên hệ qua CungCầu" in html and "1.200" in html


def test_a_wrong_slug_and_the_bare_id_redirect_to_the_canonical_address(client, sauce):
    for path in (f"/p/{sauce.id}-old-name", f"/p/{sauce.id}"):
        response = client.get(path)
        assert response.status_code == 301 and response.location == path_of(sauce), path
    assert client.get(f"/p/{sauce.id}-x?lang=vi").location == f"{path_of(sauce)}?lang=vi"


def test_contact_sends_to_sign_in_and_back_to_the_listing(client, auth, distributor, sauce):
    html = client.get(path_of(sauce)).get_data(as_text=True)
    assert f'href="/auth/login?next=/listings/{sauce.id}"' in html
    auth.login(distributor.email)
    signed_in = client.get(path_of(sauce))
    assert f'href="/listings/{sauce.id}"' in signed_in.get_data(as_text=True)
    assert signed_in.headers["Cache-Control"] == "no-store"


def test_an_anonymous_visitor_of_a_listing_page_lands_on_the_public_page(client, producer, sauce):
    assert client.get(f"/listings/{sauce.id}").location == path_of(sauce)
    paused = ListingFactory(producer=producer, status=ListingStatus.PAUSED)
    assert client.get(f"/listings/{paused.id}").location.startswith("/auth/login?next=")


def test_a_removed_listing_is_gone_and_a_draft_never_was(client, producer, sauce):
    remove_listing(sauce, producer)
    gone = client.get(path_of(sauce))
    assert gone.status_code == 410 and "the listing was removed" in gone.get_data(as_text=True)
    assert client.get(f"/p/{sauce.id}").status_code == 410
    assert client.get(f"/p/{sauce.id}/qr.svg").status_code == 410
    draft = ListingFactory(producer=producer, status=ListingStatus.DRAFT)
    assert client.get(path_of(draft)).status_code == 404
    assert client.get("/p/999999-nothing").status_code == 404


def test_a_listing_the_programme_took_down_is_gone(client, admin, producer, sauce):
    from marketplace.admin.accounts.takedown import take_down_listing

    take_down_listing(sauce, admin, "Hàng giả")
    assert client.get(path_of(sauce)).status_code == 410
    assert f"/p/{sauce.id}-" not in client.get("/sitemap.xml").get_data(as_text=True)
    assert f"/p/{sauce.id}-" not in client.get(f"/producers/{producer.id}").get_data(as_text=True)


def test_a_suspended_producers_product_pages_are_404(client, producer, sauce):
    producer.status = UserStatus.SUSPENDED
    db.session.commit()
    for path in (path_of(sauce), f"/p/{sauce.id}/qr.png", f"/producers/{producer.id}"):
        assert client.get(path).status_code == 404, path


def test_the_qr_code_decodes_to_the_product_page(app, client, sauce):
    import segno

    url = f"{app.config['SITE_URL']}{path_of(sauce)}"
    png_answer = client.get(f"/p/{sauce.id}/qr.png")
    assert png_answer.mimetype == "image/png" and "max-age" in png_answer.headers["Cache-Control"]
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png_answer.data)))
    assert code.format == zxingcpp.BarcodeFormat.QRCode and code.text == url
    qr = segno.make(url, error="q", boost_error=False)
    assert qr.error >= "M"
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=4, border=4, xmldecl=True, title=url)
    svg = client.get(f"/p/{sauce.id}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and svg.data == out.getvalue()


def test_the_owner_sees_the_share_link_and_the_qr_code(client, auth, producer, sauce):
    auth.login(producer.email)
    html = client.get(f"/listings/{sauce.id}").get_data(as_text=True)
    assert f'href="{path_of(sauce)}"' in html and f'src="/p/{sauce.id}/qr.svg"' in html
    assert f'href="/p/{sauce.id}/qr.png"' in html
    assert f'href="{path_of(sauce)}"' in client.get("/listings/mine").get_data(as_text=True)
