"""What people see of notifications: the bell, the list, the preferences and
webhook pages, and the same through the API."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.core.extensions import db as _db
from marketplace.models import (
    Channel,
    DeliveryStatus,
    Notification,
    WebhookEndpoint,
)
from marketplace.models.user import Role
from marketplace.notifications import webhook_delivery
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.notifications import deliveries, emit, match_details

# -- pages -----------------------------------------------------------------------------------

def test_the_bell_counts_unread_and_the_list_marks_them_read(app, client, auth, parties, user_factory):
    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    emit("match.confirmed", **match_details(producer, distributor))
    auth.login("buyer@example.vn")
    home = client.get("/").get_data(as_text=True)
    assert '<span class="bell-count" id="unread-count">2</span>' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert "A proposal is approved for you" in page and "Match confirmed" in page
    first, second = _db.session.scalars(select(Notification.id).where(Notification.user_id == distributor.id)
                                        .order_by(Notification.id)).all()
    token = auth.csrf("/notifications")
    assert client.post(f"/notifications/{first}/read", data={"csrf_token": token}).status_code == 302
    assert '<span class="bell-count" id="unread-count">1</span>' in client.get("/").get_data(as_text=True)
    # Someone else's notification does not exist for you.
    other = _db.session.scalar(select(Notification.id).where(Notification.user_id == producer.id))
    assert client.post(f"/notifications/{other}/read", data={"csrf_token": token}).status_code == 404
    response = client.get(f"/notifications/{second}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith("/matches/7")
    emit("match.expired", **match_details(producer, distributor))
    client.post("/notifications/read-all", data={"csrf_token": token})
    assert '<span class="bell-count" id="unread-count">0</span>' in client.get("/").get_data(as_text=True)


def test_the_bell_reads_vietnamese_by_default(app, parties):
    from tests.support.auth import AuthActions

    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    visitor = app.test_client()
    AuthActions(visitor).login("htx@example.vn")
    page = visitor.get("/notifications").get_data(as_text=True)
    assert "Một đề xuất ghép nối đã được duyệt cho bạn" in page


def test_preferences_page_saves_choices(app, client, auth, parties):
    producer, distributor = parties
    auth.login("htx@example.vn")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'name="listing.sold_out:email"' in page and 'name="order.filled:email"' not in page
    form = {"csrf_token": auth.csrf("/notifications/preferences"), "email_digest": "y",
            "match.approved:webhook": "on", "listing.sold_out:email": "on"}
    assert client.post("/notifications/preferences", data=form).status_code == 302
    emit("match.approved", **match_details(producer, distributor))
    emit("listing.sold_out", target_type="listing", target_id=3, producer_id=producer.id, listing_title="Gạo")
    rows = [(row.notification.kind, row.status) for row in deliveries(Channel.EMAIL)
            if row.notification.user_id == producer.id]
    assert rows == [("listing.sold_out", DeliveryStatus.HELD)]


def test_webhook_pages_register_show_the_secret_and_the_log(app, client, auth, parties, receiver):
    producer, distributor = parties
    auth.login("buyer@example.vn")
    token = auth.csrf("/notifications/webhooks")
    bad = client.post("/notifications/webhooks", data={"csrf_token": token, "url": "http://shop.example.vn/h"})
    assert bad.status_code == 400 and "https://" in bad.get_data(as_text=True)
    good = client.post("/notifications/webhooks", data={"csrf_token": token, "url": receiver.url()})
    endpoint = _db.session.scalar(select(WebhookEndpoint))
    assert good.status_code == 200 and endpoint.secret in good.get_data(as_text=True)
    receiver.secrets["/hook"] = endpoint.secret
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    webhook_delivery.deliver_webhook(row.id)
    log = client.get(f"/notifications/webhooks/{endpoint.id}").get_data(as_text=True)
    assert f'id="delivery-{row.id}"' in log and "sent" in log
    auth.logout()
    auth.login("htx@example.vn")
    assert client.get(f"/notifications/webhooks/{endpoint.id}").status_code == 404


# -- API -------------------------------------------------------------------------------------

def test_api_lists_and_marks_notifications(app, client, parties):
    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    emit("match.confirmed", **match_details(producer, distributor))
    api = ApiClient(client, issue_token(distributor))
    body = api.get("/notifications?per_page=1").get_json()
    assert set(body) == {"items", "page", "per_page", "total"} and body["total"] == 2
    [item] = body["items"]
    assert item["kind"] == "match.confirmed" and item["title"] == "Match confirmed"
    assert item["link"] == "https://cungcau.example/matches/7" and item["data"]["order_id"] == 4
    assert item["read_at"] is None
    read = api.post(f"/notifications/{item['id']}/read")
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert api.get("/notifications?unread=1").get_json()["total"] == 1
    assert api.post("/notifications/read-all").get_json() == {"updated": 1}
    other = _db.session.scalar(select(Notification.id).where(Notification.user_id == producer.id))
    assert error_of(api.post(f"/notifications/{other}/read"))["code"] == "not_found"
    vi = api.get("/notifications", headers={"Accept-Language": "vi"}).get_json()
    assert vi["items"][0]["title"] == "Ghép nối đã được xác nhận"
    assert api.as_(None).get("/notifications").status_code == 401


def test_api_preferences(app, client, parties):
    producer, _ = parties
    api = ApiClient(client, issue_token(producer))
    body = api.get("/notifications/preferences").get_json()
    assert body["email_digest"] is False
    assert {"kind": "match.approved", "channel": "email", "enabled": True,
            "label": "A proposal is approved for me"} in body["preferences"]
    changed = api.patch("/notifications/preferences", json={
        "email_digest": True, "preferences": [{"kind": "match.approved", "channel": "email", "enabled": False}]})
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["email_digest"] is True
    assert {"kind": "match.approved", "channel": "email", "enabled": False,
            "label": "A proposal is approved for me"} in body["preferences"]
    wrong = api.patch("/notifications/preferences", json={
        "preferences": [{"kind": "order.filled", "channel": "email", "enabled": False}]})
    assert error_of(wrong)["fields"] == {"preferences.0.kind": "Not a valid choice."}
    bad = api.patch("/notifications/preferences", json={
        "preferences": [{"kind": "match.approved", "channel": "sms", "enabled": False}]})
    assert "preferences.0.channel" in error_of(bad)["fields"]


def test_api_webhooks(app, client, parties, receiver, user_factory):
    producer, distributor = parties
    api = ApiClient(client, issue_token(distributor))
    refused = api.post("/webhooks", json={"url": "http://shop.example.vn/hook"})
    assert refused.status_code == 422 and "url" in error_of(refused)["fields"]
    created = api.post("/webhooks", json={"url": receiver.url()})
    assert created.status_code == 201
    endpoint = created.get_json()
    assert endpoint["secret"].startswith("whsec_") and endpoint["active"] is True
    assert [e["id"] for e in api.get("/webhooks").get_json()] == [endpoint["id"]]
    receiver.secrets["/hook"] = endpoint["secret"]
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    webhook_delivery.deliver_webhook(row.id)
    log = api.get(f"/webhooks/{endpoint['id']}/deliveries").get_json()
    assert log["total"] == 1 and log["items"][0]["status"] == "sent" and log["items"][0]["event"] == "match.approved"
    assert api.post(f"/webhooks/{endpoint['id']}/enable").get_json()["active"] is True
    admin_api = ApiClient(client, issue_token(user_factory(role=Role.ADMIN)))
    assert admin_api.post("/webhooks", json={"url": receiver.url()}).status_code == 403
    assert ApiClient(client, issue_token(producer)).get(f"/webhooks/{endpoint['id']}").status_code == 404
    assert api.delete(f"/webhooks/{endpoint['id']}").status_code == 204
    assert api.get("/webhooks").get_json() == []
