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
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

SIGNATURE_HEADER = "X-CungCau-Signature"
TIMESTAMP_HEADER = "X-CungCau-Timestamp"
DELIVERY_HEADER = "X-CungCau-Delivery"
EVENT_HEADER = "X-CungCau-Event"
TOLERANCE_SECONDS = 300


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


class AddressRefused(Exception):
    """The host resolves to an address this app must not connect to."""


class HostNotFound(Exception):
    """The host name does not resolve."""


# What an owner reads in the delivery log: a class of failure, never the socket's
# own message (which tells an open port from a closed one: a port scanner).
COULD_NOT_CONNECT = "could not connect"
TLS_ERROR = "TLS error"
TIMEOUT = "timeout"
NOT_ALLOWED = "address not allowed"
ERROR_LABELS = {
    COULD_NOT_CONNECT: _l("could not connect"),
    TLS_ERROR: _l("TLS error"),
    TIMEOUT: _l("timeout"),
    NOT_ALLOWED: _l("address not reachable from the internet"),
    "endpoint disabled": _l("endpoint disabled"),
    "endpoint disabled or removed": _l("endpoint disabled or removed"),
}


def error_label(error: str | None) -> str:
    """A stored delivery error in the reader's language ("HTTP 500" stays as it is)."""
    if not error:
        return ""
    label = ERROR_LABELS.get(error)
    return str(label) if label is not None else error


def _public(address: str, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        # ::ffff:127.0.0.1 and 2002:7f00:1:: reach an IPv4 address: judge that one.
        ip = ip.ipv4_mapped or ip.sixtofour or ip
    if allow_loopback and ip.is_loopback:
        return True
    return ip.is_global and not ip.is_multicast


def checked_addresses(host: str, port: int, allow_local: bool, loopback_only: bool = False) -> list[str]:
    """Every address ``host`` resolves to, if all are globally routable (or, with
    ``allow_local``, loopback); raises AddressRefused or HostNotFound otherwise.

    Resolving normalises every spelling of an address (2130706433, 127.1,
    0x7f000001, 0177.0.0.1, ::ffff:127.0.0.1 are all 127.0.0.1), so the check
    is made on what a connection would reach, not on the text of the URL.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as error:
        raise HostNotFound(host) from error
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise HostNotFound(host)
    for address in addresses:
        if loopback_only and not ipaddress.ip_address(address.split("%")[0]).is_loopback:
            raise AddressRefused(address)
        if not _public(address.split("%")[0], allow_local):
            raise AddressRefused(address)
    return addresses


def _target(url: str, allow_local: bool):
    """(parts, port, addresses) of a webhook URL, or raises ValueError with the problem."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise ValueError(_("Enter a full https:// address."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValueError(_("Enter a full https:// address.")) from None
    if parts.username or parts.password:
        raise ValueError(_("Leave the user name and password out of the address."))
    if parts.scheme == "http" and not allow_local:
        raise ValueError(_("Use https://."))
    return parts, port


def url_problem(url: str, allow_local: bool) -> str | None:
    """Why ``url`` cannot be a webhook endpoint, or None. The host is resolved now
    (and again before every delivery). ``allow_local`` (WEBHOOK_ALLOW_HTTP_LOCALHOST,
    off unless set) lets tests use http:// to a receiver on this machine."""
    try:
        parts, port = _target(url, allow_local)
    except ValueError as problem:
        return str(problem)
    try:
        checked_addresses(parts.hostname, port, allow_local, loopback_only=parts.scheme == "http")
    except (HostNotFound, AddressRefused) as error:
        if parts.scheme == "http":
            return _("Use https://.")
        if isinstance(error, HostNotFound):
            return _("This host name could not be found.")
        return _("This address is not reachable from the internet.")
    return None


@dataclass(frozen=True)
class PostResult:
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _Pinned:
    """Connects to the address that was checked, whatever the name resolves to
    by then (DNS rebinding); the Host header and TLS SNI/certificate check still
    use the URL's host name."""

    def __init__(self, host: str, port: int, address: str, **options):
        super().__init__(host, port, **options)
        self._pinned_address = address
        self._create_connection = self._connect_pinned

    def _connect_pinned(self, address, timeout, source_address=None):
        return socket.create_connection((self._pinned_address, address[1]), timeout, source_address)


class PinnedHTTPConnection(_Pinned, http.client.HTTPConnection):
    pass


class PinnedHTTPSConnection(_Pinned, http.client.HTTPSConnection):
    pass


def _error_class(error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return TIMEOUT
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return TLS_ERROR
    return COULD_NOT_CONNECT


def post(url: str, body: bytes, secret: str, *, delivery_id: int, event: str, timeout: float,
         allow_local: bool = False, now: float | None = None) -> PostResult:
    """One signed POST with a short timeout to an address checked just now; redirects are not followed."""
    timestamp = int(time.time() if now is None else now)
    try:
        parts, port = _target(url, allow_local)
        addresses = checked_addresses(parts.hostname, port, allow_local, loopback_only=parts.scheme == "http")
    except AddressRefused:
        return PostResult(None, NOT_ALLOWED)
    except (ValueError, HostNotFound):
        return PostResult(None, COULD_NOT_CONNECT)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = PinnedHTTPSConnection if parts.scheme == "https" else PinnedHTTPConnection
    connection = connection_class(parts.hostname, parts.port, addresses[0], timeout=timeout)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "CungCau-Webhooks/1",
               EVENT_HEADER: event, DELIVERY_HEADER: str(delivery_id), TIMESTAMP_HEADER: str(timestamp),
               SIGNATURE_HEADER: sign(secret, timestamp, body)}
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)
        if 200 <= response.status < 300:
            return PostResult(response.status, None)
        return PostResult(response.status, f"HTTP {response.status}")
    except Exception as error:  # timeouts, refused connections, TLS errors: all worth a retry
        return PostResult(None, _error_class(error))
    finally:
        connection.close()
