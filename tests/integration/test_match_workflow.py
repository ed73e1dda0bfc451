"""The matching workflow on real PostgreSQL, Redis and Celery worker processes,
as the people using it see it: a listing and an order become a proposal on
their own, the proposal goes to fulfilled, an admin's full run is shared by
the workers, an edit during a run never over-promises, expired proposals
give their stock back to be matched again, and a broker outage loses no
trigger."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import replace
from datetime import timedelta

import redis as redis_lib
from sqlalchemy import select

from marketplace.core.clock import local_today, utcnow
from marketplace.core.extensions import db
from marketplace.core.outbox import OutboxMessage
from marketplace.listings.services import ListingInput, create_listing, input_from_listing, update_listing
from marketplace.matches import lifecycle, runs
from marketplace.matches.loading import excluded_pairs, load_demands, load_supplies
from marketplace.matches.proposals import write_proposals
from marketplace.matching import MatchConfig, match
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, RunStatus, RunTrigger
from marketplace.models.user import Role
from marketplace.orders.services import OrderInput, create_order, input_from_order, update_order
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.invariants import broken_invariants, sql
from tests.support.servers import free_port, wait_for


def rice_listing(producer, **changes):
    data = ListingInput(title="Gạo ST25 vụ mới", category="food.rice", unit="kg", quantity=2000,
                        unit_price=32_000, province="can-tho", min_order_quantity=100, stars=4)
    return create_listing(producer, replace(data, **changes), local_today())


def rice_order(distributor, **changes):
    data = OrderInput(title="Cần mua gạo ST25", category="food.rice", unit="kg", quantity=1000,
                      max_unit_price=35_000, delivery_province="ho-chi-minh", min_stars=3)
    return create_order(distributor, replace(data, **changes), local_today())


def live_matches(url: str) -> list:
    return sql(url, "SELECT id, listing_id, order_id, quantity, status FROM matches "
                    "WHERE status IN ('proposed', 'approved', 'confirmed') ORDER BY id")


def test_a_listing_and_an_order_go_from_posted_to_fulfilled(match_app, match_env, start_worker):
    url = match_env["DATABASE_URL"]
    producer, distributor = UserFactory(role=Role.PRODUCER), UserFactory(role=Role.DISTRIBUTOR)
    admin = UserFactory(role=Role.ADMIN)
    worker = start_worker(match_env)

    listing = rice_listing(producer)
    order = rice_order(distributor)
    listing_id, order_id = listing.id, order.id
    # Nobody starts a run: the edits' debounced trigger reaches the worker through the outbox and Redis.
    proposal = wait_for(lambda: sql(url, "SELECT id, quantity, unit_price, status FROM matches"),
                        timeout=60, message=f"a proposal\n{worker.output()}")
    assert [tuple(row)[1:] for row in proposal] == [(1000, 32_000, "proposed")]
    assert sql(url, "SELECT trigger, status FROM match_runs WHERE matches > 0") == [("change", "done")]
    assert sql(url, "SELECT reserved_quantity, status FROM listings") == [(1000, "active")]
    assert sql(url, "SELECT reserved_quantity, status FROM demand_orders") == [(1000, "matched")]

    db.session.expire_all()
    found = db.session.get(Match, proposal[0].id)
    lifecycle.approve(found, admin)
    lifecycle.accept(found, producer)
    lifecycle.accept(found, distributor)
    assert found.status == MatchStatus.CONFIRMED
    lifecycle.fulfil(found, distributor)

    assert sql(url, "SELECT status, fulfilled_at IS NOT NULL FROM matches") == [("fulfilled", True)]
    assert sql(url, "SELECT quantity, reserved_quantity, sold_quantity, status FROM listings WHERE id = :i",
               i=listing_id) == [(1000, 0, 1000, "active")]
    assert sql(url, "SELECT quantity, reserved_quantity, fulfilled_quantity, status FROM demand_orders "
                    "WHERE id = :i", i=order_id) == [(1000, 0, 1000, "fulfilled")]
    actions = [row[0] for row in sql(url, "SELECT action FROM audit_logs WHERE target_type IN ('match', 'match_run') "
                                          "ORDER BY id")]
    assert actions == ["match_run.proposed", "match.approved", "match.accepted", "match.accepted",
                       "match.confirmed", "match.fulfilled"]
    assert broken_invariants(url) == {}


def test_an_admin_full_run_is_shared_by_two_workers(match_app, match_env, start_worker):
    url = match_env["DATABASE_URL"]
    producer, distributor = UserFactory(role=Role.PRODUCER), UserFactory(role=Role.DISTRIBUTOR)
    admin = UserFactory(role=Role.ADMIN)
    categories = ["food.rice", "food.honey", "beverages.tea", "beverages.coffee", "food.fish_sauce"]
    for n, category in enumerate(categories):
        for k in range(3):
            ListingFactory(producer=producer, category=category, quantity=500 + 100 * k, min_order_quantity=1)
            OrderFactory(distributor=distributor, category=category, quantity=300 + 50 * (n + k))
    start_worker(match_env)
    start_worker(match_env)

    run = runs.start_run(RunTrigger.ADMIN, requested_by=admin, dispatch=True)
    run_id = run.id
    assert run.parts_total == len(categories)
    # The relay thread publishes the dispatch message after the commit; the workers do the rest.
    wait_for(lambda: sql(url, "SELECT 1 FROM match_runs WHERE id = :i AND status IN ('done', 'failed')", i=run_id),
             timeout=90, message="the run to finish")

    parts = sql(url, "SELECT category, status, attempts, matches, quantity FROM match_run_parts "
                     "WHERE run_id = :i ORDER BY category", i=run_id)
    assert [(p.category, p.status) for p in parts] == [(c, "done") for c in sorted(categories)]
    (figures,) = sql(url, "SELECT status, parts_done, parts_total, matches, quantity FROM match_runs WHERE id = :i",
                     i=run_id)
    assert (figures.status, figures.parts_done, figures.parts_total) == ("done", 5, 5)
    assert figures.matches == sum(p.matches for p in parts) >= 15
    # Every category has more on offer than its orders want: each order is filled.
    assert figures.quantity == sum(p.quantity for p in parts) == 5 * 1050 + 150 * (0 + 1 + 2 + 3 + 4)
    assert sql(url, "SELECT count(*), sum(quantity) FROM matches WHERE run_id = :i", i=run_id) == [
        (figures.matches, figures.quantity)]
    assert sql(url, "SELECT published_at IS NOT NULL, consumed_at IS NOT NULL FROM outbox_messages "
                    "WHERE task = 'matching.dispatch_run'") == [(True, True)]
    assert broken_invariants(url) == {}


def test_an_edit_between_load_and_write_drops_the_stale_allocations(pg_app, service_env):
    """The run read the listing and the order before their owners changed
    them; what the run wanted on them is dropped, the rest is written."""
    url = service_env["DATABASE_URL"]
    producer, distributor = UserFactory(role=Role.PRODUCER), UserFactory(role=Role.DISTRIBUTOR)
    edited, steady = ListingFactory(producer=producer, quantity=600), ListingFactory(producer=producer, quantity=600)
    for _ in range(2):
        OrderFactory(distributor=distributor, quantity=500)
    edited_order = OrderFactory(distributor=distributor, quantity=100)
    today = local_today()

    run = runs.start_run(RunTrigger.CLI, category="food.rice")
    supplies, listing_sides = load_supplies("food.rice", today)
    demands, order_sides = load_demands("food.rice", today)
    result = match(supplies, demands, now=today, config=MatchConfig(),
                   excluded_pairs=excluded_pairs("food.rice"))
    db.session.rollback()
    assert {a.supply_id for a in result.allocations} == {edited.id, steady.id}
    assert edited_order.id in {a.demand_id for a in result.allocations}

    # The owners' edits commit while the engine's answer is in flight.
    listing = db.session.get(Listing, edited.id)
    update_listing(listing, replace(input_from_listing(listing), quantity=150), today)
    order = db.session.get(DemandOrder, edited_order.id)
    update_order(order, replace(input_from_order(order), quantity=80), today)

    written = write_proposals(result.allocations, run_id=run.id, listings=listing_sides, orders=order_sides,
                              expires_at=utcnow() + timedelta(hours=1))["food.rice"]
    db.session.commit()
    on_stale_side = [a for a in result.allocations
                     if a.supply_id == edited.id or a.demand_id == edited_order.id]
    assert on_stale_side and written.stale == len(on_stale_side)
    assert written.matches == len(result.allocations) - len(on_stale_side)
    rows = sql(url, "SELECT listing_id, order_id FROM matches")
    assert len(rows) == written.matches
    assert all(listing_id != edited.id and order_id != edited_order.id for listing_id, order_id in rows)
    assert sql(url, "SELECT quantity, reserved_quantity FROM listings WHERE id = :i", i=edited.id) == [(150, 0)]
    assert sql(url, "SELECT quantity, reserved_quantity FROM demand_orders WHERE id = :i",
               i=edited_order.id) == [(80, 0)]
    assert broken_invariants(url) == {}

    # The edited rows are matched by the next run, at their new figures.
    again = runs.run_inline(RunTrigger.CLI, category="food.rice")
    assert again.stale == 0 and again.matches > 0
    assert broken_invariants(url) == {}


def test_a_run_on_a_listing_edited_during_the_run_never_over_promises(pg_app, service_env, monkeypatch):
    """The same race through run_part itself: the edit commits while the part
    holds its category lock (between load and write), from another session."""
    import threading

    url = service_env["DATABASE_URL"]
    app = pg_app
    producer, distributor = UserFactory(role=Role.PRODUCER), UserFactory(role=Role.DISTRIBUTOR)
    listing_id = ListingFactory(producer=producer, quantity=1000).id
    for _ in range(3):
        OrderFactory(distributor=distributor, quantity=400)
    original = runs.write_proposals

    def edit_then_write(*args, **kwargs):
        def shrink():
            with app.app_context():
                listing = db.session.get(Listing, listing_id)
                update_listing(listing, replace(input_from_listing(listing), quantity=300), local_today())
        editor = threading.Thread(target=shrink)
        editor.start()
        editor.join(timeout=30)
        return original(*args, **kwargs)

    monkeypatch.setattr(runs, "write_proposals", edit_then_write)
    run = runs.run_inline(RunTrigger.CLI, category="food.rice")
    monkeypatch.undo()
    assert (run.status, run.matches, run.stale) == (RunStatus.DONE, 0, 3)
    assert sql(url, "SELECT quantity, reserved_quantity, revision FROM listings") == [(300, 0, 2)]
    assert broken_invariants(url) == {}
    again = runs.run_inline(RunTrigger.CLI, category="food.rice")
    assert (again.stale, again.quantity) == (0, 300)
    assert broken_invariants(url) == {}


def test_expired_proposals_release_their_stock_and_it_is_matched_again(match_app, match_env, start_worker):
    url = match_env["DATABASE_URL"]
    producer, distributor = UserFactory(role=Role.PRODUCER), UserFactory(role=Role.DISTRIBUTOR)
    ListingFactory(producer=producer, quantity=2000)
    OrderFactory(distributor=distributor, quantity=1000)
    first = runs.run_inline(RunTrigger.CLI, category="food.rice")
    assert first.matches == 1
    start_worker(match_env)

    expired = lifecycle.expire_stale(now=utcnow() + timedelta(hours=73))
    assert expired == 1
    assert sql(url, "SELECT status FROM matches") == [("expired",)]
    # Released at once, before any run: nothing is promised any more.
    assert sql(url, "SELECT reserved_quantity FROM listings") == [(0,)]
    assert sql(url, "SELECT reserved_quantity, status FROM demand_orders") == [(0, "open")]

    # The expiry asked for a run of the category; the worker proposes the same quantity again.
    wait_for(lambda: sql(url, "SELECT 1 FROM matches WHERE status = 'proposed'"), timeout=60,
             message="a new proposal after the expiry")
    assert sql(url, "SELECT status, quantity FROM matches ORDER BY id") == [("expired", 1000), ("proposed", 1000)]
    assert sql(url, "SELECT trigger FROM match_runs WHERE matches > 0 ORDER BY id") == [("cli",), ("change",)]
    assert sql(url, "SELECT reserved_quantity FROM listings") == [(1000,)]
    assert broken_invariants(url) == {}


def test_a_broker_outage_neither_hangs_an_edit_nor_loses_its_trigger(service_env, monkeypatch, tmp_path):
    from marketplace.app import create_app
    from marketplace.core.outbox import publish_due

    port = free_port()  # nothing listens here yet: the broker is down
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{port}/0")
    app = create_app({"TESTING": True})
    broker = None
    with app.app_context():
        try:
            producer = UserFactory(role=Role.PRODUCER)
            started = time.monotonic()
            listing = rice_listing(producer)
            assert time.monotonic() - started < 2
            listing = db.session.get(Listing, listing.id)
            started = time.monotonic()
            update_listing(listing, replace(input_from_listing(listing), quantity=2500), local_today())
            assert time.monotonic() - started < 2

            def waiting():
                db.session.expire_all()
                rows = db.session.scalars(select(OutboxMessage)).all()
                db.session.rollback()
                return rows
            # The relay thread tried, failed and kept the row.
            wait_for(lambda: any(m.attempts >= 1 for m in waiting()), timeout=30, message="a failed publish")
            rows = waiting()
            assert [(m.task, m.published_at) for m in rows] == [("matching.category_changed", None)]

            broker = subprocess.Popen(
                [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(lambda: _listens(port), timeout=20, message="redis to listen")
            back = time.monotonic()
            # publish_due skips a row the relay thread holds while it retries the
            # broker: whichever of the two gets through publishes it, once.
            wait_for(lambda: publish_due() or all(m.published_at for m in waiting()), timeout=30,
                     message="the message published")
            print(f"published {time.monotonic() - back:.1f} s after the broker came back")
            assert [m.published_at is not None for m in waiting()] == [True]
            queued = redis_lib.Redis(port=port).llen("celery")
            assert queued == 1
        finally:
            db.session.remove()
            db.engine.dispose()
            if broker is not None:
                broker.terminate()
                broker.wait(timeout=10)


def _listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_a_part_delivered_three_times_to_two_workers_is_written_once(pg_app, service_env, start_worker):
    from workers.matching import run_part

    url = service_env["DATABASE_URL"]
    producer, distributor = UserFactory(role=Role.PRODUCER), UserFactory(role=Role.DISTRIBUTOR)
    for _ in range(20):
        ListingFactory(producer=producer, quantity=300, min_order_quantity=1)
        OrderFactory(distributor=distributor, quantity=250)
    run_id = runs.start_run(RunTrigger.ADMIN, category="food.rice").id
    start_worker(service_env)
    start_worker(service_env)
    # A redelivered message and a stuck-part requeue arrive while the first is still running.
    results = [run_part.delay(run_id, "food.rice") for _ in range(3)]
    outcomes = [result.get(timeout=90) for result in results]

    # Exactly one of the three deliveries did the work; the others found it done.
    assert sorted(outcome["finished_parts"] for outcome in outcomes) == [0, 0, 1]
    (run,) = sql(url, "SELECT status, parts_done, parts_total, matches, quantity FROM match_runs")
    assert (run.status, run.parts_done, run.parts_total) == ("done", 1, 1)
    assert run.matches >= 20 and run.quantity == 20 * 250
    assert sql(url, "SELECT count(*), sum(quantity) FROM matches") == [(run.matches, run.quantity)]
    # The part's proposals are audited once, by the run that wrote them.
    assert sql(url, "SELECT count(*), sum(CAST(details->>'matches' AS integer)) FROM audit_logs "
                    "WHERE action = 'match_run.proposed'") == [(1, run.matches)]
    assert broken_invariants(url) == {}


def test_a_burst_of_edits_gives_one_run_of_the_category(match_app, match_env, start_worker):
    url = match_env["DATABASE_URL"]
    producer, distributor = UserFactory(role=Role.PRODUCER), UserFactory(role=Role.DISTRIBUTOR)
    listing = rice_listing(producer)
    rice_order(distributor)
    for quantity in (2100, 2200, 2300, 2400):
        listing = db.session.get(Listing, listing.id)
        update_listing(listing, replace(input_from_listing(listing), quantity=quantity), local_today())
    # Six changes inside the one-second window fold into one waiting message.
    assert sql(url, "SELECT count(*) FROM outbox_messages WHERE task = 'matching.category_changed'") == [(1,)]
    start_worker(match_env)
    wait_for(lambda: sql(url, "SELECT 1 FROM match_runs WHERE status = 'done'"), timeout=60, message="the run")
    time.sleep(2)  # room for a second run, if the burst had asked for one
    assert sql(url, "SELECT trigger, matches, quantity FROM match_runs") == [("change", 1, 1000)]
    assert broken_invariants(url) == {}
