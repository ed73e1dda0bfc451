"""Security headers: every response carries the CSP, nosniff and the referrer
policy; signed-in pages and API answers are never cached; HSTS in production
only; and no template needs inline script for the CSP to hold."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from marketplace.app import create_app
from tests.support.api_client import ApiClient, issue_token

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def assert_common_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/", "/auth/login", "/listings", "/no-such-page", "/api/v1/categories",
                                  "/api/v1/no-such-thing", "/static/app.css"])
def test_every_response_carries_the_headers(client, path):
    assert_common_headers(client.get(path))


def test_the_public_pages_are_cacheable_for_visitors(client, producer):
    from tests.support.factories import ListingFactory

    listing = ListingFactory(producer=producer, title="Chè Tân Cương")
    for path in (f"/p/{listing.id}-che-tan-cuong", f"/producers/{producer.id}", "/sitemap.xml", "/robots.txt",
                 f"/p/{listing.id}/qr.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "public" in response.headers["Cache-Control"] and "max-age" in response.headers["Cache-Control"]
        assert "Set-Cookie" not in response.headers, path
        assert_common_headers(response)


def test_a_public_page_may_be_cached_but_not_a_signed_in_one(client, auth, admin):
    assert "no-store" not in client.get("/listings").headers.get("Cache-Control", "")
    auth.login(admin.email)
    for path in ("/admin/users", "/listings", "/"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    # The site's own files are the same for everyone: they stay cacheable.
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")


def test_api_answers_are_never_cached(client, producer):
    api = ApiClient(client, issue_token(producer))
    for response in (api.get("/listings"), api.get("/listings/999999"), client.get("/api/v1/categories")):
        assert response.headers["Cache-Control"] == "no-store"
        assert_common_headers(response)


def test_hsts_only_in_production(client, instance_dir, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/").headers
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    production = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_dir / 'p.sqlite'}",
                             "OUTBOX_RELAY": "off"})
    response = production.test_client().get("/static/app.css")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert_common_headers(response)


def test_pages_need_no_inline_script_or_style():
    """What the CSP forbids never appears in a page template (e-mails are not served)."""
    for template in TEMPLATES.rglob("*.html"):
        if template.parts[-2] == "emails":
            continue
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            # A JSON-LD data block is never run, so script-src does not apply to it (the product page's schema.org data).
            assert "src=" in tag or tag == '<script type="application/ld+json">', f"{template}: inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template}: inline event handler"
        assert not re.search(r"\sstyle\s*=|<style\b", text), f"{template}: inline style"
        assert "javascript:" not in text, template
