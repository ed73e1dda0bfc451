"""Sign-up answers the same for a new e-mail and one that has an account;
the new owner gets a confirmation link, the existing owner a warning, both
by e-mail through the notifier (a real SMTP server here)."""
import re

import pytest
from sqlalchemy import select

from marketplace.models import User
from marketplace.notifications import delivery
from tests.support.api_client import ApiClient
from tests.support.sinks import SmtpSink


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def app_overrides(smtp):
    return {"OUTBOX_RELAY": "off", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
            "SITE_URL": "https://cungcau.example", "MAIL_TIMEOUT_SECONDS": 2}


def only_email_to(smtp, address):
    delivery.flush_emails()
    [message] = smtp.to(address)
    text, _html = SmtpSink.bodies(message)
    return message, text


def test_an_existing_email_gets_the_same_answer_as_a_new_one(auth, client, smtp, user_factory, db):
    user_factory(email="taken@example.vn", locale="en")
    new = auth.register(email="new@example.vn")
    taken = auth.register(email="Taken@example.vn", display_name="Kẻ giả mạo")
    assert (new.status_code, new.location) == (taken.status_code, taken.location) == (302, "/auth/registered")
    assert "Check your e-mail" in client.get("/auth/registered").get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "taken@example.vn")).profile.display_name != "Kẻ giả mạo"
    message, text = only_email_to(smtp, "taken@example.vn")
    assert "tried to create an account" in message["Subject"]
    assert "https://cungcau.example/auth/forgot" in text


def test_the_confirmation_link_confirms_the_email(app, auth, client, smtp, db):
    auth.register(email="new@example.vn", password="nuoc-mam-2026")
    _message, text = only_email_to(smtp, "new@example.vn")
    [path] = re.findall(r"https://cungcau\.example(/auth/confirm/[\w.\-]+)", text)
    assert db.session.scalar(select(User)).email_confirmed_at is None
    login = auth.login("new@example.vn", "nuoc-mam-2026")
    assert login.status_code == 302
    assert "Please confirm your e-mail" in client.get("/").get_data(as_text=True)
    confirmed = client.get(path)
    assert confirmed.status_code == 302
    assert "Your e-mail is confirmed" in client.get("/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(User)).email_confirmed_at is not None


def test_a_forged_confirmation_link_is_refused(client):
    assert client.get("/auth/confirm/forged").status_code == 400


def test_the_api_answers_a_taken_email_as_a_new_one_when_confirmation_is_required(app, client, smtp, user_factory,
                                                                                   db):
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = True
    user_factory(email="taken@example.vn", locale="en")
    body = {"password": "nuoc-mam-2026", "role": "producer", "display_name": "HTX Muối",
            "province": "Cà Mau", "phone": "0912345678"}
    api = ApiClient(client)
    new = api.post("/auth/register", json={"email": "new@example.vn", **body})
    taken = api.post("/auth/register", json={"email": "Taken@example.vn", **body})
    assert new.status_code == taken.status_code == 202
    assert set(new.get_json()) == set(taken.get_json()) == {"email", "message"}
    assert new.get_json()["message"] == taken.get_json()["message"]
    assert db.session.scalar(select(User).where(User.email == "new@example.vn")).email_confirmed_at is None
    _message, text = only_email_to(smtp, "new@example.vn")
    assert "/auth/confirm/" in text
    message, _text = only_email_to(smtp, "taken@example.vn")
    assert "tried to create an account" in message["Subject"]
