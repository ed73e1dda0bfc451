"""A listing's public address, ``/p/<id>-<slug>``: the slug is the title
without diacritics ("Nước mắm Phú Quốc" -> "nuoc-mam-phu-quoc"), so a link
shared on Zalo or Facebook reads as the product. Only the id finds the
listing; a stale slug redirects to the current one."""
from __future__ import annotations

import re

from flask import current_app, url_for

from marketplace.geo import fold

SLUG_MAX = 60
FALLBACK = "ocop"      # a title of symbols only still gets a slug: the route needs one
_NON_WORD = re.compile(r"[^a-z0-9]+")


def slug_of(title: str) -> str:
    words = [w for w in _NON_WORD.split(fold(title or "")) if w]
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > SLUG_MAX:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or (words[0][:SLUG_MAX] if words else FALLBACK)


def product_path(listing_id: int, title: str) -> str:
    return url_for("pages.product", listing_id=listing_id, slug=slug_of(title))


def absolute(path: str) -> str:
    """SITE_URL, not the request's host: the links printed on labels and shared must be the site's own."""
    return current_app.config["SITE_URL"].rstrip("/") + path


def product_url(listing_id: int, title: str) -> str:
    return absolute(product_path(listing_id, title))
