"""A party's home page: what was delivered in the last 30 days, and what is under way."""
from datetime import timedelta

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.matches import lifecycle
from marketplace.matches.figures import recent_totals
from marketplace.models import Match, MatchStatus
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.match_data import make_match


def deliver(listing, order, quantity, received, days_ago=0):
    match = make_match(listing, order, status=MatchStatus.CONFIRMED, quantity=quantity)
    lifecycle.fulfil(db.session.get(Match, match.id), db.session.get(type(order.distributor), order.distributor_id),
                     received)
    match = db.session.get(Match, match.id)
    match.fulfilled_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return match


def test_totals_count_what_arrived_in_the_last_thirty_days_per_unit(app, producer, distributor):
    rice = ListingFactory(producer=producer, unit_price=32_000)
    honey = ListingFactory(producer=producer, category="food.honey", unit="l", unit_price=250_000)
    deliver(rice, OrderFactory(distributor=distributor), 300, 250)
    deliver(honey, OrderFactory(distributor=distributor, category="food.honey", unit="l"), 20, 20, days_ago=29)
    deliver(rice, OrderFactory(distributor=distributor), 100, 100, days_ago=31)
    make_match(rice, OrderFactory(distributor=distributor), status=MatchStatus.CONFIRMED)
    make_match(rice, OrderFactory(distributor=distributor), status=MatchStatus.PROPOSED)

    for user in (producer, distributor):
        totals = recent_totals(user)
        assert (totals.deals, totals.value, totals.under_way) == (2, 250 * 32_000 + 20 * 250_000, 1)
        assert [(u.unit, u.quantity) for u in totals.by_unit] == [("kg", 250), ("l", 20)]


def test_the_home_page_shows_a_producer_what_sold_and_earned(auth, client, producer, distributor):
    deliver(ListingFactory(producer=producer, unit_price=32_000), OrderFactory(distributor=distributor), 300, 250)
    auth.login(producer.email)
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert "Last 30 days" in page and "Sold</dt> <dd>250 kg</dd>" in page and "8.000.000 ₫" in page
    auth.logout()
    auth.login(distributor.email)
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert "Received</dt> <dd>250 kg</dd>" in page and "Spent" in page


def test_an_admin_home_has_no_totals(auth, client, admin):
    auth.login(admin.email)
    page = client.get("/")
    assert page.status_code == 200 and "Signed in as" in page.get_data(as_text=True)
    assert "recent-totals" not in page.get_data(as_text=True)
