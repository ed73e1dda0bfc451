"""A producer's public page, ``/producers/<id>``: who they are, whether the
programme verified them, their certificates, track record and listings on sale."""
from __future__ import annotations

from flask import render_template, url_for

from marketplace.core.clock import local_today
from marketplace.core.pagination import requested_page
from marketplace.listings.links import absolute
from marketplace.listings.search import ListingFilters, browse_listings
from marketplace.pages import bp
from marketplace.pages.public import (
    cacheable,
    producer_certifications,
    public_producer_or_abort,
    reputation_summary,
)
from marketplace.pages.structured import social_tags, summary
from marketplace.web.i18n import current_locale
from marketplace.web.labels import province_name


@bp.get("/producers/<int:user_id>")
def producer(user_id: int):
    producer = public_producer_or_abort(user_id)
    profile, today = producer.profile, local_today()
    # The catalogue's own query: what a signed-in buyer would find, and nothing removed, paused or drafted.
    listings = browse_listings(ListingFilters(producer_id=producer.id), today, page=requested_page())
    url = absolute(url_for(".producer", user_id=producer.id))
    cover = next((row.cover for row in listings.items if row.cover), None)
    image = ({"url": absolute(url_for(".media", name=cover.large_name)), "width": cover.width,
              "height": cover.height} if cover else None)
    description = summary(", ".join([province_name(profile.province_code), *[row.title for row in listings.items]]))
    return cacheable(render_template(
        "pages/producer.html", producer=producer, profile=profile, listings=listings,
        certifications=producer_certifications(producer.id, today), record=reputation_summary(producer),
        canonical=url, social=social_tags(profile.display_name, description, url, image, "profile",
                                          current_locale())))
