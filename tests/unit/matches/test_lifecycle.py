"""The match lifecycle on SQLite: each transition moves the stock and the
statuses the way DESIGN.md draws it, and refuses what it must."""
import pytest
from sqlalchemy import func, select

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db
from marketplace.core.outbox import OutboxMessage
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches import lifecycle
from marketplace.models import DemandOrder, Listing, Match, MatchStatus


def figures(listing, order):
    db.session.expire_all()
    listing, order = db.session.get(Listing, listing.id), db.session.get(DemandOrder, order.id)
    return (listing.quantity, listing.reserved_quantity, listing.status.value,
            order.reserved_quantity, order.fulfilled_quantity, order.status.value)


def only_match():
    return db.session.scalars(select(Match)).one()


def test_a_run_proposes_the_fitting_pair_and_reserves_its_quantity(rice, run_now):
    listing, order = rice
    run = run_now()
    assert (run.status.value, run.matches, run.quantity) == ("done", 1, 1000)
    match = only_match()
    assert (match.status, match.quantity, match.unit_price) == (MatchStatus.PROPOSED, 1000, 32000)
    assert match.breakdown["distance_km"] > 0 and 0 < match.score <= 1
    assert figures(listing, order) == (2000, 1000, "active", 1000, 0, "matched")


def test_a_second_run_proposes_nothing_new(rice, run_now):
    run_now()
    again = run_now()
    assert again.matches == 0
    assert db.session.scalar(select(func.count(Match.id))) == 1


def test_full_flow_to_fulfilled(rice, run_now, admin, producer, distributor):
    listing, order = rice
    run_now()
    match = only_match()
    lifecycle.approve(match, admin)
    lifecycle.accept(match, producer)
    assert match.status == MatchStatus.APPROVED
    lifecycle.accept(match, distributor)
    assert match.status == MatchStatus.CONFIRMED
    lifecycle.fulfil(match, distributor)
    assert match.status == MatchStatus.FULFILLED
    assert figures(listing, order) == (1000, 0, "active", 0, 1000, "fulfilled")
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.target_type.in_(["match", "match_run"]))
                                 .order_by(AuditLog.id)).all()
    assert actions == ["match_run.proposed", "match.approved", "match.accepted", "match.accepted",
                       "match.confirmed", "match.fulfilled"]


def test_decline_releases_the_stock_and_the_pair_is_not_proposed_again(rice, run_now, admin, producer):
    listing, order = rice
    run_now()
    match = only_match()
    lifecycle.approve(match, admin)
    lifecycle.decline(match, producer, "Hết hàng loại này")
    assert figures(listing, order) == (2000, 0, "active", 0, 0, "open")
    assert run_now().matches == 0


def test_a_declined_pair_is_proposed_again_once_the_order_changes(rice, run_now, admin, distributor):
    from dataclasses import replace

    from marketplace.core.clock import local_today
    from marketplace.orders.services import input_from_order, update_order
    listing, order = rice
    run_now()
    lifecycle.approve(only_match(), admin)
    lifecycle.decline(only_match(), distributor)
    order = db.session.get(DemandOrder, order.id)
    update_order(order, replace(input_from_order(order), max_unit_price=36000), local_today())
    assert run_now().matches == 1


def test_reject_needs_a_reason_and_releases(rice, run_now, admin):
    listing, order = rice
    run_now()
    with pytest.raises(InvalidInput):
        lifecycle.reject(only_match(), admin, "  ")
    lifecycle.reject(only_match(), admin, "Giá bất thường")
    assert only_match().reason == "Giá bất thường"
    assert figures(listing, order) == (2000, 0, "active", 0, 0, "open")


def test_parties_cannot_answer_before_moderation_and_strangers_never(rice, run_now, producer, app):
    from tests.support.factories import UserFactory
    run_now()
    with pytest.raises(WrongState):
        lifecycle.accept(only_match(), producer)
    with pytest.raises(NotAllowed):
        lifecycle.accept(only_match(), UserFactory())


def test_accepting_twice_changes_nothing(rice, run_now, admin, producer):
    run_now()
    lifecycle.approve(only_match(), admin)
    lifecycle.accept(only_match(), producer)
    lifecycle.accept(only_match(), producer)
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "match.accepted")) == 1


def test_a_closed_match_cannot_be_approved(rice, run_now, admin):
    run_now()
    lifecycle.reject(only_match(), admin, "Trùng lặp")
    with pytest.raises(WrongState):
        lifecycle.approve(only_match(), admin)


def test_expiry_releases_stock_and_the_next_run_proposes_it_again(rice, run_now):
    from datetime import timedelta

    from marketplace.core.clock import utcnow
    listing, order = rice
    run_now()
    assert lifecycle.expire_stale(utcnow() + timedelta(hours=73)) == 1
    assert only_match().status == MatchStatus.EXPIRED
    assert figures(listing, order) == (2000, 0, "active", 0, 0, "open")
    assert run_now().matches == 1


def test_cancel_after_confirmation_releases(rice, run_now, admin, producer, distributor):
    listing, order = rice
    run_now()
    match = only_match()
    lifecycle.approve(match, admin)
    lifecycle.accept(match, producer)
    lifecycle.accept(match, distributor)
    lifecycle.cancel(match, producer, "Lũ lụt, không giao được")
    assert figures(listing, order) == (2000, 0, "active", 0, 0, "open")


def test_a_listing_that_gives_all_its_stock_is_sold_out_until_released(producer, distributor, run_now, admin):
    from tests.support.factories import ListingFactory, OrderFactory
    listing = ListingFactory(producer=producer, quantity=1000)
    order = OrderFactory(distributor=distributor, quantity=1000)
    run_now()
    assert figures(listing, order)[2] == "sold_out"
    lifecycle.reject(only_match(), admin, "Kiểm tra lại")
    assert figures(listing, order)[2] == "active"


def test_releasing_asks_for_a_run_of_the_category(rice, run_now, admin):
    run_now()
    lifecycle.reject(only_match(), admin, "Kiểm tra lại")
    keys = db.session.scalars(select(OutboxMessage.dedupe_key)).all()
    assert "match-category:food.rice" in keys


def test_removing_a_listing_cancels_its_live_matches(rice, run_now, producer):
    from marketplace.listings.services import remove_listing
    listing, order = rice
    run_now()
    remove_listing(db.session.get(Listing, listing.id), producer)
    assert only_match().status == MatchStatus.CANCELLED
    assert figures(listing, order)[3:] == (0, 0, "open")


def test_new_stock_on_a_sold_out_listing_puts_it_back_on_sale(producer, distributor, run_now):
    from dataclasses import replace

    from marketplace.core.clock import local_today
    from marketplace.listings.services import input_from_listing, update_listing
    from tests.support.factories import ListingFactory, OrderFactory
    listing = ListingFactory(producer=producer, quantity=1000)
    order = OrderFactory(distributor=distributor, quantity=1000)
    run_now()
    assert figures(listing, order)[2] == "sold_out"
    listing = db.session.get(Listing, listing.id)
    update_listing(listing, replace(input_from_listing(listing), quantity=1500), local_today())
    assert figures(listing, order)[:3] == (1500, 1000, "active")


def test_stock_cannot_be_cut_below_what_matches_promise(rice, run_now):
    from dataclasses import replace

    from marketplace.core.clock import local_today
    from marketplace.listings.services import input_from_listing, update_listing
    listing, order = rice
    run_now()
    listing = db.session.get(Listing, listing.id)
    with pytest.raises(InvalidInput) as refused:
        update_listing(listing, replace(input_from_listing(listing), quantity=500), local_today())
    assert "quantity" in refused.value.fields
    assert figures(listing, order)[:3] == (2000, 1000, "active")


def test_a_run_that_proposes_asks_for_one_moderation_summary(producer, distributor, run_now):
    from marketplace.core.task_names import NOTIFY_MODERATION_SUMMARY as SUMMARY_TASK
    from tests.support.factories import ListingFactory, OrderFactory
    for _ in range(3):
        ListingFactory(producer=producer)
        OrderFactory(distributor=distributor)
    assert run_now().matches == 3
    tasks = db.session.scalars(select(OutboxMessage.task)).all()
    assert tasks.count(SUMMARY_TASK) == 1


def test_approval_notifies_both_parties_in_app(rice, run_now, admin, producer, distributor):
    from marketplace.models import Notification
    run_now()
    lifecycle.approve(only_match(), admin)
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "match.approved")).all()
    assert sorted(told) == sorted([producer.id, distributor.id])


def test_the_breakdown_written_by_copy_is_the_engines_breakdown():
    import json

    from marketplace.matches.proposals import breakdown_json
    from marketplace.matching import ScoreBreakdown
    for slack in (None, 12):
        breakdown = ScoreBreakdown(8.57, 167.0, 5, 4, 0, slack, 0.342857, 0.888674, 0.2, 1.0, 0.587907743947927)
        assert json.loads(breakdown_json(breakdown)) == breakdown.to_dict()
