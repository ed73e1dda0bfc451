"""A producer at a desk uploads a spreadsheet of listings with one bad row,
reads which row and why, fixes it and uploads it again: every row is stored."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from marketplace.core.extensions import db
from marketplace.models import Listing
from marketplace.models.user import Role
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.sheets import xlsx_bytes

HEADER = ["Tên sản phẩm", "Ngành hàng", "Đơn vị", "Số lượng bán", "Giá mỗi đơn vị (VNĐ)", "Tỉnh / thành phố"]


def listings_stored(live_server) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(func.count(Listing.id)))


def test_an_import_with_one_bad_row_is_fixed_and_uploaded_again(live_server, chromium, tmp_path):
    with live_server.app.app_context():
        UserFactory(email="htx.gao@example.vn", role=Role.PRODUCER, locale="vi")
    rows = [HEADER, ["Gạo ST25 lô 1", "Gạo và ngũ cốc", "tấn", "1,5", "30.000.000", "Sóc Trăng"],
            ["Gạo ST25 lô 2", "Gạo và ngũ cốc", "tấn", "nhiều", "30.000.000", "Sóc Trăng"]]
    sheet = tmp_path / "gao.xlsx"
    sheet.write_bytes(xlsx_bytes(rows))

    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = context.new_page()
    page.goto(live_server.url + "/auth/login")
    page.get_by_label("E-mail").fill("htx.gao@example.vn")
    page.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(live_server.url + "/listings/mine")
    page.get_by_role("link", name="Thêm tin bán từ bảng tính").click()

    page.get_by_label("Bảng tính (.xlsx hoặc .csv)").set_input_files(str(sheet))
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_role("alert")).to_contain_text("Chưa lưu gì: hãy sửa các dòng này rồi tải tệp lên lại.")
    expect(page.get_by_text("Dòng 3 · Số lượng bán: Nhập một số, ví dụ 2.000 hoặc 1,5.")).to_be_visible()
    assert listings_stored(live_server) == 0

    rows[2][3] = "2"
    sheet.write_bytes(xlsx_bytes(rows))
    page.get_by_label("Bảng tính (.xlsx hoặc .csv)").set_input_files(str(sheet))
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_text("2 tin bán từ tệp của bạn đã được đăng bán.")).to_be_visible()
    expect(page.get_by_role("heading", name="Tin bán của tôi")).to_be_visible()
    assert page.url.endswith("/listings/mine")
    assert listings_stored(live_server) == 2
    context.close()
