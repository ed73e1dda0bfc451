"""Write limits per account: how many listings, orders or webhook changes one
account may make in a window (``LISTING_RATE_LIMIT``, ``ORDER_RATE_LIMIT``,
``WEBHOOK_RATE_LIMIT``), counted in the limiter's storage (Redis in
production: every web process counts together). A refused write raises
``RateLimited``: a 429 with a message on pages and in the API. Caps on live
objects per account (``MAX_LIVE_LISTINGS``, ``MAX_LIVE_ORDERS``) refuse with
a 422 whatever the pace."""
from __future__ import annotations

from flask import current_app
from limits import parse

from marketplace.core.extensions import limiter
from marketplace.core.validation import InvalidInput


class RateLimited(Exception):
    """Too many writes of one kind from one account in the configured window (429)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True)) and getattr(limiter, "enabled", True)


def check_rate(setting: str, scope: str, account_id: int, message: str) -> None:
    """Refuses (RateLimited) when ``account_id`` used up ``setting``'s budget for ``scope``."""
    if not _enabled():
        return
    try:
        allowed = limiter.limiter.test(parse(current_app.config[setting]), scope, str(account_id))
    except Exception:  # the storage (Redis) is down: a write is worth more than the limit
        current_app.logger.warning("Rate limit %s not checked for account %s", setting, account_id, exc_info=True)
        return
    if not allowed:
        raise RateLimited(message)


def count_write(setting: str, scope: str, account_id: int) -> None:
    """Counts one write that went through against ``setting``'s budget."""
    if not _enabled():
        return
    try:
        limiter.limiter.hit(parse(current_app.config[setting]), scope, str(account_id))
    except Exception:
        current_app.logger.warning("Rate limit %s not counted for account %s", setting, account_id, exc_info=True)


def check_cap(setting: str, live: int, adding: int, message: str) -> None:
    """Refuses (InvalidInput, 422) when ``adding`` more objects would take an
    account past ``setting`` live ones: a cap on what one account can make the
    matcher carry, whatever the pace (0 = no cap)."""
    cap = int(current_app.config[setting])
    if cap and live + adding > cap:
        raise InvalidInput({}, message)
