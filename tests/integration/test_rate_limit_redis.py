"""In production the login counters live in Redis, so every web process
(and every machine) shares them."""
import redis

from marketplace.app import create_app


def test_login_throttle_is_shared_through_redis(pg_app, service_env, client_for):
    """Two app instances (two gunicorn workers) count the same client's failures together."""
    other_worker = create_app({"TESTING": True})
    for app in (pg_app, other_worker):
        app.config["LOGIN_FAILURES_BEFORE_DELAY"] = 2
    first_client, first = client_for(pg_app)
    second_client, second = client_for(other_worker)  # same address, no device cookie

    assert first.login("victim@example.vn", "wrong-password-1").status_code == 400
    assert second.login("victim@example.vn", "wrong-password-1").status_code == 400
    refused = first.login("victim@example.vn", "wrong-password-1")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0

    keys = redis.Redis.from_url(service_env["RATELIMIT_STORAGE_URI"]).keys("*login-wait*")
    assert keys, "the limiter did not store its counters in Redis"
