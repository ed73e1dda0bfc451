"""Security headers on every response, set in one place.

- A Content-Security-Policy that runs only this site's own script files
  (no inline script, no eval) and lets no page be framed (clickjacking on the
  moderation queue's bulk actions and shortcuts).
- ``nosniff``, a referrer that never carries a path to another site, HSTS in
  production (served over https only there).
- ``Cache-Control: no-store`` on what a signed-in person sees and on every API
  answer, so a shared computer's cache or a proxy never keeps phones, e-mails
  or tokens.
"""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

# Pages use no style="" attribute and no <style> element (the e-mail templates
# do, but e-mails are not served by this app), so style-src needs no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HSTS = "max-age=31536000; includeSubDomains"


def _personal() -> bool:
    if request.path.startswith("/api/"):
        return True
    return bool(current_user and current_user.is_authenticated)


def init_security_headers(app: Flask) -> None:
    production = app.config.get("APP_ENV") == "production"

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Frame-Options"] = "DENY"            # for browsers that predate frame-ancestors
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        if production:
            headers["Strict-Transport-Security"] = HSTS
        # Static files and photos hold nothing personal (photos are public, named by their content).
        if request.endpoint not in ("static", "pages.media") and _personal():
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        return response


def init_proxy_fix(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies, the client address (per-address
    limits, the login throttle) and the scheme come from their X-Forwarded-*
    headers; with the default 0 those headers are ignored, so nobody can pick
    their own address by sending one."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0, x_prefix=0)
