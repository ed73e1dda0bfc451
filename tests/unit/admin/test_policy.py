"""The auto-approval policy: off by default, applied by the worker right
after a run writes its proposals, switched off at once, every change audited."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.admin.moderation.policy import update_policy
from marketplace.core.audit import AuditLog
from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.matches.auto_approval import apply_policy, current_policy
from marketplace.models import Match, MatchStatus
from marketplace.models.policy import ApprovalPolicy
from marketplace.models.user import Role, UserStatus
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.auth import csrf_token_from
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


@pytest.fixture
def verified(producer):
    producer.profile.verified_at = utcnow()
    db.session.commit()
    return producer


@pytest.fixture
def two_offers(verified, distributor):
    """Rice from a verified producer and honey from an unverified one, each with an order it fits."""
    honey_producer = UserFactory(role=Role.PRODUCER)
    ListingFactory(producer=verified)
    OrderFactory(distributor=distributor)
    ListingFactory(producer=honey_producer, category="food.honey", title="Mật ong rừng U Minh")
    OrderFactory(distributor=distributor, category="food.honey", title="Cần mua mật ong")
    return verified, honey_producer


def proposals():
    db.session.expire_all()
    return {m.category: m for m in db.session.scalars(select(Match).order_by(Match.id))}


@pytest.fixture
def api(client):
    return ApiClient(client)


def switch_on(admin, **settings):
    return update_policy(admin, enabled=True, **{"min_score": 0.0, **settings})


def test_the_policy_is_off_by_default_and_a_run_leaves_proposals_waiting(app, run_now, two_offers, auth, client,
                                                                        admin):
    assert db.session.get(ApprovalPolicy, 1) is None
    assert current_policy().enabled is False
    run_now()
    found = proposals()
    assert {c: m.status for c, m in found.items()} == {"food.rice": MatchStatus.PROPOSED,
                                                        "food.honey": MatchStatus.PROPOSED}
    auth.login(admin.email)
    page = client.get("/admin/matches").get_data(as_text=True)
    assert "Auto-approval is off: every proposal waits for an admin." in page and 'id="policy-banner"' not in page


def test_qualifying_proposals_are_approved_by_the_policy_and_the_rest_wait(run_now, two_offers, admin):
    switch_on(admin, require_verified_producer=True)
    run_now()
    rice, honey = proposals()["food.rice"], proposals()["food.honey"]
    assert (rice.status, rice.approved_by_policy, rice.approved_by_id) == (MatchStatus.APPROVED, True, None)
    assert rice.approved_at is not None and rice.expires_at is not None
    assert (honey.status, honey.approved_by_policy) == (MatchStatus.PROPOSED, False)
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "match.approved")).one()
    assert (audit.target_id, audit.actor_id, audit.actor_label) == (rice.id, None, "policy")


def test_a_score_below_the_minimum_waits_for_an_admin(run_now, two_offers, admin):
    switch_on(admin, require_verified_producer=False, min_score=0.99)
    run_now()
    assert {m.status for m in proposals().values()} == {MatchStatus.PROPOSED}


def test_without_the_verified_condition_both_qualify(run_now, two_offers, admin):
    switch_on(admin, require_verified_producer=False)
    run_now()
    assert {c: m.approved_by_policy for c, m in proposals().items()} == {"food.rice": True, "food.honey": True}


@pytest.mark.parametrize("refusals, approved", [(2, True), (3, False)])
def test_a_party_that_ended_three_matches_lately_is_not_in_good_standing(run_now, verified, distributor, admin,
                                                                         refusals, approved):
    # The distributor declined matches of tea lately (another category, so the run leaves them be).
    for n in range(refusals):
        make_match(ListingFactory(producer=verified, category="beverages.tea"),
                   OrderFactory(distributor=distributor, category="beverages.tea"), status=MatchStatus.DECLINED,
                   closed_by_id=distributor.id, closed_at=utcnow() - timedelta(days=10 * n))
    # An old decline and one the admin ended do not count.
    make_match(ListingFactory(producer=verified, category="beverages.tea"),
               OrderFactory(distributor=distributor, category="beverages.tea"), status=MatchStatus.DECLINED,
               closed_by_id=distributor.id, closed_at=utcnow() - timedelta(days=91))
    make_match(ListingFactory(producer=verified, category="beverages.tea"),
               OrderFactory(distributor=distributor, category="beverages.tea"), status=MatchStatus.CANCELLED,
               closed_by_id=admin.id, closed_at=utcnow())
    ListingFactory(producer=verified)
    OrderFactory(distributor=distributor)
    switch_on(admin, require_good_standing=True)
    run_now("food.rice")
    rice = proposals()["food.rice"]
    assert rice.approved_by_policy is approved
    assert rice.status == (MatchStatus.APPROVED if approved else MatchStatus.PROPOSED)


def test_a_suspended_party_is_not_in_good_standing(verified, distributor, admin):
    # Runs never load a suspended account's stock; a proposal written just before the suspension still waits.
    waiting = make_match(ListingFactory(producer=verified), OrderFactory(distributor=distributor),
                         status=MatchStatus.PROPOSED)
    distributor.status = UserStatus.SUSPENDED
    db.session.commit()
    switch_on(admin, require_good_standing=True)
    assert apply_policy(select(Match.id).where(Match.id == waiting.id)) == 0
    assert proposals()["food.rice"].status == MatchStatus.PROPOSED
    distributor.status = UserStatus.ACTIVE
    db.session.commit()
    assert apply_policy(select(Match.id).where(Match.id == waiting.id)) == 1
    assert proposals()["food.rice"].approved_by_policy is True


def test_switching_off_from_the_queue_stops_it_for_the_next_run(run_now, verified, distributor, admin, auth,
                                                                 client):
    switch_on(admin, min_score=0.5)
    auth.login(admin.email)
    page = client.get("/admin/matches?unverified=y").get_data(as_text=True)
    assert "Auto-approval is ON (min score 50 %, verified producers, both parties in good standing)." in page
    response = client.post("/admin/policy/off?unverified=y", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302 and response.location == "/admin/matches?unverified=y"
    assert "Auto-approval is off" in client.get(response.location).get_data(as_text=True)
    ListingFactory(producer=verified)
    OrderFactory(distributor=distributor)
    run_now()
    assert proposals()["food.rice"].status == MatchStatus.PROPOSED


def test_every_change_is_audited_with_old_and_new_values(auth, client, admin):
    auth.login(admin.email)
    page = client.get("/admin/policy").get_data(as_text=True)
    assert 'name="min_score"' in page and 'value="80"' in page
    assert "in the last 90 days it cancelled or declined fewer than 3 matches itself" in page
    response = client.post("/admin/policy", data={"csrf_token": csrf_token_from(page), "enabled": "y",
                                                  "min_score": "75", "require_verified_producer": "y"})
    assert response.status_code == 302
    policy = current_policy()
    assert policy.settings() == {"enabled": True, "min_score": 0.75, "require_verified_producer": True,
                                 "require_good_standing": False}
    assert policy.updated_by_id == admin.id
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "policy.changed")).one()
    assert (audit.actor_id, audit.actor_label, audit.target_type, audit.target_id) == (admin.id, "user",
                                                                                       "approval_policy", 1)
    assert audit.details["old"] == {"enabled": False, "min_score": 0.8, "require_verified_producer": True,
                                    "require_good_standing": True}
    assert audit.details["new"] == {"enabled": True, "min_score": 0.75, "require_verified_producer": True,
                                    "require_good_standing": False}
    page = client.get("/admin/policy").get_data(as_text=True)
    assert "Auto-approval is ON." in page
    # Saving the same values again changes nothing and logs nothing.
    client.post("/admin/policy", data={"csrf_token": csrf_token_from(page), "enabled": "y", "min_score": "75",
                                       "require_verified_producer": "y"})
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.action == "policy.changed")).all()) == 1
    off = client.post("/admin/policy/off", data={"csrf_token": csrf_token_from(page), "next": "policy"})
    assert off.location == "/admin/policy" and current_policy().enabled is False
    assert len(db.session.scalars(select(AuditLog).where(AuditLog.action == "policy.changed")).all()) == 2


@pytest.mark.parametrize("value", ["101", "-1", "", "abc"])
def test_a_minimum_score_outside_0_to_100_is_refused_on_the_page(auth, client, admin, value):
    auth.login(admin.email)
    token = csrf_token_from(client.get("/admin/policy").get_data(as_text=True))
    response = client.post("/admin/policy", data={"csrf_token": token, "enabled": "y", "min_score": value})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Enter a score from 0 to 100." in body or "Not a valid integer value." in body
    assert db.session.get(ApprovalPolicy, 1) is None
    assert db.session.scalars(select(AuditLog)).first() is None


def test_the_policy_through_the_api(api, admin, producer):
    token = issue_token(admin)
    body = api.as_(token).get("/admin/approval-policy").get_json()
    assert {k: body[k] for k in ("enabled", "min_score", "require_verified_producer", "require_good_standing")} == \
        {"enabled": False, "min_score": 0.8, "require_verified_producer": True, "require_good_standing": True}
    assert "fewer than 3" in body["good_standing"] and body["updated_by_id"] is None
    changed = api.as_(token).call("PUT", "/admin/approval-policy", json={"enabled": True, "min_score": 0.9})
    assert changed.status_code == 200
    assert (changed.get_json()["enabled"], changed.get_json()["min_score"]) == (True, 0.9)
    assert changed.get_json()["updated_by_id"] == admin.id
    for bad in ({"min_score": 1.5}, {"min_score": "high"}, {"enabled": "maybe"}, {"colour": "red"}):
        refused = api.as_(token).call("PUT", "/admin/approval-policy", json=bad)
        assert refused.status_code == 422 and set(error_of(refused)["fields"]) == set(bad)
    assert current_policy().min_score == 0.9
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "policy.changed")).one()
    assert audit.details["new"]["min_score"] == 0.9 and audit.actor_id == admin.id
    assert api.get("/admin/approval-policy").status_code == 401
    refused = api.as_(issue_token(producer)).call("PUT", "/admin/approval-policy", json={"enabled": False})
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    assert current_policy().enabled is True


@pytest.mark.parametrize("path", ["/admin/policy"])
def test_non_admins_cannot_see_or_change_the_policy(auth, client, producer, distributor, admin, path):
    assert client.get(path).status_code == 302
    for user in (producer, distributor):
        auth.login(user.email)
        assert client.get(path).status_code == 403
        token = auth.csrf("/matches")
        assert client.post("/admin/policy/off", data={"csrf_token": token}).status_code == 403
        auth.logout()
    assert db.session.get(ApprovalPolicy, 1) is None
