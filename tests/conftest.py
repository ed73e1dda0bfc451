"""Fixtures shared by every test: an app on a throwaway SQLite database, a
client, a CLI runner, and an ``auth`` helper that goes through the real
forms, CSRF token included."""
from __future__ import annotations

import pytest

from marketplace.app import create_app
from marketplace.core.extensions import db as _db
from tests.support.auth import AuthActions, FreshContextClient
from tests.support.factories import UserFactory


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


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def user_factory(db):
    return UserFactory
