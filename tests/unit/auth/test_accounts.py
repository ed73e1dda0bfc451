"""Registration, login and logout through the real forms."""
from sqlalchemy import func, select

from marketplace.models import Profile, User
from marketplace.models.user import Role, UserStatus
from tests.support.factories import DEFAULT_PASSWORD


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_producer_registers_confirms_the_email_and_logs_in(auth, client, db):
    response = auth.register()
    assert response.status_code == 302 and response.location == "/auth/registered"
    user = db.session.scalar(select(User))
    assert user.email == "htx.muoi@example.vn"
    assert user.role is Role.PRODUCER
    # "Bạc Liêu" joined Cà Mau in 2025: the profile stores the unit it resolves to.
    assert user.profile.province_code == "ca-mau"
    assert user.profile.phone == "0912345678"
    assert user.password_hash.startswith("$argon2id$")
    assert user.email_confirmed_at is None       # until the e-mailed link is opened: tests/unit/auth/test_signup.py
    assert "HTX Muối Bạc Liêu" not in client.get("/").get_data(as_text=True)
    assert auth.login("htx.muoi@example.vn", "nuoc-mam-2026").status_code == 302   # unconfirmed may sign in
    assert "HTX Muối Bạc Liêu" in client.get("/").get_data(as_text=True)


def test_distributor_registration_drops_the_ocop_number(auth, db):
    auth.register(role="distributor", email="mua@example.vn", ocop_certificate_no="X-1")
    user = db.session.scalar(select(User).where(User.email == "mua@example.vn"))
    assert user.role is Role.DISTRIBUTOR
    assert user.profile.ocop_certificate_no is None


def test_nobody_registers_as_admin_on_the_web(auth, db):
    response = auth.register(role="admin")
    assert response.status_code == 400
    assert count(db, User) == 0


def bad_registration(auth, db, **fields):
    response = auth.register(**fields)
    assert response.status_code == 400, response.status_code
    assert count(db, User) == 0 and count(db, Profile) == 0
    return response.get_data(as_text=True)


def test_malformed_email_is_a_form_error(auth, db):
    assert "valid e-mail" in bad_registration(auth, db, email="not-an-email")


def test_weak_passwords_are_refused_with_a_reason(auth, db):
    assert "at least 10 characters" in bad_registration(auth, db, password="short1")
    assert "letters with digits" in bad_registration(auth, db, password="onlyletterslong")
    assert "different characters" in bad_registration(auth, db, password="aaaa1111aaaa")


def test_duplicate_email_in_any_letter_case_makes_no_second_account_and_says_nothing(auth, client, db):
    first = auth.register(email="htx.muoi@example.vn")
    response = auth.register(email="HTX.Muoi@Example.VN")
    assert (response.status_code, response.location) == (first.status_code, first.location)
    assert count(db, User) == 1


def test_unknown_province_is_a_form_error(auth, db):
    assert "Unknown province" in bad_registration(auth, db, province="Atlantis")


def test_oversized_fields_are_form_errors_not_crashes(auth, db):
    bad_registration(auth, db, display_name="x" * 5000)
    bad_registration(auth, db, email=("a" * 300) + "@example.vn")
    bad_registration(auth, db, phone="0" * 500)
    bad_registration(auth, db, province="Cần Thơ" * 100)


def test_mismatched_password_confirmation(auth, db):
    assert "differ" in bad_registration(auth, db, confirm="something-else-1")


def test_login_and_logout(auth, client, user_factory):
    user = user_factory(email="nong.dan@example.vn")
    response = auth.login("NONG.DAN@example.vn")
    assert response.status_code == 302
    assert user.profile.display_name in client.get("/").get_data(as_text=True)
    auth.logout()
    assert user.profile.display_name not in client.get("/").get_data(as_text=True)


def test_wrong_password_says_so_without_saying_which_part(auth, user_factory):
    user_factory(email="nong.dan@example.vn")
    for email in ("nong.dan@example.vn", "nobody@example.vn"):
        response = auth.login(email, "wrong-password-1")
        assert response.status_code == 400
        assert "Wrong e-mail or password" in response.get_data(as_text=True)


def test_suspended_user_cannot_log_in(auth, client, user_factory):
    user = user_factory(email="bi.khoa@example.vn", status=UserStatus.SUSPENDED)
    response = auth.login("bi.khoa@example.vn")
    assert response.status_code == 400
    assert "suspended" in response.get_data(as_text=True)
    assert user.profile.display_name not in client.get("/").get_data(as_text=True)


def test_suspension_ends_an_existing_session(auth, client, db, user_factory):
    user = user_factory(email="bi.khoa@example.vn")
    auth.login("bi.khoa@example.vn")
    user.status = UserStatus.SUSPENDED
    db.session.commit()
    assert user.profile.display_name not in client.get("/").get_data(as_text=True)


def test_login_redirect_stays_on_this_site(auth, client, user_factory):
    user_factory(email="a@example.vn")
    token = auth.csrf()
    response = client.post("/auth/login?next=https://evil.example/", data={
        "email": "a@example.vn", "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"
