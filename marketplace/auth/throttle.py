"""Sign-in throttling that an attacker cannot turn into a lockout.

The login form and ``POST /api/v1/auth/tokens`` share one counter, in the
limiter's storage (Redis in production, so every gunicorn worker counts
together), keyed by the account *and* where the attempt comes from:

- the client address (``request.remote_addr``, the real client's when
  ``TRUSTED_PROXIES`` is set), or
- a device cookie, set on this account's last successful sign-in on this
  browser (OWASP "device cookies"): its holder has a bucket of its own.

Each failure counts for ``LOGIN_FAILURE_WINDOW_SECONDS``. From the
``LOGIN_FAILURES_BEFORE_DELAY``-th failure on, that bucket waits before it may
try again, twice as long after each further failure (``LOGIN_DELAY_SECONDS``
up to ``LOGIN_DELAY_MAX_SECONDS``); while it waits, its attempts are refused
without the password being looked at. A guesser therefore slows only
themself: the owner, from another address or from a browser they signed in
on before, still signs in with the right password. A success clears its bucket.
"""
from __future__ import annotations

import math
import secrets
import time

from flask import after_this_request, current_app, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from marketplace.core.extensions import limiter

DEVICE_COOKIE = "cc_device"
DEVICE_COOKIE_DAYS = 365


class LoginThrottled(Exception):
    """This bucket must wait ``retry_after`` seconds before its next attempt."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def throttled_message(seconds: int) -> str:
    return _("Too many wrong passwords for this account from here. Wait %(seconds)d seconds and try again, "
             "or sign in from a device you signed in on before.", seconds=seconds)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="login-device")


def _device(account: str) -> str | None:
    """The device id of a cookie this browser got by signing in to ``account``."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=DEVICE_COOKIE_DAYS * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("account") != account or not isinstance(data.get("id"), str):
        return None
    return data["id"]


def _bucket(account: str) -> str:
    device = _device(account)
    where = f"device:{device}" if device else f"ip:{request.remote_addr or '-'}"
    return f"{account}|{where}"


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and getattr(limiter, "enabled", True)


def check(account: str) -> None:
    """Raises LoginThrottled while this account's bucket for this client waits."""
    if not _enabled():
        return
    storage = limiter.storage
    key = "login-wait:" + _bucket(account)
    try:
        if storage.get(key) <= 0:
            return
        left = storage.get_expiry(key) - time.time()
    except Exception:  # the storage (Redis) is down: the per-address limit still holds
        current_app.logger.warning("Login throttle not checked", exc_info=True)
        return
    raise LoginThrottled(max(1, math.ceil(left)))


def failed(account: str) -> None:
    """Counts a wrong password; from the threshold on, the bucket waits longer each time."""
    if not _enabled():
        return
    config = current_app.config
    storage = limiter.storage
    bucket = _bucket(account)
    try:
        failures = storage.incr("login-fail:" + bucket, int(config["LOGIN_FAILURE_WINDOW_SECONDS"]))
        over = failures - int(config["LOGIN_FAILURES_BEFORE_DELAY"])
        if over >= 0:
            wait = min(float(config["LOGIN_DELAY_SECONDS"]) * 2 ** min(over, 30),
                       float(config["LOGIN_DELAY_MAX_SECONDS"]))
            storage.incr("login-wait:" + bucket, max(1, math.ceil(wait)))
    except Exception:
        current_app.logger.warning("Login failure not counted", exc_info=True)


def succeeded(account: str) -> None:
    """Clears this client's bucket and gives the browser a device cookie for the account."""
    if _enabled():
        bucket = _bucket(account)
        try:
            limiter.storage.clear("login-fail:" + bucket)
            limiter.storage.clear("login-wait:" + bucket)
        except Exception:
            current_app.logger.warning("Login throttle not cleared", exc_info=True)
    if request.path.startswith("/api/"):
        return
    device = _device(account) or secrets.token_urlsafe(16)
    value = _serializer().dumps({"account": account, "id": device})

    @after_this_request
    def set_device_cookie(response):
        response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_DAYS * 86400, httponly=True,
                            samesite="Lax", secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
                            path="/auth/")
        return response
