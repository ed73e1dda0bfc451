"""Fifty people and runs hitting the same listing and orders at once, on
PostgreSQL: every request either does its thing or is refused politely, and
afterwards nothing is over-promised (checked in SQL)."""
from __future__ import annotations

import random
import threading
import traceback
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from marketplace.app import create_app
from marketplace.core.clock import local_today, utcnow
from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.listings.services import input_from_listing, update_listing
from marketplace.matches import direct, lifecycle, offers, runs
from marketplace.matches.offers import OfferTerms
from marketplace.models import DemandOrder, Listing, Match, RunTrigger, User
from marketplace.models.user import Role
from marketplace.orders.services import input_from_order, update_order
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.invariants import broken_invariants

THREADS = 50
ROUNDS = 4
# What a person may be told when someone else got there first; anything else is a 500.
REFUSALS = (WrongState, InvalidInput, NotAllowed)


@pytest.fixture
def crowd_app(service_env):
    """One connection per thread, so the fifty really run at once."""
    app = create_app({"TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": {
        "pool_pre_ping": True, "pool_size": THREADS + 5, "max_overflow": 10, "pool_timeout": 60}})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


class Crowd:
    """Ids only cross threads; each request loads what it needs in its own session."""

    def __init__(self, app, seed: int, kinds: list[str], threads: int = THREADS):
        self.app = app
        self.threads = threads
        self.kinds = kinds
        self.rng = random.Random(seed)
        self.producer = UserFactory(role=Role.PRODUCER).id
        self.distributors = [UserFactory(role=Role.DISTRIBUTOR).id for _ in range(4)]
        self.admin = UserFactory(role=Role.ADMIN).id
        self.listings = [ListingFactory(producer_id=self.producer, quantity=q, min_order_quantity=1).id
                         for q in (1000, 400)]
        self.orders = [OrderFactory(distributor_id=d, quantity=300).id for d in self.distributors]
        self.unexpected: list[str] = []
        self.refused = 0
        self.done = 0
        self.lock = threading.Lock()

    def match_ids(self) -> list[int]:
        return list(db.session.scalars(select(Match.id).order_by(Match.id)))

    def request(self, match_ids: list[int]):
        """One person's (or one run's) request, picked at random."""
        rng = self.rng
        kind = rng.choice(self.kinds)
        match_id = rng.choice(match_ids) if match_ids else None
        listing_id, order_id = rng.choice(self.listings), rng.choice(self.orders)
        quantity = rng.randint(50, 1500)
        change = rng.randint(-120, 150)
        side = rng.random()

        def act():
            if kind == "run":
                runs.run_inline(RunTrigger.CLI, category="food.rice")
                return
            if kind == "expire":
                # The sweep, as if the proposals' time were up: it races the answers to them.
                lifecycle.expire_stale(now=utcnow() + timedelta(hours=100))
                return
            if kind == "edit_listing":
                listing = db.session.get(Listing, listing_id)
                update_listing(listing, replace(input_from_listing(listing), quantity=quantity), local_today())
                return
            if kind == "edit_order":
                order = db.session.get(DemandOrder, order_id)
                update_order(order, replace(input_from_order(order), quantity=max(1, quantity // 3)), local_today())
                return
            if match_id is None:
                return
            match = db.session.get(Match, match_id)
            party = db.session.get(User, match.producer_id if side < 0.5 else match.distributor_id)
            if kind == "approve":
                lifecycle.approve(match, db.session.get(User, self.admin))
            elif kind == "accept":
                lifecycle.accept(match, party)
            elif kind == "decline":
                lifecycle.decline(match, party, "Không kịp giao")
            elif kind == "cancel":
                actor = db.session.get(User, self.admin) if side < 0.2 else party
                lifecycle.cancel(match, actor, "Đổi kế hoạch")
            elif kind == "fulfil":
                lifecycle.fulfil(match, db.session.get(User, match.distributor_id))
            elif kind == "offer":
                # Near the current terms, so most offers could go through and some need more stock.
                offers.make_offer(match, party, OfferTerms(max(1, match.quantity + change), 20000 + change * 10))
            elif kind in ("accept_offer", "decline_offer"):
                pending = offers.open_offer(match)
                if pending is None:
                    return
                answering = db.session.get(User, match.distributor_id if pending.by_party == "producer"
                                           else match.producer_id)
                answer = offers.accept_offer if kind == "accept_offer" else offers.decline_offer
                answer(match, pending, answering)
            elif kind == "ship":
                lifecycle.ship(match, db.session.get(User, match.producer_id),
                               lifecycle.ShipmentInput(max(1, match.quantity // 2), local_today()))
            elif kind == "receive":
                lifecycle.fulfil(match, db.session.get(User, match.distributor_id),
                                 max(1, match.shipped_quantity - abs(change) // 3) if match.shipped_quantity else None)
            elif kind == "direct":
                direct.offer_to_supply(db.session.get(User, self.producer), order_id, listing_id,
                                       min(quantity, 300), 30000)

        return kind, act

    def run_round(self) -> None:
        match_ids = self.match_ids()
        db.session.rollback()
        requests = [self.request(match_ids) for _ in range(self.threads)]
        start = threading.Barrier(self.threads)

        def worker(kind, act):
            with self.app.app_context():
                start.wait()
                try:
                    act()
                    outcome = "done"
                except REFUSALS:
                    outcome = "refused"
                except Exception:
                    outcome = f"{kind}: {traceback.format_exc(limit=-6)}"
                finally:
                    db.session.rollback()
                    db.session.remove()
            with self.lock:
                if outcome == "done":
                    self.done += 1
                elif outcome == "refused":
                    self.refused += 1
                else:
                    self.unexpected.append(outcome)

        threads = [threading.Thread(target=worker, args=request) for request in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a request hung"


ANSWERS_EDITS_RUNS = ["approve", "approve", "accept", "accept", "accept", "decline", "cancel", "fulfil",
                      "edit_listing", "edit_order", "run", "run"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_fifty_concurrent_answers_edits_and_runs_never_over_promise(crowd_app, service_env, seed, postgres_server):
    race(crowd_app, service_env, seed, ANSWERS_EDITS_RUNS, postgres_server)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_expiry_sweep_racing_answers_and_runs_never_deadlocks(crowd_app, service_env, seed, postgres_server):
    """expire_stale closes up to 200 matches in one transaction, locking a
    match, its listing and its order, then the next match: a person declining
    that next match holds it and waits for the same listing."""
    race(crowd_app, service_env, seed, ANSWERS_EDITS_RUNS + ["expire"] * 2, postgres_server)


NEGOTIATION = ["offer", "offer", "offer", "accept_offer", "accept_offer", "accept_offer", "decline_offer",
               "accept", "decline", "approve", "direct", "run", "run"]


@pytest.mark.parametrize("seed", [1, 2])
def test_twenty_people_bargaining_on_one_listing_while_runs_go_on_never_over_promise(
        crowd_app, service_env, seed, postgres_server):
    """Counter-offers raise and lower what matches hold, on matches that
    share the same listings, while runs, answers and the expiry sweep go on."""
    race(crowd_app, service_env, seed, NEGOTIATION, postgres_server, threads=20)
    answered = dict(db.session.execute(text("SELECT status, count(*) FROM offers GROUP BY status")).all())
    assert answered.get("accepted", 0) > 0 and sum(answered.values()) > answered["accepted"], answered


DELIVERIES = ["approve", "accept", "accept", "accept", "ship", "ship", "ship", "receive", "receive", "cancel",
              "cancel", "run"]


@pytest.mark.parametrize("seed", [1, 2])
def test_shipments_receipts_and_cancellations_racing_never_over_promise(crowd_app, service_env, seed,
                                                                       postgres_server):
    """Partial receipts release the rest while shipments and cancellations hit the same matches."""
    # Few matches, each shipped or received once: most requests find theirs already moved on.
    race(crowd_app, service_env, seed, DELIVERIES, postgres_server, threads=20, confirmed=True, min_done=8)
    delivered = db.session.execute(text(
        "SELECT count(*) FILTER (WHERE status = 'fulfilled' AND received_quantity < quantity), "
        "count(*) FILTER (WHERE status = 'shipped') FROM matches")).one()
    assert delivered[0] > 0 or delivered[1] > 0, delivered


def deadlocks_in_log(postgres_server) -> str:
    """The statements PostgreSQL names in its deadlock reports: what waited for what."""
    log = Path(postgres_server.datadir).parent / "server.log"
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines()
             if "deadlock detected" in line or line.strip().startswith("Process ")]
    return "\n\nPostgreSQL server log:\n" + "\n".join(line[:220] for line in lines[-40:])


def race(crowd_app, service_env, seed, kinds, postgres_server, threads: int = THREADS, confirmed: bool = False,
         min_done: int | None = None):
    url = service_env["DATABASE_URL"]
    crowd = Crowd(crowd_app, seed, kinds, threads)
    first = runs.run_inline(RunTrigger.CLI, category="food.rice")
    assert first.matches >= 4
    for match in db.session.scalars(select(Match)).all():
        lifecycle.approve(match, db.session.get(User, crowd.admin))
        if confirmed:  # both sides accepted: the race is about what comes after
            for party in (match.producer_id, match.distributor_id):
                lifecycle.accept(db.session.get(Match, match.id), db.session.get(User, party))

    for round_number in range(ROUNDS):
        crowd.run_round()
        assert crowd.unexpected == [], (f"round {round_number}:\n" + "\n".join(crowd.unexpected)
                                        + deadlocks_in_log(postgres_server))
        assert broken_invariants(url) == {}, f"round {round_number}"
    # The crowd did get things done, and was refused some: the test raced for real.
    assert crowd.done > (threads if min_done is None else min_done) and crowd.refused > 0


def all_at_once(app, acts, unexpected: list[str]) -> None:
    """Starts every act in its own thread at the same moment; what is not a
    polite refusal is added to ``unexpected``."""
    start = threading.Barrier(len(acts))

    def worker(act):
        with app.app_context():
            start.wait()
            try:
                act()
            except REFUSALS:
                pass
            except Exception:
                unexpected.append(traceback.format_exc(limit=-3))
            finally:
                db.session.rollback()
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(act,)) for act in acts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an act hung"


# Closings where one listing has twelve live matches (the others: one order has).
LISTING_SIDE = ("remove_listing", "take_down_listing", "suspend_producer")


@pytest.mark.parametrize("closing", ["remove_listing", "cancel_order", "take_down_listing", "take_down_order",
                                     "suspend_producer"])
def test_closing_a_listing_or_order_while_its_matches_are_answered_never_deadlocks(crowd_app, service_env,
                                                                                      closing, postgres_server):
    """cancel_open_matches ends every live match of the row in the caller's
    transaction, after the row itself is updated: row, then match after
    match. A party declining one of those matches holds the match and then
    waits for the same row. An admin's takedown and suspension close the same
    way, the suspension over every listing of the account."""
    from marketplace.admin.accounts.services import suspend_user
    from marketplace.admin.accounts.takedown import take_down_listing, take_down_order
    from marketplace.listings.services import remove_listing
    from marketplace.orders.services import cancel_order

    url = service_env["DATABASE_URL"]
    unexpected: list[str] = []
    for attempt in range(4):
        producer = UserFactory(role=Role.PRODUCER)
        distributor = UserFactory(role=Role.DISTRIBUTOR)
        admin = UserFactory(role=Role.ADMIN)
        if closing in LISTING_SIDE:
            target = ListingFactory(producer=producer, quantity=5000, min_order_quantity=1).id
            for _ in range(12):
                OrderFactory(distributor=distributor, quantity=100)
        else:
            target = OrderFactory(distributor=distributor, quantity=1200).id
            for _ in range(12):
                ListingFactory(producer=producer, quantity=100, min_order_quantity=1)
        runs.run_inline(RunTrigger.CLI, category="food.rice")
        match_ids = list(db.session.scalars(select(Match.id).where(Match.status == "proposed")))
        assert len(match_ids) == 12
        for match_id in match_ids:
            lifecycle.approve(db.session.get(Match, match_id), admin)
        ids = (producer.id, distributor.id, target, admin.id)
        db.session.rollback()

        def close(ids=ids):
            staff = db.session.get(User, ids[3])
            if closing == "remove_listing":
                remove_listing(db.session.get(Listing, ids[2]), db.session.get(User, ids[0]))
            elif closing == "cancel_order":
                cancel_order(db.session.get(DemandOrder, ids[2]), db.session.get(User, ids[1]))
            elif closing == "take_down_listing":
                take_down_listing(db.session.get(Listing, ids[2]), staff, "Hàng giả")
            elif closing == "take_down_order":
                take_down_order(db.session.get(DemandOrder, ids[2]), staff, "Đơn ảo")
            else:
                suspend_user(db.session.get(User, ids[0]), staff, "Gian lận")

        def decline(match_id, ids=ids):
            def act():
                lifecycle.decline(db.session.get(Match, match_id), db.session.get(User, ids[1]), "Thôi")
            return act

        all_at_once(crowd_app, [close] + [decline(m) for m in match_ids], unexpected)
        assert broken_invariants(url) == {}, f"attempt {attempt}"
        # The closing went through whoever raced it: nothing of it is left live.
        live = ("SELECT count(*) FROM matches WHERE status IN ('proposed', 'approved', 'confirmed') AND "
                + ("listing_id = :target" if closing in LISTING_SIDE else "order_id = :target"))
        assert db.session.execute(text(live), {"target": target}).scalar() == 0, f"attempt {attempt}"
        db.session.execute(text("UPDATE listings SET status = 'removed'"))
        db.session.execute(text("UPDATE demand_orders SET status = 'cancelled'"))
        db.session.commit()
    assert unexpected == [], "\n".join(unexpected) + deadlocks_in_log(postgres_server)


def test_a_suspension_racing_match_runs_leaves_the_account_nothing_live(crowd_app, service_env, postgres_server):
    """Runs load the account's listings before the suspension commits and
    write after it, or write first and commit while it waits: either way no
    live match of the suspended account is left, nothing over-promised."""
    from marketplace.admin.accounts.services import suspend_user

    url = service_env["DATABASE_URL"]
    unexpected: list[str] = []
    for attempt in range(5):
        producer = UserFactory(role=Role.PRODUCER)
        distributor = UserFactory(role=Role.DISTRIBUTOR)
        admin = UserFactory(role=Role.ADMIN)
        for _ in range(10):
            ListingFactory(producer=producer, quantity=100, min_order_quantity=1)
            OrderFactory(distributor=distributor, quantity=100)
        ids = (producer.id, admin.id)
        db.session.rollback()

        def suspend(ids=ids):
            suspend_user(db.session.get(User, ids[0]), db.session.get(User, ids[1]), "Gian lận")

        def run():
            runs.run_inline(RunTrigger.CLI, category="food.rice")

        all_at_once(crowd_app, [run, suspend, run, run], unexpected)
        assert unexpected == [], "\n".join(unexpected) + deadlocks_in_log(postgres_server)
        assert db.session.execute(text("SELECT status FROM users WHERE id = :i"), {"i": ids[0]}).scalar() == \
            "suspended"
        live = db.session.execute(text(
            "SELECT count(*) FROM matches WHERE producer_id = :i AND status IN ('proposed', 'approved', 'confirmed')"),
            {"i": ids[0]}).scalar()
        assert live == 0, f"attempt {attempt}"
        assert broken_invariants(url) == {}, f"attempt {attempt}"
        db.session.execute(text("UPDATE listings SET status = 'removed'"))
        db.session.execute(text("UPDATE demand_orders SET status = 'cancelled'"))
        db.session.commit()

