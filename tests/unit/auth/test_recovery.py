"""Forgot password: the same answer for known and unknown e-mails, a link by
e-mail (through the notifier, to a real SMTP server) that works once and
for an hour, never shown in the bell; using it ends every session and token."""
import re
import time

import pytest

from marketplace.models.user import Role
from marketplace.notifications import delivery
from tests.support.api_client import ApiClient, issue_token
from tests.support.auth import AuthActions, csrf
from tests.support.sinks import SmtpSink

NEW_PASSWORD = "nuoc-mam-ca-com-2027"


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def app_overrides(smtp):
    return {"OUTBOX_RELAY": "off", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
            "SITE_URL": "https://cungcau.example", "MAIL_TIMEOUT_SECONDS": 2}


def ask(client, email):
    return client.post("/auth/forgot", data={"csrf_token": csrf(client, "/auth/forgot"), "email": email})


def link_in(smtp, email) -> str:
    delivery.flush_emails()
    [message] = smtp.to(email)
    text, _html = SmtpSink.bodies(message)
    [path] = re.findall(r"https://cungcau\.example(/auth/reset/[\w.\-]+)", text)
    return path


def choose(client, path, password=NEW_PASSWORD):
    return client.post(path, data={"csrf_token": csrf(client, path), "password": password, "confirm": password})


def test_known_and_unknown_emails_get_the_same_answer_and_only_the_owner_an_email(client, smtp, user_factory):
    user_factory(email="htx@example.vn", locale="en")
    known, unknown = ask(client, "htx@example.vn"), ask(client, "nobody@example.vn")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrf_token"[^>]*>', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert "If an account uses this e-mail" in known.get_data(as_text=True)
    delivery.flush_emails()
    assert smtp.to("nobody@example.vn") == []
    [message] = smtp.to("htx@example.vn")
    assert "Choose a new password" in message["Subject"]


def test_the_link_sets_a_new_password_once_and_ends_every_session_and_token(app, client, smtp, user_factory):
    user = user_factory(email="htx@example.vn", role=Role.PRODUCER)
    token = issue_token(user)
    other_device = app.test_client()
    AuthActions(other_device).login("htx@example.vn")
    ask(client, "htx@example.vn")
    path = link_in(smtp, "htx@example.vn")
    assert client.get(path).status_code == 200
    done = choose(client, path)
    assert done.status_code == 302
    assert user.profile.display_name in client.get("/").get_data(as_text=True)   # signed in here
    assert user.profile.display_name not in other_device.get("/").get_data(as_text=True)
    assert ApiClient(client, token).get("/auth/tokens").status_code == 401
    client.post("/auth/logout", data={"csrf_token": csrf(client, "/")})
    assert AuthActions(client).login("htx@example.vn", NEW_PASSWORD).status_code == 302
    # The second use is refused: the password it was signed over is gone.
    again = app.test_client()
    again.set_cookie("lang", "en")
    assert again.get(path).status_code == 400
    assert "expired or was already used" in again.get(path).get_data(as_text=True)
    assert choose(again, path, "another-long-phrase-42").status_code == 400


def test_the_link_expires(app, client, smtp, user_factory):
    app.config["PASSWORD_RESET_HOURS"] = 1 / 3600
    user_factory(email="htx@example.vn")
    ask(client, "htx@example.vn")
    path = link_in(smtp, "htx@example.vn")
    time.sleep(2.2)
    assert client.get(path).status_code == 400


def test_a_forged_link_is_refused(client):
    assert client.get("/auth/reset/not-a-token").status_code == 400


def test_the_link_is_never_shown_in_the_bell(app, client, smtp, user_factory):
    user_factory(email="htx@example.vn", role=Role.PRODUCER)
    auth = AuthActions(client)
    auth.login("htx@example.vn")
    ask(client, "htx@example.vn")
    page = client.get("/notifications").get_data(as_text=True)
    assert "/auth/reset/" not in page and "Choose a new password" not in page


def test_a_weak_new_password_is_refused(client, smtp, user_factory):
    user_factory(email="htx@example.vn")
    ask(client, "htx@example.vn")
    path = link_in(smtp, "htx@example.vn")
    assert choose(client, path, "password123").status_code == 400


def test_the_login_page_links_to_it(client):
    assert 'href="/auth/forgot"' in client.get("/auth/login").get_data(as_text=True)
