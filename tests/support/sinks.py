"""Real servers for notification tests: an SMTP sink (aiosmtpd) and an HTTP
webhook receiver that verifies signatures the way a real receiver would."""
from __future__ import annotations

import email
import email.policy
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from marketplace.notifications.webhooks import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    verify_signature,
)

_DELIVERY = re.compile(rb"^X-CungCau-Delivery: (\S+)", re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collect:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        found = _DELIVERY.search(raw)
        with self.sink.lock:
            self.sink.raw.append(raw)
            self.sink.received_at.setdefault(found.group(1).decode() if found else None, time.time())
        return "250 OK"


class SmtpSink:
    """An SMTP server that keeps what it accepts; ``stop``/``start`` simulate an outage."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.raw: list[bytes] = []
        self._parsed: list = []
        self.received_at: dict[str, float] = {}
        self.lock = threading.Lock()
        self.controller = None

    def start(self) -> SmtpSink:
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list:
        """Every accepted message, parsed (on first look: parsing is slow)."""
        with self.lock:
            for raw in self.raw[len(self._parsed):]:
                self._parsed.append(email.message_from_bytes(raw, policy=email.policy.default))
            return list(self._parsed)

    def clear(self) -> None:
        with self.lock:
            self.raw.clear()
            self._parsed.clear()
            self.received_at.clear()

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def delivery_ids(self) -> list[str]:
        return [m["X-CungCau-Delivery"] for m in self.messages]

    @staticmethod
    def bodies(message) -> tuple[str, str]:
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        return text, html


class WebhookReceiver:
    """An HTTP server that checks each POST's signature against ``secrets``
    (by path) and answers ``status`` (or hangs ``hang`` seconds first, or
    until ``release`` is set). Each POST's record says whether it was answered."""

    def __init__(self):
        self.port = free_port()
        self.received: list[dict] = []
        self.secrets: dict[str, str] = {}
        self.status = 200
        self.hang = 0.0
        self.lock = threading.Lock()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                secret = receiver.secrets.get(self.path, "")
                valid = verify_signature(secret, body, self.headers.get(TIMESTAMP_HEADER),
                                         self.headers.get(SIGNATURE_HEADER))
                record = {"path": self.path, "valid": valid, "body": body, "json": json.loads(body),
                          "delivery": self.headers.get(DELIVERY_HEADER), "host": self.headers.get("Host"), "event": self.headers.get(EVENT_HEADER),
                          "timestamp": self.headers.get(TIMESTAMP_HEADER),
                          "signature": self.headers.get(SIGNATURE_HEADER), "at": time.time(), "answered": False}
                with receiver.lock:
                    receiver.received.append(record)
                hang, status = receiver.hang_for(self.path), receiver.status_for(self.path)
                if hang:
                    receiver.release.wait(hang)
                with receiver.lock:
                    record["answered"] = True
                try:
                    self.send_response(status if valid else 401)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender timed out and went away, as it should

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.statuses: dict[str, int] = {}
        self.hangs: dict[str, float] = {}

    def status_for(self, path: str) -> int:
        return self.statuses.get(path, self.status)

    def hang_for(self, path: str) -> float:
        return self.hangs.get(path, self.hang)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> WebhookReceiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def at(self, path: str) -> list[dict]:
        with self.lock:
            return [r for r in self.received if r["path"] == path]
