from sqlalchemy import select

from marketplace.demo import DEMO_ACCOUNTS, DEMO_ADMIN, DEMO_PASSWORD
from marketplace.models import User
from marketplace.models.user import Role


def test_create_admin_with_a_password_then_log_in(runner, auth, db):
    result = runner.invoke(args=["create-admin", "Admin@Example.vn", "--password", "quan-tri-2026"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.email == "admin@example.vn"))
    assert admin.role is Role.ADMIN and admin.profile is None
    assert auth.login("admin@example.vn", "quan-tri-2026").status_code == 302


def test_create_admin_prompts_for_a_hidden_password(runner, db):
    result = runner.invoke(args=["create-admin", "a@example.vn"], input="quan-tri-2026\nquan-tri-2026\n")
    assert result.exit_code == 0, result.output
    assert "quan-tri-2026" not in result.output


def test_create_admin_refuses_a_weak_password_and_stores_nothing(runner, db):
    result = runner.invoke(args=["create-admin", "a@example.vn", "--password", "123"])
    assert result.exit_code != 0
    assert "Weak password" in result.output
    assert db.session.scalar(select(User)) is None


def test_create_admin_will_not_turn_a_producer_into_an_admin(runner, user_factory, db):
    user_factory(email="p@example.vn")
    result = runner.invoke(args=["create-admin", "p@example.vn", "--password", "quan-tri-2026"])
    assert result.exit_code != 0
    assert db.session.scalar(select(User.role).where(User.email == "p@example.vn")) is Role.PRODUCER


def test_seed_demo_creates_logins_that_work_and_runs_only_once(runner, auth, db):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert DEMO_PASSWORD in first.output and DEMO_ADMIN in first.output
    provinces = {a.province for a in DEMO_ACCOUNTS}
    assert len(provinces) >= 5
    assert {a.role for a in DEMO_ACCOUNTS} == {Role.PRODUCER, Role.DISTRIBUTOR}
    for account in DEMO_ACCOUNTS[:2]:
        assert auth.login(account.email, DEMO_PASSWORD).status_code == 302
        auth.logout()

    from marketplace.models import DemandOrder, Listing
    listings = {l.title for l in db.session.scalars(select(Listing))}
    assert {"Nước mắm Phú Quốc 40 độ đạm", "Tôm khô Rạch Gốc loại 1", "Gạo ST25 ruộng tôm",
            "Mật ong bạc hà Mèo Vạc", "Chè Tân Cương đặc biệt", "Nón lá bài thơ Huế"} <= listings
    assert db.session.query(DemandOrder).count() >= 5

    count_before = len(db.session.scalars(select(User)).all())
    second = runner.invoke(args=["seed-demo"])
    assert "no demo data added" in second.output
    assert DEMO_ADMIN in second.output  # the logins are shown again
    assert len(db.session.scalars(select(User)).all()) == count_before


def test_seed_demo_never_touches_a_database_with_real_users(runner, user_factory, db):
    user_factory(email="real@example.vn")
    runner.invoke(args=["seed-demo"])
    assert [u.email for u in db.session.scalars(select(User))] == ["real@example.vn"]
