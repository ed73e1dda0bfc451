"""Sign-in throttling without lockout: wrong passwords slow down the client
that sends them (per account and address, or per device cookie), the login
form and the token API share one count, and the owner's right password
still works from another address or from a browser they signed in on before."""
import time

import pytest

from tests.support.api_client import ApiClient, error_of
from tests.support.auth import AuthActions
from tests.support.factories import DEFAULT_PASSWORD

ATTACKER, OWNER = "203.0.113.9", "198.51.100.7"


@pytest.fixture
def app_overrides():
    return {"LOGIN_FAILURES_BEFORE_DELAY": 3, "LOGIN_DELAY_SECONDS": 30, "LOGIN_RATE_LIMIT_PER_IP": "50 per minute"}


@pytest.fixture
def victim(user_factory):
    return user_factory(email="victim@example.vn")


def browser(app, address):
    client = app.test_client()
    client.set_cookie("lang", "en")
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_wrong_passwords_make_that_client_wait_longer_each_time(app, victim):
    app.config["LOGIN_DELAY_SECONDS"] = 1
    attacker = AuthActions(browser(app, ATTACKER))
    assert [attacker.login("victim@example.vn", "wrong-password-1").status_code for _ in range(3)] == [400] * 3
    refused = attacker.login("victim@example.vn", "wrong-password-1")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "Wait 1 seconds" in refused.get_data(as_text=True)
    # While it waits, even the right password is not looked at from here.
    assert attacker.login("victim@example.vn").status_code == 429
    time.sleep(1.1)
    assert attacker.login("victim@example.vn", "wrong-password-1").status_code == 400
    assert attacker.login("victim@example.vn", "wrong-password-1").headers["Retry-After"] == "2"


def test_the_owner_signs_in_from_another_address_during_an_attack(app, victim):
    attacker = AuthActions(browser(app, ATTACKER))
    for _ in range(10):
        attacker.login("victim@example.vn", "wrong-password-1")
    assert attacker.login("victim@example.vn", "wrong-password-1").status_code == 429
    assert AuthActions(browser(app, OWNER)).login("victim@example.vn").status_code == 302


def test_a_browser_that_signed_in_before_passes_on_the_attackers_address(app, victim):
    """Same address (a shared NAT, a café's Wi-Fi): the owner's device cookie is a bucket of its own."""
    owner = AuthActions(browser(app, ATTACKER))
    assert owner.login("victim@example.vn").status_code == 302
    owner.logout()
    attacker = AuthActions(browser(app, ATTACKER))
    for _ in range(6):
        attacker.login("victim@example.vn", "wrong-password-1")
    assert attacker.login("victim@example.vn").status_code == 429
    assert owner.login("victim@example.vn").status_code == 302


def test_a_device_cookie_counts_only_for_its_account(app, victim, user_factory):
    user_factory(email="other@example.vn")
    client = browser(app, ATTACKER)
    actions = AuthActions(client)
    assert actions.login("other@example.vn").status_code == 302
    actions.logout()
    for _ in range(3):
        actions.login("victim@example.vn", "wrong-password-1")
    assert actions.login("victim@example.vn").status_code == 429


def test_the_form_and_the_api_share_one_count(app, victim):
    client = browser(app, ATTACKER)
    form, api = AuthActions(client), ApiClient(client)
    assert form.login("victim@example.vn", "wrong-password-1").status_code == 400
    assert api.post("/auth/tokens", json={"email": "victim@example.vn", "password": "wrong-1"}).status_code == 401
    assert form.login("victim@example.vn", "wrong-password-1").status_code == 400
    refused = api.post("/auth/tokens", json={"email": "VICTIM@example.vn", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 429 and error_of(refused)["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) == 30
    assert form.login("victim@example.vn").status_code == 429
    # The owner's integration, elsewhere, still gets its token.
    owner = ApiClient(browser(app, OWNER))
    assert owner.post("/auth/tokens", json={"email": "victim@example.vn", "password": DEFAULT_PASSWORD}
                      ).status_code == 201


def test_a_success_forgets_earlier_failures(app, victim):
    actions = AuthActions(browser(app, OWNER))
    for _ in range(2):
        actions.login("victim@example.vn", "wrong-password-1")
    assert actions.login("victim@example.vn").status_code == 302
    actions.logout()
    assert [actions.login("victim@example.vn", "wrong-password-1").status_code for _ in range(3)] == [400] * 3


def test_unknown_accounts_are_counted_like_known_ones(app):
    """The answers do not tell which e-mails have an account."""
    actions = AuthActions(browser(app, ATTACKER))
    assert [actions.login("nobody@example.vn", "wrong-password-1").status_code for _ in range(4)] == [400] * 3 + [429]


def test_without_trusted_proxies_a_forwarded_address_is_ignored(app, victim):
    client = browser(app, "10.0.0.2")
    actions = AuthActions(client)
    for n in range(3):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n}"
        actions.login("victim@example.vn", "wrong-password-1")
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "192.0.2.99"
    assert actions.login("victim@example.vn").status_code == 429


class TestTrustedProxies:
    @pytest.fixture
    def app_overrides(self):
        return {"LOGIN_FAILURES_BEFORE_DELAY": 3, "TRUSTED_PROXIES": 1}

    def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(self, app, victim):
        attacker, owner = browser(app, "10.0.0.2"), browser(app, "10.0.0.2")  # both through the proxy
        attacker.environ_base["HTTP_X_FORWARDED_FOR"] = ATTACKER
        owner.environ_base["HTTP_X_FORWARDED_FOR"] = OWNER
        for _ in range(3):
            AuthActions(attacker).login("victim@example.vn", "wrong-password-1")
        assert AuthActions(attacker).login("victim@example.vn").status_code == 429
        assert AuthActions(owner).login("victim@example.vn").status_code == 302
