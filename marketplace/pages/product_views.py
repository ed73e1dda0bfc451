"""The public product page of a listing, ``/p/<id>-<slug>``, and its QR
codes: no login, no JavaScript, the cover at 400 px. ``/p/<id>`` and a stale
slug redirect (301) to the canonical address, so every shared link lands on
one URL."""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.core.clock import local_today
from marketplace.listings.links import absolute, product_path, product_url
from marketplace.pages import bp
from marketplace.pages.public import cacheable, public_listing_or_abort, reputation_summary
from marketplace.pages.structured import product_ld, social_tags, summary
from marketplace.trace.qr import qr_png, qr_svg
from marketplace.web.i18n import current_locale
from marketplace.web.jsonld import script_json

QR_CACHE = "public, max-age=86400"


def _to_canonical(listing):
    target = product_path(listing.id, listing.title)
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    return redirect(target, 301)


@bp.get("/p/<int:listing_id>")
def product_by_id(listing_id: int):
    return _to_canonical(public_listing_or_abort(listing_id))


@bp.get("/p/<int:listing_id>-<slug>")
def product(listing_id: int, slug: str):
    listing = public_listing_or_abort(listing_id)
    canonical = product_path(listing.id, listing.title)
    if request.path != canonical:
        return _to_canonical(listing)
    today, url = local_today(), absolute(canonical)
    producer = listing.producer
    producer_url = absolute(url_for(".producer", user_id=producer.id))
    description = summary(listing.description) or listing.title
    cover = listing.cover
    image = ({"url": absolute(url_for(".media", name=cover.large_name)), "width": cover.width,
              "height": cover.height} if cover else None)
    # Signing in brings the visitor back to the listing's own page, where buyers ask for it.
    detail = url_for("listings.detail", listing_id=listing.id)
    contact = detail if current_user.is_authenticated else url_for("auth.login", next=detail)
    return cacheable(render_template(
        "pages/product.html", listing=listing, producer=producer, profile=producer.profile, cover=cover,
        certifications=listing.valid_certifications(today), record=reputation_summary(producer),
        canonical=url, contact=contact,
        social=social_tags(listing.title, description, url, image, "product", current_locale()),
        structured=script_json(product_ld(listing, url, producer_url, today, description))))


@bp.get("/p/<int:listing_id>/qr.svg")
def product_qr_svg(listing_id: int):
    listing = public_listing_or_abort(listing_id)
    return Response(qr_svg(product_url(listing.id, listing.title)), mimetype="image/svg+xml",
                    headers={"Cache-Control": QR_CACHE})


@bp.get("/p/<int:listing_id>/qr.png")
def product_qr_png(listing_id: int):
    listing = public_listing_or_abort(listing_id)
    return Response(qr_png(product_url(listing.id, listing.title)), mimetype="image/png",
                    headers={"Cache-Control": QR_CACHE})
