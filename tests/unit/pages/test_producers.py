"""A producer's public page: name, province, verification, certificates,
track record and only the listings on sale; suspended producers and other
accounts are not found."""
from __future__ import annotations

import re
from datetime import date, timedelta

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.listings.links import slug_of
from marketplace.models import ListingCertification, ListingStatus
from marketplace.models.user import Role, UserStatus
from tests.support.factories import ListingFactory, UserFactory


def test_the_producer_page_lists_only_the_listings_on_sale(app, client, producer):
    producer.profile.ocop_certificate_no = producer.profile.verified_certificate_no = "OCOP-CT-0042"
    producer.profile.verified_at = utcnow()
    db.session.commit()
    on_sale = ListingFactory(producer=producer, title="Mật ong rừng U Minh")
    db.session.add_all([
        ListingCertification(listing_id=on_sale.id, code="vietgap", number="VG-7",
                             expires_on=date.today() + timedelta(days=200)),
        ListingCertification(listing_id=on_sale.id, code="organic", expires_on=date.today() - timedelta(days=1))])
    db.session.commit()
    hidden = [ListingFactory(producer=producer, title=f"Ẩn {status.value}", status=status)
              for status in (ListingStatus.DRAFT, ListingStatus.PAUSED, ListingStatus.REMOVED)]
    response = client.get(f"/producers/{producer.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (producer.profile.display_name, "Cần Thơ", "Verified by the programme", "OCOP-CT-0042",
                 "Mật ong rừng U Minh", f'href="/p/{on_sale.id}-{slug_of(on_sale.title)}"', "VietGAP", "VG-7"):
        assert text in html, text
    assert "Organic" not in html                    # expired: it counts nowhere
    assert all(listing.title not in html for listing in hidden)
    assert re.search(r'<meta property="og:url" content="[^"]+/producers/\d+">', html)
    assert "<script" not in html and "Set-Cookie" not in response.headers


def test_suspended_producers_and_other_accounts_have_no_page(client, producer, distributor, admin):
    assert client.get(f"/producers/{distributor.id}").status_code == 404
    assert client.get(f"/producers/{admin.id}").status_code == 404
    assert client.get("/producers/999999").status_code == 404
    banned = UserFactory(role=Role.PRODUCER, status=UserStatus.SUSPENDED)
    assert client.get(f"/producers/{banned.id}").status_code == 404
