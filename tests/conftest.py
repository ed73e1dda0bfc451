"""Fixtures shared by every test: an app on a throwaway SQLite database, a
client, a CLI runner, and an ``auth`` helper that goes through the real
forms, CSRF token included."""
from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from marketplace.app import create_app
from marketplace.core.extensions import db as _db
from tests.factories import DEFAULT_PASSWORD, UserFactory

_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture
def instance_dir(tmp_path, monkeypatch):
    path = tmp_path / "instance"
    monkeypatch.setenv("INSTANCE_PATH", str(path))
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture
def app_overrides():
    """Override in a test module to change settings for its app."""
    return {}


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production: without it
    the test's context (and ``g``, and the database session) would leak
    from one request into the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(instance_dir, app_overrides):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_dir / 'test.sqlite'}",
        # No broker here: tests look at the outbox rows, or run the tasks' services themselves.
        "OUTBOX_RELAY": "off",
        **app_overrides,
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    """A visitor who chose English, so assertions read naturally; the
    Vietnamese default has its own tests."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


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


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user_factory(db):
    return UserFactory
