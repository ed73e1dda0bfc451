"""Webhooks: signed POSTs to a real receiver that verifies them, retried
with backoff, endpoints disabled after repeated failures, and a sender
that one hanging receiver cannot hold up."""
from __future__ import annotations

import json
import socket

import pytest
from sqlalchemy import select

from marketplace.core.extensions import db as _db
from marketplace.core.outbox import OutboxMessage
from marketplace.models import Channel, DeliveryStatus, WebhookEndpoint
from marketplace.models.user import Role
from marketplace.notifications import delivery, webhook_delivery, webhooks
from marketplace.notifications.webhooks import sign, verify_signature
from tests.support.notifications import deliveries, emit, kinds_of, match_details

# -- webhooks --------------------------------------------------------------------------------

def test_signatures_verify_and_a_tampered_or_stale_request_does_not():
    body = b'{"event":"match.approved"}'
    signature = sign("whsec_x", 1_800_000_000, body)
    assert verify_signature("whsec_x", body, "1800000000", signature, now=1_800_000_010)
    assert not verify_signature("whsec_x", body + b" ", "1800000000", signature, now=1_800_000_010)
    assert not verify_signature("whsec_other", body, "1800000000", signature, now=1_800_000_010)
    assert not verify_signature("whsec_x", body, "1800000001", signature, now=1_800_000_010)
    assert not verify_signature("whsec_x", body, "1800000000", signature, now=1_800_000_000 + 301)
    assert not verify_signature("whsec_x", body, None, signature)


def url_problem(url: str, allow_local: bool) -> str | None:
    from flask_babel import force_locale

    with force_locale("en"):
        return webhooks.url_problem(url, allow_local)


LOOPBACK_SPELLINGS = ["127.0.0.1", "2130706433", "127.1", "0x7f000001", "0x7f.1", "0177.0.0.1", "017700000001",
                      "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::1]", "[2002:7f00:1::]", "localhost"]
PRIVATE_ADDRESSES = ["10.0.0.5", "172.16.3.4", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
                     "224.0.0.1", "198.18.0.1", "[fc00::1]", "[fe80::1]", "[::]", "[::ffff:10.0.0.5]",
                     "[::ffff:169.254.169.254]", "167772165"]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS + PRIVATE_ADDRESSES)
def test_no_spelling_of_a_local_or_private_address_is_accepted(app, host):
    assert url_problem(f"https://{host}:5998/hook", False) == "This address is not reachable from the internet."


@pytest.mark.parametrize("host", PRIVATE_ADDRESSES)
def test_the_local_opt_in_allows_loopback_only_never_private_networks(app, host):
    assert url_problem(f"https://{host}/hook", True) == "This address is not reachable from the internet."
    assert url_problem(f"http://{host}/hook", True) == "Use https://."


def test_webhook_addresses_must_be_https_to_a_public_address(app):
    assert url_problem("https://93.184.215.14/hooks", False) is None
    assert url_problem("https://[2606:4700:4700::1111]:8443/hooks", False) is None
    assert url_problem("http://93.184.215.14/hooks", False) == "Use https://."
    assert url_problem("http://localhost/hook", False) == "Use https://."
    assert url_problem("http://93.184.215.14/hooks", True) == "Use https://."     # opt-in: loopback only
    assert url_problem("http://127.0.0.1:9000/hook", True) is None
    assert url_problem("ftp://93.184.215.14", True)
    assert url_problem("https://user:pw@93.184.215.14", True)
    assert url_problem("https://93.184.215.14:99999/", False) == "Enter a full https:// address."
    # Names are resolved at registration: one that resolves nowhere is refused too.
    assert url_problem("https://no-such-host.invalid/hook", False) == "This host name could not be found."


def test_local_http_is_off_unless_set_in_every_environment(instance_dir):
    from config import load_settings

    assert load_settings({"INSTANCE_PATH": str(instance_dir)})["WEBHOOK_ALLOW_HTTP_LOCALHOST"] is False
    assert load_settings({"INSTANCE_PATH": str(instance_dir), "WEBHOOK_ALLOW_HTTP_LOCALHOST": "1"}
                         )["WEBHOOK_ALLOW_HTTP_LOCALHOST"] is True


@pytest.fixture
def listener():
    """A bare TCP port that records whether anything connected to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def _connections(sock) -> int:
    count = 0
    while True:
        try:
            conn, _address = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def test_a_name_that_resolves_to_127_0_0_1_is_refused_at_delivery(app, parties, listener, client, auth):
    """As after DNS rebinding: the name was public at registration, it points here now."""
    app.config["WEBHOOK_ALLOW_HTTP_LOCALHOST"] = False
    producer, distributor = parties
    port = listener.getsockname()[1]
    endpoint = WebhookEndpoint(user_id=distributor.id, url=f"https://localhost:{port}/hook")
    _db.session.add(endpoint)
    _db.session.commit()
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    assert webhook_delivery.deliver_webhook(row.id) == "retry"
    _db.session.refresh(row)
    assert row.last_error == "address not allowed" and row.response_status is None
    assert _connections(listener) == 0
    auth.login("buyer@example.vn")
    page = client.get(f"/notifications/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "address not reachable from the internet" in page


def test_the_delivery_log_names_a_class_of_failure_not_the_socket_message(app, parties, receiver):
    """An open port (not TLS) and a closed one must not read differently enough to scan ports."""
    producer, distributor = parties
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    endpoints = [WebhookEndpoint(user_id=distributor.id, url=f"https://127.0.0.1:{receiver.port}/hook"),
                 WebhookEndpoint(user_id=distributor.id, url=f"https://127.0.0.1:{closed}/hook")]
    _db.session.add_all(endpoints)
    _db.session.commit()
    emit("match.approved", **match_details(producer, distributor))
    rows = sorted(deliveries(Channel.WEBHOOK), key=lambda r: r.endpoint_id)
    for row in rows:
        webhook_delivery.deliver_webhook(row.id)
        _db.session.refresh(row)
    assert [row.last_error for row in rows] == ["TLS error", "could not connect"]


def test_the_connection_goes_to_the_checked_address_with_the_host_header_kept(app, parties, receiver):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=f"http://localhost:{receiver.port}/hook")
    _db.session.add(endpoint)
    _db.session.commit()
    receiver.secrets["/hook"] = endpoint.secret
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    assert webhook_delivery.deliver_webhook(row.id) == "sent"
    [post] = receiver.at("/hook")
    assert post["host"] == f"localhost:{receiver.port}" and post["valid"]


def test_the_delivery_log_is_in_the_readers_language(app):
    from flask_babel import force_locale

    from marketplace.notifications.webhooks import error_label

    with app.test_request_context(), force_locale("vi"):
        assert error_label("timeout") != "timeout" and error_label("HTTP 500") == "HTTP 500"


def test_a_webhook_is_a_signed_post_the_receiver_can_verify(app, parties, receiver):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url())
    _db.session.add(endpoint)
    _db.session.commit()
    receiver.secrets["/hook"] = endpoint.secret
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    assert webhook_delivery.deliver_webhook(row.id) == "sent"
    assert webhook_delivery.deliver_webhook(row.id) == "skipped"      # a duplicate task sends nothing
    [post] = receiver.at("/hook")
    assert post["valid"] and post["delivery"] == str(row.id) and post["event"] == "match.approved"
    assert post["json"]["data"]["match_id"] == 7 and post["json"]["title"] == "A proposal is approved for you"
    assert post["json"]["link"] == "https://cungcau.example/matches/7"
    # Anyone who changes a byte is caught.
    tampered = post["body"].replace(b"2000", b"9000")
    assert not verify_signature(endpoint.secret, tampered, post["timestamp"], post["signature"])
    _db.session.refresh(row)
    assert row.status is DeliveryStatus.SENT and row.response_status == 200


def test_failing_webhooks_are_retried_with_backoff_then_the_endpoint_is_disabled(app, smtp, parties, receiver):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url())
    _db.session.add(endpoint)
    _db.session.commit()
    receiver.secrets["/hook"] = endpoint.secret
    receiver.status = 500
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    assert webhook_delivery.deliver_webhook(row.id) == "retry"
    _db.session.refresh(row)
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1 and row.last_error.startswith("HTTP 500")
    retry = _db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.dedupe_key.like("notifications.send_webhooks:retry:%"))).all()
    assert retry and retry[-1].run_after > row.created_at
    import time
    for _attempt in range(2):
        time.sleep(0.06)
        webhook_delivery.deliver_webhook(row.id)
    _db.session.refresh(endpoint)
    _db.session.refresh(row)
    assert not endpoint.active and endpoint.disabled_at and row.status is DeliveryStatus.FAILED
    assert len(receiver.at("/hook")) == 3
    assert kinds_of(distributor) == ["match.approved", "webhook.disabled"]
    delivery.flush_emails()
    assert any("webhook" in m["Subject"].lower() for m in smtp.to("buyer@example.vn"))
    # Nothing more goes to a disabled endpoint.
    emit("match.confirmed", **match_details(producer, distributor))
    assert len(deliveries(Channel.WEBHOOK)) == 1


def test_a_hanging_receiver_is_given_up_on_while_it_still_hangs(app, parties, receiver):
    """The sender stops waiting after WEBHOOK_TIMEOUT_SECONDS (0.5 here): the delivery is
    recorded as a timeout while the receiver is still holding the request, which it would
    answer only when released (or after 30 s). A sender without the timeout would wait for
    that answer and record the delivery as sent."""
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url("/slow"))
    _db.session.add(endpoint)
    _db.session.commit()
    receiver.secrets["/slow"] = endpoint.secret
    receiver.hangs["/slow"] = 30
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    assert webhook_delivery.deliver_webhook(row.id) == "retry"
    assert not any(post["answered"] for post in receiver.at("/slow"))
    receiver.release.set()
    _db.session.refresh(row)
    assert row.last_error == "timeout" and row.status is DeliveryStatus.PENDING and row.response_status is None


def test_webhook_bodies_are_json_with_the_event(app, parties, receiver):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=producer.id, url=receiver.url("/p"))
    _db.session.add(endpoint)
    _db.session.commit()
    emit("listing.sold_out", target_type="listing", target_id=3, producer_id=producer.id, listing_title="Gạo")
    [row] = deliveries(Channel.WEBHOOK)
    body = webhook_delivery.webhook_body(row.id, row.attempts, row.notification, producer.locale)
    assert json.loads(json.dumps(body))["event"] == "listing.sold_out"
    assert body["link"].endswith("/listings/3") and body["title"] == "Tin bán đã hết hàng"


def test_the_webhook_sender_works_around_a_hanging_receiver(app, parties, receiver, user_factory):
    producer, distributor = parties
    app.config.update(WEBHOOK_TIMEOUT_SECONDS=1, WEBHOOK_CONCURRENCY=4, WEBHOOK_PER_ENDPOINT=1, WEBHOOK_DISABLE_AFTER=10,
                      NOTIFY_RETRY_BASE_SECONDS=60, NOTIFY_RETRY_MAX_SECONDS=60)
    slow = WebhookEndpoint(user_id=distributor.id, url=receiver.url("/slow"))
    fast = [WebhookEndpoint(user_id=user_factory(role=Role.DISTRIBUTOR).id, url=receiver.url(f"/fast{n}"))
            for n in range(3)]
    _db.session.add_all([slow, *fast])
    _db.session.commit()
    receiver.secrets.update({"/slow": slow.secret, **{f"/fast{n}": e.secret for n, e in enumerate(fast)}})
    receiver.hangs["/slow"] = 3
    owners = [distributor, *[_db.session.get(type(distributor), e.user_id) for e in fast]]
    for match_id in range(1, 4):
        for owner in owners:
            emit("order.filled", target_type="order", target_id=match_id, distributor_id=owner.id,
                 order_title=f"Mua gạo {match_id}")
    counts = webhook_delivery.flush_webhooks()
    # Nine fast POSTs went through while the slow endpoint held one thread at a time;
    # its three deliveries timed out one after the other and wait for a retry.
    assert counts == {"sent": 9, "retry": 3}
    assert all(len(receiver.at(f"/fast{n}")) == 3 for n in range(3))
    assert all(post["valid"] for post in receiver.received)
    # Not held up behind it: every fast POST arrived before the slow endpoint's last attempt
    # (a sender that waited on each delivery in turn would interleave them with the slow ones).
    slow_at = sorted(post["at"] for post in receiver.at("/slow"))
    assert len(slow_at) == 3
    assert max(post["at"] for n in range(3) for post in receiver.at(f"/fast{n}")) < slow_at[-1]
