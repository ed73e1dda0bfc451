"""The moderation queue: filters, the producer's record, standard reasons,
bulk actions, the keyboard, and the same through /api/v1/admin."""
import re

import pytest
from sqlalchemy import event, select

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db
from marketplace.matches import lifecycle
from marketplace.models import Listing, Match, MatchStatus
from marketplace.models.user import Role
from tests.support.auth import csrf_token_from
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match, proposal


def csrf(client, path="/admin/matches"):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def shown(page: str) -> list[int]:
    """The match ids of the queue's rows, top to bottom."""
    return [int(n) for n in re.findall(r'<li class="card item queue-row" id="match-(\d+)"', page)]


def status_of(match):
    return fresh(match).status


def fresh(match):
    db.session.expire_all()
    return db.session.get(Match, match.id)


# -- filters -----------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("", ("rice", "honey", "tea")),
    ("category=food.rice", ("rice",)),
    ("category=food", ("rice", "honey")),                   # a group: all of its sub-categories
    ("province=ha-noi", ("honey", "tea")),                  # honey is listed there, tea delivered there
    ("province=da-nang", ("honey",)),
    ("max_score=61", ("tea",)),                             # strictly below 61 %
    ("max_score=62", ("rice", "tea")),
    ("unverified=y", ("honey",)),
    ("category=food&province=can-tho", ("rice",)),
    ("category=food&unverified=y&max_score=50", ()),
])
def test_each_filter_narrows_the_queue_exactly(auth, client, admin, queue_world, query, expected):
    rice, honey, tea = queue_world
    ids = {"rice": rice.id, "honey": honey.id, "tea": tea.id}
    auth.login(admin.email)
    page = client.get(f"/admin/matches?{query}").get_data(as_text=True)
    assert shown(page) == [ids[name] for name in expected]
    if not expected:
        assert "No proposal matches these filters." in page


def test_a_bad_filter_is_explained_and_shows_no_rows(auth, client, admin, queue_world):
    auth.login(admin.email)
    page = client.get("/admin/matches?max_score=150").get_data(as_text=True)
    assert shown(page) == []
    assert "Enter a score from 0 to 100." in page


def test_the_filters_stay_on_the_page_links_and_the_action_urls(auth, client, admin, verified, distributor):
    for _ in range(21):
        proposal(verified, distributor)
    auth.login(admin.email)
    page = client.get("/admin/matches?category=food.rice&max_score=90").get_data(as_text=True)
    assert len(shown(page)) == 20
    assert 'href="/admin/matches?category=food.rice&amp;max_score=90&amp;page=2"' in page
    first = shown(page)[0]
    assert f'action="/admin/matches/{first}/approve?category=food.rice&amp;max_score=90"' in page
    response = client.post(f"/admin/matches/{first}/approve?category=food.rice&max_score=90&page=1",
                           data={"csrf_token": csrf(client)})
    assert response.location == "/admin/matches?category=food.rice&max_score=90&page=1"


# -- each row --------------------------------------------------------------------------------

def test_each_row_shows_parties_provinces_badge_prices_score_and_the_producers_record(
        auth, client, admin, queue_world, verified, unverified, distributor):
    rice, honey, _tea = queue_world
    for status in (MatchStatus.FULFILLED, MatchStatus.FULFILLED, MatchStatus.CANCELLED, MatchStatus.DECLINED):
        proposal(verified, distributor, status=status)
    proposal(unverified, distributor, "food.honey", status=MatchStatus.CANCELLED)
    auth.login(admin.email)
    page = client.get("/admin/matches").get_data(as_text=True)
    row = page[page.index(f'id="match-{rice.id}"'):page.index(f'id="match-{honey.id}"')]
    assert verified.display_name in row and distributor.display_name in row
    assert 'data-verified="1"' in row and "Cần Thơ" in row and "delivery to Hồ Chí Minh" in row
    assert "100 Kilogram" in row or "100 kg" in row
    assert "32.000 ₫" in row and "35.000 ₫" in row and "61 %" in row
    assert "9% under the buyer&#39;s maximum price" in row
    assert 'data-fulfilled="2" data-cancelled="1"' in row
    assert "2 fulfilled" in row and "1 cancelled" in row
    honey_row = page[page.index(f'id="match-{honey.id}"'):]
    assert 'data-verified="0"' in honey_row and "Not verified" in honey_row
    assert 'data-fulfilled="0" data-cancelled="1"' in honey_row


def test_the_producers_records_cost_one_grouped_query_however_many_rows(auth, client, admin, distributor):
    producers = [UserFactory(role=Role.PRODUCER) for _ in range(4)]
    for producer in producers:
        proposal(producer, distributor)
        proposal(producer, distributor, status=MatchStatus.FULFILLED)
    auth.login(admin.email)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        page = client.get("/admin/matches").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(shown(page)) == 4 and page.count('data-fulfilled="1" data-cancelled="0"') == 4
    assert len([s for s in statements if "GROUP BY matches.producer_id" in s]) == 1


# -- single actions ----------------------------------------------------------------------------

def test_reject_with_a_standard_reason_and_words_stores_both(auth, client, admin, verified, distributor):
    match = proposal(verified, distributor)
    auth.login(admin.email)
    response = client.post(f"/admin/matches/{match.id}/reject",
                           data={"csrf_token": csrf(client), "reason_code": "price", "reason": "Gấp đôi giá chợ"})
    assert response.status_code == 302 and status_of(match) == MatchStatus.REJECTED
    stored = fresh(match).reason
    assert stored == "Price far from the market: Gấp đôi giá chợ"
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "match.rejected")).one()
    assert (audit.actor_id, audit.details["reason"]) == (admin.id, stored)
    assert f"Reason: {stored}" in client.get(f"/matches/{match.id}").get_data(as_text=True)


def test_a_standard_reason_alone_is_enough(auth, client, admin, verified, distributor):
    match = proposal(verified, distributor)
    auth.login(admin.email)
    client.post(f"/admin/matches/{match.id}/reject", data={"csrf_token": csrf(client), "reason_code": "suspicious"})
    assert fresh(match).reason == "Duplicate or suspicious"


@pytest.mark.parametrize("data, message", [
    ({}, "Please give a reason."),
    ({"reason_code": "other", "reason": "  "}, "Say why in a few words when the reason is “Other”."),
    ({"reason_code": "nonsense", "reason": "x"}, "Not a valid choice."),
])
def test_reject_without_a_usable_reason_is_refused_and_changes_nothing(
        auth, client, admin, verified, distributor, data, message):
    match = proposal(verified, distributor)
    auth.login(admin.email)
    response = client.post(f"/admin/matches/{match.id}/reject", data={"csrf_token": csrf(client), **data})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert status_of(match) == MatchStatus.PROPOSED
    assert db.session.get(Listing, match.listing_id).reserved_quantity == 100
    assert db.session.scalars(select(AuditLog).where(AuditLog.action == "match.rejected")).first() is None


def test_a_row_another_admin_handled_is_a_message_not_an_error(auth, client, admin, verified, distributor):
    match = proposal(verified, distributor)
    auth.login(admin.email)
    token = csrf(client)
    lifecycle.approve(match, UserFactory(role=Role.ADMIN))
    response = client.post(f"/admin/matches/{match.id}/reject",
                           data={"csrf_token": token, "reason_code": "price"})
    assert response.status_code == 302
    assert "This match is now Waiting for answers; reload the page." in client.get(response.location).get_data(
        as_text=True)
    assert status_of(match) == MatchStatus.APPROVED
    assert client.post("/admin/matches/999999/approve", data={"csrf_token": token}).status_code == 404


# -- bulk ------------------------------------------------------------------------------------

def test_bulk_approve_reports_the_one_already_handled(auth, client, admin, verified, distributor):
    matches = [proposal(verified, distributor) for _ in range(3)]
    auth.login(admin.email)
    token = csrf(client)
    lifecycle.reject(matches[1], UserFactory(role=Role.ADMIN), "Trùng lặp")
    response = client.post("/admin/matches/bulk?category=food.rice",
                           data={"csrf_token": token, "action": "approve", "ids": [m.id for m in matches]})
    assert response.status_code == 302 and response.location == "/admin/matches?category=food.rice"
    assert [status_of(m) for m in matches] == [MatchStatus.APPROVED, MatchStatus.REJECTED, MatchStatus.APPROVED]
    page = client.get(response.location).get_data(as_text=True)
    assert "2 approved; 1 was no longer waiting (already handled)." in page
    approvals = db.session.scalars(select(AuditLog).where(AuditLog.action == "match.approved")).all()
    assert sorted(a.target_id for a in approvals) == [matches[0].id, matches[2].id]
    assert all(a.actor_id == admin.id for a in approvals)


def test_bulk_reject_of_the_selected_rows_needs_a_reason(auth, client, admin, verified, distributor):
    matches = [proposal(verified, distributor) for _ in range(3)]
    auth.login(admin.email)
    chosen = [matches[0].id, matches[2].id]
    refused = client.post("/admin/matches/bulk", data={"csrf_token": csrf(client), "action": "reject",
                                                       "ids": chosen, "reason_code": "other"})
    assert refused.status_code == 400
    body = refused.get_data(as_text=True)
    assert "Say why in a few words when the reason is “Other”." in body
    assert f'id="select-{matches[0].id}" data-action="select" checked' in body     # the selection is kept
    assert [status_of(m) for m in matches] == [MatchStatus.PROPOSED] * 3
    done = client.post("/admin/matches/bulk", data={"csrf_token": csrf(client), "action": "reject", "ids": chosen,
                                                    "reason_code": "quantity_quality", "reason": "Kho nhỏ"})
    assert done.status_code == 302
    assert [status_of(m) for m in matches] == [MatchStatus.REJECTED, MatchStatus.PROPOSED, MatchStatus.REJECTED]
    assert fresh(matches[0]).reason == "Quantity or quality in doubt: Kho nhỏ"
    assert "2 rejected." in client.get(done.location).get_data(as_text=True)


def test_select_all_on_this_page_works_without_javascript(auth, client, admin, verified, distributor):
    matches = [proposal(verified, distributor) for _ in range(3)]
    auth.login(admin.email)
    page = client.get("/admin/matches").get_data(as_text=True)
    ids = ",".join(str(m.id) for m in matches)
    assert f'name="page_ids" value="{ids}"' in page
    client.post("/admin/matches/bulk", data={"csrf_token": csrf_token_from(page), "action": "approve",
                                             "all_on_page": "y", "page_ids": ids})
    assert [status_of(m) for m in matches] == [MatchStatus.APPROVED] * 3


def test_bulk_with_nothing_selected_says_so(auth, client, admin, verified, distributor):
    proposal(verified, distributor)
    auth.login(admin.email)
    response = client.post("/admin/matches/bulk", data={"csrf_token": csrf(client), "action": "approve"})
    assert response.status_code == 400 and "Select at least one proposal." in response.get_data(as_text=True)


# -- keyboard ----------------------------------------------------------------------------------

def test_the_page_lists_its_shortcuts_and_serves_its_script_itself(auth, client, admin, verified, distributor):
    match = proposal(verified, distributor)
    auth.login(admin.email)
    page = client.get("/admin/matches").get_data(as_text=True)
    assert 'id="shortcuts"' in page and "Keyboard shortcuts" in page
    for key in ("j", "k", "x", "a", "r", "?"):
        assert f"<kbd>{key}</kbd>" in page
    assert '<script src="/static/moderation.js" defer></script>' in page
    assert '<link rel="stylesheet" href="/static/moderation.css">' in page
    assert "http://" not in page and "https://" not in page               # nothing from a CDN
    for marker in (f'id="match-{match.id}"', f'id="approve-{match.id}" data-action="approve"',
                   f'id="reject-{match.id}" data-action="reject"', f'id="reason-code-{match.id}"',
                   'data-action="reject-reason"', f'id="select-{match.id}" data-action="select"',
                   'id="select-all"', 'id="bulk-approve"', 'id="bulk-reject"'):
        assert marker in page, marker
    script = client.get("/static/moderation.js")
    assert script.status_code == 200 and "keydown" in script.get_data(as_text=True)
    assert client.get("/static/moderation.css").status_code == 200


# -- API ---------------------------------------------------------------------------------------


@pytest.fixture
def proposed(rice):
    return make_match(*rice, status=MatchStatus.PROPOSED)


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


def test_a_refused_reject_comes_back_at_its_row_with_the_error_in_focus(auth, client, admin, verified, distributor):
    matches = [proposal(verified, distributor) for _ in range(6)]
    fifth = matches[4]
    auth.login(admin.email)
    queue = client.get("/admin/matches").get_data(as_text=True)
    assert f'action="/admin/matches/{fifth.id}/reject#match-{fifth.id}"' in queue
    response = client.post(f"/admin/matches/{fifth.id}/reject#match-{fifth.id}",
                           data={"csrf_token": csrf(client), "reason_code": "other", "reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    focused = html[html.index(f'id="reason-{fifth.id}"') - 200:html.index(f'id="reason-{fifth.id}"') + 200]
    assert "autofocus" in focused and html.count("autofocus") == 1
