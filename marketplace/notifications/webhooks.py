"""Signed webhook POSTs.

Each delivery is ``POST <url>`` with a JSON body and these headers:

- ``X-CungCau-Event``: the kind, e.g. ``match.approved``
- ``X-CungCau-Delivery``: the delivery id. A retry (after a timeout, an
  error, or a worker that died mid-request) carries the same id: receivers
  must treat a second POST with an id they have seen as a duplicate.
- ``X-CungCau-Timestamp``: Unix seconds when this attempt was signed.
- ``X-CungCau-Signature``: ``sha256=<hex>``, the HMAC-SHA256 of
  ``f"{timestamp}.{raw body}"`` keyed with the endpoint's secret.

To verify, recompute the HMAC over the exact bytes received, compare in
constant time, and refuse a timestamp more than five minutes from your
clock (a replayed request): see ``verify_signature``.
"""
from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _

SIGNATURE_HEADER = "X-CungCau-Signature"
TIMESTAMP_HEADER = "X-CungCau-Timestamp"
DELIVERY_HEADER = "X-CungCau-Delivery"
EVENT_HEADER = "X-CungCau-Event"
TOLERANCE_SECONDS = 300
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, body: bytes, timestamp: str | None, signature: str | None,
                     tolerance: int = TOLERANCE_SECONDS, now: float | None = None) -> bool:
    """What a receiver does: True only for an untampered body signed recently with ``secret``."""
    if not timestamp or not signature:
        return False
    try:
        moment = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - moment) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, moment, body), signature)


def url_problem(url: str, allow_http_localhost: bool) -> str | None:
    """Why ``url`` cannot be a webhook endpoint, or None."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        return _("Enter a full https:// address.")
    if parts.username or parts.password:
        return _("Leave the user name and password out of the address.")
    if parts.scheme == "http" and not (allow_http_localhost and host in LOCAL_HOSTS):
        return _("Use https:// (http:// is accepted only for localhost in development).")
    if not allow_http_localhost:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if host in LOCAL_HOSTS or (address and (address.is_private or address.is_loopback
                                                or address.is_link_local or address.is_reserved)):
            return _("This address is not reachable from the internet.")
    return None


@dataclass(frozen=True)
class PostResult:
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(url: str, body: bytes, secret: str, *, delivery_id: int, event: str, timeout: float,
         now: float | None = None) -> PostResult:
    """One signed POST with a short timeout; redirects are not followed."""
    timestamp = int(time.time() if now is None else now)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "CungCau-Webhooks/1",
               EVENT_HEADER: event, DELIVERY_HEADER: str(delivery_id), TIMESTAMP_HEADER: str(timestamp),
               SIGNATURE_HEADER: sign(secret, timestamp, body)}
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)
        if 200 <= response.status < 300:
            return PostResult(response.status, None)
        return PostResult(response.status, f"HTTP {response.status} {response.reason}"[:500])
    except Exception as error:  # timeouts, refused connections, TLS errors: all worth a retry
        return PostResult(None, f"{type(error).__name__}: {error}"[:500])
    finally:
        connection.close()
