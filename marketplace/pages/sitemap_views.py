"""``/sitemap.xml`` (the public product and producer pages, absolute URLs
from SITE_URL) and ``/robots.txt`` (account pages stay out of search engines)."""
from __future__ import annotations

from flask import Response, current_app, render_template, url_for

from marketplace.listings.links import absolute, product_path
from marketplace.pages import bp
from marketplace.pages.public import PUBLIC_MAX_AGE, sitemap_rows

# First path segments anyone may crawl; every other one (auth, admin, api,
# listings, orders, matches, notifications, lots...) is disallowed, read from
# the app's own routes so a new account area is kept out without editing this.
PUBLIC_SEGMENTS = {"", "p", "producers", "t", "01", "media", "static", "sitemap.xml", "robots.txt"}


@bp.get("/sitemap.xml")
def sitemap():
    listings, producers = sitemap_rows()
    urls = [(absolute(product_path(row.id, row.title)), row.updated_at) for row in listings]
    urls += [(absolute(url_for(".producer", user_id=user_id)), changed) for user_id, changed in producers]
    body = render_template("pages/sitemap.xml", urls=urls)
    return Response(body, mimetype="application/xml", headers={"Cache-Control": f"public, max-age={PUBLIC_MAX_AGE}"})


def disallowed_prefixes() -> list[str]:
    prefixes = set()
    for rule in current_app.url_map.iter_rules():
        segment = rule.rule.lstrip("/").split("/", 1)[0]
        if segment in PUBLIC_SEGMENTS or segment.startswith("<"):
            continue
        # "/listings" (the catalogue) and "/listings/..." alike; "/admin/" when only sub-paths exist.
        exact = any(other.rule.rstrip("/") == f"/{segment}" and not other.rule.endswith("/")
                    for other in current_app.url_map.iter_rules())
        prefixes.add(f"/{segment}" if exact else f"/{segment}/")
    return sorted(prefixes)


@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {prefix}" for prefix in disallowed_prefixes()), "Allow: /",
             "", f"Sitemap: {absolute(url_for('.sitemap'))}", ""]
    return Response("\n".join(lines), mimetype="text/plain",
                    headers={"Cache-Control": f"public, max-age={PUBLIC_MAX_AGE}"})
