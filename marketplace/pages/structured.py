"""What a product page says to machines: Open Graph and Twitter card tags
(how Zalo and Facebook preview a shared link) and schema.org/Product
JSON-LD (search engines). Every URL is absolute, from SITE_URL."""
from __future__ import annotations

from datetime import date

from flask import url_for

from marketplace.listings.links import absolute
from marketplace.models import Listing
from marketplace.trace.epcis import uom
from marketplace.web.labels import province_name

SUMMARY_MAX = 200


def summary(text: str, limit: int = SUMMARY_MAX) -> str:
    """The start of a description, cut at a word, for previews that show two lines."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def photo_urls(listing: Listing) -> list[str]:
    return [absolute(url_for("pages.media", name=photo.large_name)) for photo in listing.photos]


def availability(listing: Listing, today: date) -> str:
    if listing.available_quantity <= 0 or (listing.available_until and listing.available_until < today):
        return "https://schema.org/OutOfStock"
    if listing.available_from and listing.available_from > today:
        return "https://schema.org/PreOrder"
    return "https://schema.org/InStock"


def product_ld(listing: Listing, url: str, producer_url: str, today: date, description: str) -> dict:
    producer = listing.producer
    region = province_name(producer.profile.province_code if producer.profile else listing.province_code)
    organisation = {"@type": "Organization", "name": producer.display_name, "url": producer_url,
                    "address": {"@type": "PostalAddress", "addressRegion": region, "addressCountry": "VN"}}
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": listing.title,
        "url": url,
        "sku": str(listing.id),
        "description": description,
        "brand": {"@type": "Brand", "name": producer.display_name},
        "manufacturer": organisation,
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": listing.unit_price,
            "priceCurrency": "VND",
            "availability": availability(listing, today),
            # The price is per base unit (kg, litre, piece...), in UN/ECE Rec 20 codes as in the EPCIS records.
            "priceSpecification": {"@type": "UnitPriceSpecification", "price": listing.unit_price,
                                   "priceCurrency": "VND",
                                   "referenceQuantity": {"@type": "QuantitativeValue", "value": 1,
                                                         "unitCode": uom(listing.unit)}},
            "eligibleQuantity": {"@type": "QuantitativeValue", "minValue": listing.min_order_quantity,
                                 "unitCode": uom(listing.unit)},
            "seller": organisation,
        },
    }
    images = photo_urls(listing)
    if images:
        data["image"] = images
    if listing.gtin:
        data["gtin"] = listing.gtin
    return data


def social_tags(title: str, description: str, url: str, image: dict | None, kind: str, locale: str) -> dict:
    """The og:* and twitter:* values, in order; ``image`` is {url, width, height} or None."""
    tags = {"og:site_name": "CungCầu", "og:type": kind, "og:title": title, "og:description": description,
            "og:url": url, "og:locale": "vi_VN" if locale == "vi" else "en_US"}
    if image:
        tags |= {"og:image": image["url"], "og:image:width": str(image["width"]),
                 "og:image:height": str(image["height"]), "og:image:alt": title}
    tags |= {"twitter:card": "summary_large_image" if image else "summary", "twitter:title": title,
             "twitter:description": description}
    if image:
        tags["twitter:image"] = image["url"]
    return tags
