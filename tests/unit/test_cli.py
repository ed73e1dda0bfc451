"""The command line: create-admin, seed-demo, and ``flask match`` and
``flask bench-match`` on SQLite: what an operator sees and what lands in the
database."""
from sqlalchemy import func, select

from marketplace.core.extensions import db
from marketplace.demo import DEMO_ACCOUNTS, DEMO_ADMIN, DEMO_PASSWORD
from marketplace.models import DemandOrder, Listing, Match, MatchRun, MatchStatus, RunStatus, RunTrigger, User
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, OrderFactory


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


def test_match_runs_every_live_category_and_prints_the_figures(runner, rice, producer, distributor):
    ListingFactory(producer=producer, category="beverages.tea", unit="kg", unit_price=200_000, quantity=50,
                   min_order_quantity=1)
    OrderFactory(distributor=distributor, category="beverages.tea", unit="kg", max_unit_price=250_000,
                 quantity=40)
    result = runner.invoke(args=["match"])
    assert result.exit_code == 0, result.output
    run = db.session.scalars(select(MatchRun)).one()
    assert (run.trigger, run.status, run.parts_total, run.parts_done) == (RunTrigger.CLI, RunStatus.DONE, 2, 2)
    assert (run.matches, run.quantity) == (2, 1040)
    assert "Matching" in result.output and "2/2" in result.output
    assert f"Run {run.id} done: 2/2 categories, 2 listings × 2 orders" in result.output
    assert "Proposed 2 matches for 1,040 units" in result.output
    assert "Load " in result.output and "engine " in result.output and "write " in result.output
    assert db.session.scalar(select(func.count(Match.id)).where(Match.status == MatchStatus.PROPOSED)) == 2


def test_match_with_a_category_leaves_the_others_alone(runner, rice, producer, distributor):
    ListingFactory(producer=producer, category="beverages.tea", unit="kg", unit_price=200_000)
    OrderFactory(distributor=distributor, category="beverages.tea", unit="kg", max_unit_price=250_000)
    result = runner.invoke(args=["match", "--category", "beverages.tea"])
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Match.category)).all() == ["beverages.tea"]
    assert "1/1 categories" in result.output


def test_match_with_nothing_to_match_says_so_and_succeeds(runner, app):
    result = runner.invoke(args=["match"])
    assert result.exit_code == 0, result.output
    assert "0/0 categories" in result.output and "Proposed 0 matches for 0 units" in result.output


def test_a_second_match_proposes_nothing_new(runner, rice):
    runner.invoke(args=["match"])
    result = runner.invoke(args=["match"])
    assert "Proposed 0 matches" in result.output
    assert db.session.scalar(select(func.count(Match.id))) == 1


def test_bench_match_seeds_a_synthetic_marketplace_and_times_a_run(runner, app):
    result = runner.invoke(args=["bench-match", "--size", "300", "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Listing.id))) == 300
    assert db.session.scalar(select(func.count(DemandOrder.id))) == 300
    run = db.session.scalars(select(MatchRun)).one()
    assert run.status == RunStatus.DONE and run.matches > 0
    assert run.matches == db.session.scalar(select(func.count(Match.id)))
    assert "Added 300 listings and 300 orders" in result.output
    assert f"proposed {run.matches:,} matches" in result.output
    assert "load " in result.output and "total / target 12 s" in result.output


def test_bench_match_asks_first_and_adds_nothing_when_refused(runner, app):
    result = runner.invoke(args=["bench-match", "--size", "10"], input="n\n")
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count(Listing.id))) == 0


def test_bench_match_refuses_production(runner, app):
    app.config["APP_ENV"] = "production"
    result = runner.invoke(args=["bench-match", "--size", "10", "--yes"])
    assert result.exit_code != 0 and "development databases only" in result.output
    assert db.session.scalar(select(func.count(Listing.id))) == 0
