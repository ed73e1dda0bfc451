"""A producer on a phone sees the bell count, reads the notifications in
Vietnamese, marks them read, changes a preference and adds a webhook."""
from __future__ import annotations

from playwright.sync_api import expect

from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.models.user import Role
from tests.support.browser import contrast
from tests.support.factories import DEFAULT_PASSWORD, UserFactory


def test_bell_list_preferences_and_webhook_on_a_phone(live_server, phone):
    with live_server.app.app_context():
        live_server.app.config["OUTBOX_RELAY"] = "off"
        producer = UserFactory(email="htx@example.vn", role=Role.PRODUCER, locale="vi")
        distributor = UserFactory(email="buyer@example.vn", role=Role.DISTRIBUTOR, locale="en")
        details = {"match_id": 7, "listing_id": 3, "order_id": 4, "producer_id": producer.id,
                   "distributor_id": distributor.id, "quantity": 2000, "unit": "kg", "unit_price": 32000,
                   "listing_title": "Gạo ST25 lô 1", "order_title": "Cần mua gạo ST25"}
        emit_event("match.approved", target_type="match", target_id=7, **details)
        emit_event("listing.sold_out", target_type="listing", target_id=3, producer_id=producer.id,
                   listing_title="Gạo ST25 lô 1")
        db.session.commit()

    phone.goto(live_server.url + "/auth/login")
    phone.get_by_label("E-mail").fill("htx@example.vn")
    phone.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    phone.get_by_role("button", name="Đăng nhập").click()
    expect(phone.locator("#unread-count")).to_have_text("2")

    phone.locator("a.bell").click()
    expect(phone.get_by_role("heading", name="Thông báo")).to_be_visible()
    expect(phone.get_by_role("link", name="Một đề xuất ghép nối đã được duyệt cho bạn")).to_be_visible()
    expect(phone.get_by_text("2.000 kg, giá 32.000 ₫")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # Link-like buttons once were white on white; WCAG asks for 4.5:1 for text.
    for name in ("Đánh dấu tất cả là đã đọc", "Đăng xuất"):
        assert contrast(phone.get_by_role("button", name=name)) >= 4.5, name
    assert contrast(phone.get_by_role("button", name="Đánh dấu đã đọc").first) >= 4.5
    phone.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    expect(phone.locator("#unread-count")).to_have_text("0")

    phone.get_by_role("link", name="Cài đặt").click()
    phone.locator('input[name="listing.sold_out:email"]').uncheck()
    phone.get_by_role("button", name="Lưu").click()
    expect(phone.get_by_text("Đã lưu cài đặt thông báo của bạn.")).to_be_visible()
    expect(phone.locator('input[name="listing.sold_out:email"]')).not_to_be_checked()
    expect(phone.locator('input[name="match.approved:email"]')).to_be_checked()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    phone.goto(live_server.url + "/notifications/webhooks")
    phone.get_by_label("Địa chỉ nhận (https://…)").fill("https://1.1.1.1/hooks/cungcau")
    phone.get_by_role("button", name="Thêm địa chỉ").click()
    expect(phone.locator("#new-secret")).to_contain_text("whsec_")
    expect(phone.get_by_role("link", name="https://1.1.1.1/hooks/cungcau")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
