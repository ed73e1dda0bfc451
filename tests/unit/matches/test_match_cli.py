"""``flask match`` and ``flask bench-match`` on SQLite: what an operator sees
and what lands in the database."""
from sqlalchemy import func, select

from marketplace.core.extensions import db
from marketplace.models import DemandOrder, Listing, Match, MatchRun, MatchStatus, RunStatus, RunTrigger
from tests.factories import ListingFactory, OrderFactory


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
