"""The admin area on real PostgreSQL, Redis and a Celery worker: the
auto-approval policy is applied by the worker that wrote the proposals, only
to those it allows, and switching it off stops it for the next run; the
parties hear of a policy approval like of an admin's."""
from __future__ import annotations

from marketplace.admin.moderation.policy import update_policy
from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.matches import runs
from marketplace.models import RunTrigger
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.invariants import broken_invariants, sql
from tests.support.servers import wait_for


def finished(url: str, run_id: int):
    return sql(url, "SELECT 1 FROM match_runs WHERE id = :i AND status IN ('done', 'failed')", i=run_id)


def test_the_worker_approves_by_policy_only_what_qualifies_and_stops_when_switched_off(
        match_app, match_env, start_worker):
    url = match_env["DATABASE_URL"]
    admin = UserFactory(role=Role.ADMIN)
    verified = UserFactory(role=Role.PRODUCER, profile__verified_at=utcnow(),
                           profile__ocop_certificate_no="OCOP-CT-1")
    unverified = UserFactory(role=Role.PRODUCER)
    buyer = UserFactory(role=Role.DISTRIBUTOR)
    trusted = ListingFactory(producer=verified, quantity=1000, min_order_quantity=1, category="food.honey",
                             unit="l", province_code="ho-chi-minh")
    ListingFactory(producer=unverified, quantity=1000, min_order_quantity=1, category="beverages.tea")
    OrderFactory(distributor=buyer, quantity=300, category="food.honey", unit="l", max_unit_price=40_000)
    OrderFactory(distributor=buyer, quantity=300, category="beverages.tea", max_unit_price=40_000)
    update_policy(admin, enabled=True, min_score=0.0, require_verified_producer=True, require_good_standing=True)
    worker = start_worker(match_env, queues="celery,notifications")

    first = runs.start_run(RunTrigger.ADMIN, requested_by=admin, dispatch=True).id
    wait_for(lambda: finished(url, first), timeout=90, message=f"the first run\n{worker.output()}")
    rows = sql(url, "SELECT m.listing_id, m.status, m.approved_by_policy, m.approved_by_id FROM matches m "
                    "WHERE run_id = :i ORDER BY m.listing_id", i=first)
    by_listing = {row.listing_id: row for row in rows}
    assert len(rows) == 2
    assert tuple(by_listing[trusted.id])[1:] == ("approved", True, None)
    assert [tuple(r)[1:] for r in rows if r.listing_id != trusted.id] == [("proposed", False, None)]
    assert sql(url, "SELECT actor_id, actor_label FROM audit_logs WHERE action = 'match.approved'") == [
        (None, "policy")]
    # The parties are told as if an admin had approved it.
    wait_for(lambda: sql(url, "SELECT user_id FROM notifications WHERE kind = 'match.approved' ORDER BY user_id")
             == [(verified.id,), (buyer.id,)], timeout=30, message="both parties' notifications")

    # Switched off: the next run's proposal from the same trusted producer waits for an admin.
    update_policy(admin, enabled=False)
    OrderFactory(distributor=buyer, quantity=200, category="food.honey", unit="l", max_unit_price=40_000)
    second = runs.start_run(RunTrigger.ADMIN, category="food.honey", requested_by=admin, dispatch=True).id
    wait_for(lambda: finished(url, second), timeout=90, message=f"the second run\n{worker.output()}")
    assert sql(url, "SELECT status, approved_by_policy FROM matches WHERE run_id = :i", i=second) == [
        ("proposed", False)]
    assert sql(url, "SELECT count(*) FROM audit_logs WHERE action = 'policy.changed'") == [(2,)]
    assert broken_invariants(url) == {}
    db.session.rollback()
