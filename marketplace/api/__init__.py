"""The JSON API under /api/v1, described by /api/v1/openapi.json, which
flask-smorest generates from the marshmallow schemas that validate the
requests."""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from marketplace.api.blueprint import PREFIX
from marketplace.api.schemas.base import ErrorSchema

SETTINGS = {
    "API_TITLE": "CungCầu API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
}


class JsonApi(Api):
    """flask-smorest's Api with the project's error shape. Its own handler
    would answer every HTTP error of the whole site, HTML pages included, in
    another shape; ours are attached to the API blueprints instead (see
    marketplace.api.errors)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass

    def _register_pagination_header(self):
        pass  # lists carry their page in the body, not in flask-smorest's header


def init_api(app: Flask) -> None:
    from marketplace.api.auth import SCHEME, SECURITY_SCHEME
    from marketplace.api.schemas.listings import CertificateInSchema
    from marketplace.api.views import (
        accounts,
        admin,
        admin_audit,
        admin_reports,
        admin_users,
        imports,
        listings,
        lots,
        matches,
        offers,
        orders,
        reference,
    )
    from marketplace.core.extensions import csrf

    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    api = JsonApi(app, spec_kwargs={"info": {"description": (
        "Listings (supply) and demand orders of the CungCầu marketplace. Send "
        "`Authorization: Bearer <token>` (from POST /api/v1/auth/tokens) on every call but "
        "sign-up, tokens, reference data and this document. Messages follow Accept-Language "
        "(vi or en). Errors are always {\"error\": {\"code\", \"message\", \"fields\"}}.")}})
    api.spec.components.security_scheme(SCHEME, SECURITY_SCHEME)
    # Referenced by name from the certifications field, which takes a code or this object.
    api.spec.components.schema("CertificateIn", schema=CertificateInSchema)
    for module in (accounts, listings, lots, orders, imports, matches, offers, admin, admin_users, admin_reports, admin_audit, reference):
        # Bearer tokens only, never the session cookie: nothing for CSRF to protect.
        csrf.exempt(module.bp)
        api.register_blueprint(module.bp)

    from marketplace.api.views import messages, notifications, photos

    for module in (notifications, messages, photos):
        csrf.exempt(module.bp)
        api.register_blueprint(module.bp)
