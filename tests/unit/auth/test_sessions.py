"""Cookies and sessions: hard to steal, and dead once the user logs out."""
from http.cookies import SimpleCookie

from tests.support.factories import DEFAULT_PASSWORD


def cookies_set(response):
    jar = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        jar.load(header)
    return jar, response.headers.getlist("Set-Cookie")


def test_session_and_remember_cookies_are_httponly_and_samesite(auth, user_factory):
    user_factory(email="a@example.vn")
    response = auth.login("a@example.vn", remember=True)
    _, headers = cookies_set(response)
    by_name = {h.split("=", 1)[0]: h.lower() for h in headers}
    for name in ("session", "remember_token"):
        assert "httponly" in by_name[name]
        assert "samesite=lax" in by_name[name]
    # Not Flask-Login's 365 days: the absolute lifetime.
    assert "expires=" in by_name["remember_token"]   # SESSION_DAYS (14) from now


def test_production_cookies_are_secure(monkeypatch, instance_dir):
    import pytest

    from config import ConfigurationError, load_settings

    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(ConfigurationError):
        load_settings()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        load_settings()             # no silent fallback to per-process limiter counts
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(ConfigurationError, match="REDIS_URL"):
        load_settings()             # memory:// set by hand is refused too
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")   # a deliberate single-process deployment
    settings = load_settings()
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


def test_logout_invalidates_a_copied_session_cookie(app, auth, client, user_factory):
    user = user_factory(email="a@example.vn")
    auth.login("a@example.vn", remember=True)
    stolen = {c.key: c.value for c in client._cookies.values()}
    auth.logout()

    thief = app.test_client()
    for key, value in stolen.items():
        thief.set_cookie(key, value)
    assert user.profile.display_name not in thief.get("/").get_data(as_text=True)


def test_password_change_signs_out_other_devices(app, auth, client, user_factory):
    user = user_factory(email="a@example.vn")
    other_device = app.test_client()
    other_device.post("/auth/login", data={
        "email": "a@example.vn", "password": DEFAULT_PASSWORD,
        "csrf_token": auth.__class__(other_device).csrf()})
    assert user.profile.display_name in other_device.get("/").get_data(as_text=True)

    auth.login("a@example.vn")
    response = client.post("/auth/password", data={
        "current_password": DEFAULT_PASSWORD, "password": "moi-mat-khau-99", "confirm": "moi-mat-khau-99",
        "csrf_token": auth.csrf("/auth/password")})
    assert response.status_code == 302
    assert user.profile.display_name in client.get("/").get_data(as_text=True)
    assert user.profile.display_name not in other_device.get("/").get_data(as_text=True)
    assert auth.__class__(other_device).login("a@example.vn", "moi-mat-khau-99").status_code == 302


def test_post_without_csrf_token_is_rejected(client, user_factory, db):
    user_factory(email="a@example.vn")
    response = client.post("/auth/login", data={"email": "a@example.vn", "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert "session" not in {c.key for c in client._cookies.values()} or \
        "a@example.vn" not in client.get("/").get_data(as_text=True)


def test_registration_without_csrf_stores_nothing(client, db):
    from sqlalchemy import func, select

    from marketplace.models import User

    response = client.post("/auth/register", data={
        "role": "producer", "email": "x@example.vn", "password": "nuoc-mam-2026",
        "confirm": "nuoc-mam-2026", "display_name": "HTX", "kind": "cooperative",
        "province": "Cần Thơ", "phone": "0912345678"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_the_csrf_token_changes_at_login(client, auth, user_factory):
    """A token read before signing in (e.g. from a shared computer) no longer works after."""
    user_factory(email="a@example.vn")
    before = auth.csrf("/auth/login")
    response = client.post("/auth/login", data={"email": "a@example.vn", "password": DEFAULT_PASSWORD,
                                                "csrf_token": before})
    assert response.status_code == 302
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
    assert client.post("/auth/logout", data={"csrf_token": auth.csrf("/")}).status_code == 302
