"""Going through the real forms, CSRF token included: log in and out,
register, and the client that gives each request its own app context."""
from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.support.factories import DEFAULT_PASSWORD

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: without it
    the test's context (and ``g``, and the database session) would leak
    from one request into the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def csrf_token_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def csrf(self, path="/auth/login") -> str:
        return csrf_token_from(self.client.get(path).get_data(as_text=True))

    def login(self, email, password=DEFAULT_PASSWORD, remember=False):
        data = {"email": email, "password": password, "csrf_token": self.csrf()}
        if remember:
            data["remember"] = "y"
        return self.client.post("/auth/login", data=data)

    def logout(self):
        return self.client.post("/auth/logout", data={"csrf_token": self.csrf("/")})

    def register(self, **fields):
        data = {
            "role": "producer", "email": "htx.muoi@example.vn", "password": "nuoc-mam-2026",
            "confirm": fields.get("password", "nuoc-mam-2026"), "display_name": "HTX Muối Bạc Liêu",
            "kind": "cooperative", "province": "Bạc Liêu", "phone": "0912 345 678",
            "ocop_certificate_no": "OCOP-BL-0001",
        }
        data.update(fields)
        data["csrf_token"] = self.csrf("/auth/register")
        return self.client.post("/auth/register", data=data)


def csrf(client, path: str) -> str:
    """The CSRF token of the form on ``path``."""
    return csrf_token_from(client.get(path).get_data(as_text=True))
