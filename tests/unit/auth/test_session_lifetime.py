"""Sessions end on their own: SESSION_HOURS after signing in without
"remember me", SESSION_DAYS with it (a copied remember cookie too), and an
admin's after ADMIN_IDLE_MINUTES without a request."""
import time

from marketplace.models.user import Role
from tests.support.factories import UserFactory

SECOND_IN_HOURS, SECOND_IN_DAYS, SECOND_IN_MINUTES = 1 / 3600, 1 / 86400, 1 / 60
# Sign-in times are whole seconds: a 2-second lifetime is over for sure only after 3.


def signed_in(client, user) -> bool:
    return user.profile.display_name in client.get("/").get_data(as_text=True)


def test_a_session_without_remember_me_ends_after_session_hours(app, auth, client, user_factory):
    app.config.update(SESSION_HOURS=2 * SECOND_IN_HOURS, SESSION_DAYS=100)
    user = user_factory(email="a@example.vn")
    assert auth.login("a@example.vn").status_code == 302
    assert signed_in(client, user)
    time.sleep(3.2)
    assert not signed_in(client, user)


def test_remember_me_lasts_session_days_even_from_a_copied_cookie(app, auth, client, user_factory):
    app.config.update(SESSION_HOURS=100, SESSION_DAYS=2 * SECOND_IN_DAYS)
    user = user_factory(email="a@example.vn")
    assert auth.login("a@example.vn", remember=True).status_code == 302
    remember = client.get_cookie("remember_token").value
    restarted = app.test_client()           # the browser restarted: only the remember cookie is left
    restarted.set_cookie("lang", "en")
    restarted.set_cookie("remember_token", remember)
    assert signed_in(restarted, user)
    time.sleep(3.2)
    thief = app.test_client()
    thief.set_cookie("remember_token", remember)
    assert not signed_in(thief, user)
    assert not signed_in(client, user)


def test_an_idle_admin_is_signed_out_and_told_why(app, client, auth):
    app.config["ADMIN_IDLE_MINUTES"] = 2 * SECOND_IN_MINUTES
    admin = UserFactory(role=Role.ADMIN, email="admin@example.vn")
    response = auth.login(admin.email, remember=True)
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None      # admins are never remembered
    assert client.get("/admin/users").status_code == 200
    time.sleep(1)
    assert client.get("/admin/users").status_code == 200    # activity keeps the session
    time.sleep(3.2)
    idle = client.get("/admin/users")
    assert idle.status_code == 302 and "/auth/login" in idle.headers["Location"]
    page = client.get(idle.headers["Location"]).get_data(as_text=True)
    assert "signed out after a while without activity" in page
    assert client.get("/admin/users").status_code == 302


def test_producers_have_no_idle_limit(app, auth, client, user_factory):
    app.config["ADMIN_IDLE_MINUTES"] = 1 * SECOND_IN_MINUTES
    user = user_factory(email="a@example.vn")
    auth.login("a@example.vn")
    time.sleep(1.5)
    assert signed_in(client, user)
