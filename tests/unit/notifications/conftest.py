"""Fixtures of the notification tests: a real SMTP sink, a real webhook
receiver that checks signatures, and settings that make retries quick."""
from __future__ import annotations

import pytest

from marketplace.models.user import Role
from tests.support.sinks import SmtpSink, WebhookReceiver


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def app_overrides(smtp):
    return {"OUTBOX_RELAY": "off", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
            "SITE_URL": "https://cungcau.example", "NOTIFY_RETRY_BASE_SECONDS": 0.01,
            "NOTIFY_RETRY_MAX_SECONDS": 0.05, "WEBHOOK_TIMEOUT_SECONDS": 0.5, "WEBHOOK_DISABLE_AFTER": 3,
            "WEBHOOK_MAX_ATTEMPTS": 10, "MAIL_TIMEOUT_SECONDS": 2,
            # The receiver runs on this machine over http: the opt-in only tests have.
            "WEBHOOK_ALLOW_HTTP_LOCALHOST": True}


@pytest.fixture
def parties(user_factory):
    producer = user_factory(role=Role.PRODUCER, email="htx@example.vn", locale="vi")
    distributor = user_factory(role=Role.DISTRIBUTOR, email="buyer@example.vn", locale="en")
    return producer, distributor
