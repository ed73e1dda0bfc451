"""Pages that belong to no single area: home, language choice, health, and
the public pages anyone opens without an account (product, producer,
sitemap, robots)."""
from flask import Blueprint

bp = Blueprint("pages", __name__)

from marketplace.pages import (  # noqa: E402,F401  (routes)
    producer_views,
    product_views,
    sitemap_views,
    views,
)
