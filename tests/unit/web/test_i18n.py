"""Vietnamese by default, English on request, remembered; money and dates
written the Vietnamese way."""
from datetime import date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from marketplace.web.formats import format_day, format_vnd

ROOT = Path(__file__).resolve().parents[3]


def test_pages_are_vietnamese_by_default(app):
    visitor = app.test_client()
    html = visitor.get("/").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Log in" not in html


def test_choosing_english_is_remembered_by_a_cookie(app, auth):
    visitor = app.test_client()
    token = auth.__class__(visitor).csrf("/")
    response = visitor.post("/language", data={"locale": "en", "csrf_token": token})
    assert response.status_code == 302
    html = visitor.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Log in" in html


def test_a_users_language_follows_the_account_to_a_new_device(app, auth, user_factory, db):
    from tests.support.auth import AuthActions

    user = user_factory(email="a@example.vn", locale="vi")
    first_device = AuthActions(app.test_client())  # no language chosen on it
    first_device.login("a@example.vn")
    assert "Đăng xuất" in first_device.client.get("/").get_data(as_text=True)
    first_device.client.post("/language", data={"locale": "en", "csrf_token": first_device.csrf("/")})
    db.session.refresh(user)
    assert user.locale == "en"

    new_device = app.test_client()
    auth.__class__(new_device).login("a@example.vn")
    assert "Log out" in new_device.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(app, client, auth):
    client.post("/language", data={"locale": "fr", "csrf_token": auth.csrf("/")})
    assert client.get_cookie("lang").value == "en"


def test_form_errors_are_in_vietnamese_for_vietnamese_users(app):
    from tests.support.auth import AuthActions

    visitor = app.test_client()
    html = AuthActions(visitor).register(email="khong-phai-email", province="Atlantis").get_data(as_text=True)
    assert "Nhập một địa chỉ e-mail hợp lệ." in html
    assert "Không rõ tỉnh/thành" in html


def test_money_is_written_the_vietnamese_way():
    assert format_vnd(1_250_000) == "1.250.000 ₫"
    assert format_vnd(0) == "0 ₫"
    assert format_vnd(48_000) == "48.000 ₫"
    assert format_vnd(999) == "999 ₫"


def test_dates_are_day_month_year_in_vietnamese(app):
    with app.test_request_context():
        assert format_day(date(2026, 3, 7), "vi") == "07/03/2026"
        assert format_day(datetime(2026, 12, 25, 23, 0), "vi") == "25/12/2026"
        assert format_day(date(2026, 3, 7), "en") == "7 Mar 2026"


def test_every_message_in_the_code_has_a_vietnamese_translation():
    method_map = [("**.py", "python"), ("**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    in_code = set()
    for folder in ("marketplace", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map, keywords=keywords):
            in_code.add(message if isinstance(message, str) else message[0])
    with open(ROOT / "marketplace/translations/vi/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    def first(value):
        return value if isinstance(value, str) else value[0]

    translated = {first(m.id) for m in catalogue if m.id and first(m.string) and not m.fuzzy}
    missing = sorted(in_code - translated)
    assert not missing, f"run `make messages` and translate: {missing}"


def test_a_language_chosen_before_logging_in_is_kept_after(app, user_factory, db):
    from tests.support.auth import AuthActions

    user = user_factory(email="a@example.vn", locale="vi")
    visitor = app.test_client()
    visitor.set_cookie("lang", "en")
    AuthActions(visitor).login("a@example.vn")
    assert "Log out" in visitor.get("/").get_data(as_text=True)
    db.session.refresh(user)
    assert user.locale == "en"


def test_money_per_unit_carries_the_unit_after_the_dong_sign():
    assert format_vnd(48_000, "kg") == "48.000 ₫/kg"
    assert format_vnd(1_250_000) == "1.250.000 ₫"
    assert format_vnd(500) == "500 ₫"
