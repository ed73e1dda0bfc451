"""The sitemap lists what anyone may open, and robots.txt keeps account pages out."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from marketplace.core.extensions import db
from marketplace.listings.links import slug_of
from marketplace.listings.services import remove_listing
from marketplace.models import ListingStatus
from marketplace.models.user import Role, UserStatus
from tests.support.factories import ListingFactory, UserFactory

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_urls(client) -> dict:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    return {url.find("s:loc", NS).text: url.find("s:lastmod", NS).text for url in root.findall("s:url", NS)}


def test_the_sitemap_lists_the_public_pages_only(app, client, producer):
    site = app.config["SITE_URL"]
    active = ListingFactory(producer=producer, title="Trà Shan tuyết")
    removed = ListingFactory(producer=producer, title="Bánh pía")
    draft = ListingFactory(producer=producer, status=ListingStatus.DRAFT)
    banned = UserFactory(role=Role.PRODUCER)
    hidden = ListingFactory(producer=banned)
    banned.status = UserStatus.SUSPENDED
    db.session.commit()
    remove_listing(removed, producer)
    urls = sitemap_urls(client)
    assert f"{site}/p/{active.id}-{slug_of(active.title)}" in urls
    assert f"{site}/producers/{producer.id}" in urls
    assert urls[f"{site}/p/{active.id}-{slug_of(active.title)}"] == active.updated_at.date().isoformat()
    for listing in (removed, draft, hidden):
        assert not any(f"/p/{listing.id}-" in url for url in urls), listing.id
    assert f"{site}/producers/{banned.id}" not in urls
    assert all(url.startswith(site) for url in urls)


def test_robots_keeps_account_pages_out_and_points_to_the_sitemap(app, client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    for prefix in ("/admin/", "/api/", "/auth/", "/listings", "/orders", "/matches", "/notifications", "/lots/"):
        assert f"Disallow: {prefix}" in lines, prefix
    assert not any(line.startswith(("Disallow: /p", "Disallow: /producers", "Disallow: /t/", "Disallow: /media"))
                   for line in lines)
    assert f"Sitemap: {app.config['SITE_URL']}/sitemap.xml" in lines
