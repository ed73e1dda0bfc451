"""The admin's matching pages: the moderation queue, and match runs."""
import pytest
from sqlalchemy import select

from marketplace.core.extensions import db
from marketplace.matches import runs
from marketplace.models import Listing, Match, MatchRun, MatchStatus, RunTrigger
from marketplace.core import task_names
from marketplace.core.outbox import OutboxMessage
from tests.conftest import csrf_token_from
from tests.factories import ListingFactory, OrderFactory
from tests.match_data import make_match


@pytest.fixture
def proposed(rice):
    return make_match(*rice, status=MatchStatus.PROPOSED)


def csrf(client, path="/admin/matches"):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def status_of(match):
    db.session.expire_all()
    return db.session.get(Match, match.id).status


def test_the_queue_shows_proposals_oldest_first_with_both_parties_and_prices(
        auth, client, admin, producer, distributor):
    pairs = [(ListingFactory(producer=producer, title=f"Gạo lô {n}"), OrderFactory(distributor=distributor))
             for n in range(2)]
    for listing, order in pairs:
        make_match(listing, order, status=MatchStatus.PROPOSED)
    auth.login(admin.email)
    page = client.get("/admin/matches").get_data(as_text=True)
    assert page.index("Gạo lô 0") < page.index("Gạo lô 1")
    assert producer.display_name in page and distributor.display_name in page
    assert "32.000 ₫" in page and "35.000 ₫" in page
    assert "9% under the buyer&#39;s maximum price" in page or "9% under the buyer's maximum price" in page
    assert 'href="/admin/match-runs"' in page


def test_admin_approves_and_the_parties_see_it(auth, client, admin, distributor, proposed):
    auth.login(admin.email)
    response = client.post(f"/admin/matches/{proposed.id}/approve", data={"csrf_token": csrf(client)})
    assert response.status_code == 302
    assert status_of(proposed) == MatchStatus.APPROVED
    assert "is approved" in client.get(response.location).get_data(as_text=True)
    auth.logout()
    auth.login(distributor.email)
    assert client.get(f"/matches/{proposed.id}").status_code == 200


def test_rejecting_needs_a_reason_and_then_releases_the_quantity(auth, client, admin, proposed, rice):
    auth.login(admin.email)
    refused = client.post(f"/admin/matches/{proposed.id}/reject", data={"csrf_token": csrf(client), "reason": " "})
    assert refused.status_code == 400
    assert "Please give a reason." in refused.get_data(as_text=True)
    assert status_of(proposed) == MatchStatus.PROPOSED
    done = client.post(f"/admin/matches/{proposed.id}/reject",
                       data={"csrf_token": csrf(client), "reason": "Giá bất thường"})
    assert done.status_code == 302 and status_of(proposed) == MatchStatus.REJECTED
    assert db.session.get(Listing, rice[0].id).reserved_quantity == 0


def test_approving_twice_is_a_message(auth, client, admin, proposed):
    auth.login(admin.email)
    client.post(f"/admin/matches/{proposed.id}/approve", data={"csrf_token": csrf(client)})
    again = client.post(f"/admin/matches/{proposed.id}/approve", data={"csrf_token": csrf(client)})
    assert again.status_code == 302
    assert "reload the page" in client.get(again.location).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/admin/matches", "/admin/match-runs", "/admin/match-runs/1"])
def test_non_admins_are_refused(auth, client, producer, distributor, path):
    assert client.get(path).status_code == 302  # to the login page
    for user in (producer, distributor):
        auth.login(user.email)
        assert client.get(path).status_code == 403
        auth.logout()


def test_a_non_admin_cannot_approve(auth, client, producer, proposed):
    auth.login(producer.email)
    response = client.post(f"/admin/matches/{proposed.id}/approve", data={"csrf_token": auth.csrf("/matches")})
    assert response.status_code == 403 and status_of(proposed) == MatchStatus.PROPOSED


def test_admin_starts_a_run_from_the_page(auth, client, admin, rice):
    auth.login(admin.email)
    response = client.post("/admin/match-runs", data={"csrf_token": csrf(client, "/admin/match-runs"),
                                                      "category": "food.rice"})
    assert response.status_code == 302
    run = db.session.scalars(select(MatchRun)).one()
    assert (run.trigger, run.category, run.requested_by_id) == (RunTrigger.ADMIN, "food.rice", admin.id)
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.task == task_names.MATCH_DISPATCH_RUN)).one()
    # What the worker would do with the queued message:
    runs.run_part(run.id, "food.rice")
    page = client.get(response.location).get_data(as_text=True)
    assert f"Match run #{run.id}" in page and "done" in page
    listing = client.get("/admin/match-runs").get_data(as_text=True)
    assert f"#{run.id}" in listing


def test_an_unknown_category_is_refused_on_the_page(auth, client, admin):
    auth.login(admin.email)
    response = client.post("/admin/match-runs", data={"csrf_token": csrf(client, "/admin/match-runs"),
                                                      "category": "food.nothing"})
    assert response.status_code == 400 and db.session.scalars(select(MatchRun)).first() is None
