"""A producer on a phone signs up, is told what is wrong, fixes it, is asked
to confirm the e-mail, logs in and out; an English speaker switches language."""
from sqlalchemy import select

from marketplace.core.extensions import db
from marketplace.models import User


def test_producer_signs_up_on_a_phone_then_logs_out_and_in(live_server, phone, tmp_path):
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="Tôi bán sản phẩm OCOP").click()
    assert phone.get_by_label("Nhà sản xuất (tôi bán sản phẩm OCOP)").is_checked()

    phone.get_by_label("E-mail").fill("htx.muoi@example.vn")
    phone.get_by_label("Mật khẩu", exact=True).fill("ngan")
    phone.get_by_label("Nhập lại mật khẩu").fill("ngan")
    phone.get_by_label("Tên cơ sở / doanh nghiệp").fill("HTX Muối Bạc Liêu")
    phone.get_by_label("Tỉnh / thành phố").fill("Atlantis")
    phone.get_by_label("Điện thoại").fill("0912 345 678")
    phone.get_by_role("button", name="Đăng ký").click()

    # Errors sit next to their fields, in Vietnamese, and what was typed stays.
    assert phone.get_by_text("Dùng ít nhất 10 ký tự.").is_visible()
    assert phone.get_by_text("Không rõ tỉnh/thành").is_visible()
    assert phone.get_by_label("Tên cơ sở / doanh nghiệp").input_value() == "HTX Muối Bạc Liêu"

    phone.get_by_label("Mật khẩu", exact=True).fill("muoi-bac-lieu-2026")
    phone.get_by_label("Nhập lại mật khẩu").fill("muoi-bac-lieu-2026")
    phone.get_by_label("Tỉnh / thành phố").fill("bac lieu")
    phone.get_by_role("button", name="Đăng ký").click()
    # The answer is the same for a new e-mail and a taken one; the link comes by e-mail.
    assert phone.get_by_role("heading", name="Hãy kiểm tra e-mail").is_visible()
    phone.screenshot(path=str(tmp_path / "registered.png"), full_page=True)

    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "htx.muoi@example.vn"))
        assert user.profile.province_code == "ca-mau"

    phone.get_by_role("link", name="Đăng nhập").first.click()
    phone.get_by_label("E-mail").fill("HTX.Muoi@example.vn")
    phone.get_by_label("Mật khẩu").fill("muoi-bac-lieu-2026")
    phone.get_by_role("button", name="Đăng nhập").click()
    assert phone.get_by_text("HTX Muối Bạc Liêu · Nhà sản xuất").is_visible()

    phone.get_by_role("button", name="Đăng xuất").click()
    assert phone.get_by_text("Bạn đã đăng xuất.").is_visible()

def test_visitor_switches_to_english_and_it_sticks(live_server, phone):
    phone.goto(live_server.url + "/auth/login")
    phone.get_by_role("button", name="English").click()
    assert phone.get_by_role("heading", name="Log in").is_visible()
    phone.goto(live_server.url + "/auth/register")
    assert phone.get_by_role("heading", name="Create an account").is_visible()


def test_pages_stay_light(live_server, phone):
    sizes = []
    phone.on("response", lambda response: sizes.append(len(response.body())))
    phone.goto(live_server.url + "/auth/register")
    phone.wait_for_load_state("networkidle")
    # Everything a phone downloads for the heaviest form page, uncompressed.
    assert sum(sizes) < 60_000, sizes
