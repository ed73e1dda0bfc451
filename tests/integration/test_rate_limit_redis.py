"""In production the login counters live in Redis, so every web process
(and every machine) shares them."""
import redis


def test_login_throttle_is_shared_through_redis(pg_app, service_env, client_for):
    pg_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"] = "2 per minute"
    first_client, first = client_for(pg_app)
    second_client, second = client_for(pg_app)  # another browser, same account

    assert first.login("victim@example.vn", "wrong-password-1").status_code == 400
    assert second.login("victim@example.vn", "wrong-password-1").status_code == 400
    assert first.login("victim@example.vn", "wrong-password-1").status_code == 429

    keys = redis.Redis.from_url(service_env["RATELIMIT_STORAGE_URI"]).keys("*login-account*")
    assert keys, "the limiter did not store its counters in Redis"
