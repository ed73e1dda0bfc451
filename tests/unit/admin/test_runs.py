"""The match-run pages: an admin starts a run, and sees every run with its figures."""
from sqlalchemy import select

from marketplace.core import task_names
from marketplace.core.extensions import db
from marketplace.core.outbox import OutboxMessage
from marketplace.matches import runs
from marketplace.models import MatchRun, RunTrigger
from tests.support.auth import csrf_token_from


def csrf(client, path="/admin/matches"):
    return csrf_token_from(client.get(path).get_data(as_text=True))


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
    assert f"Match run #{run.id}" in page and "Finished" in page and "Started by an admin" in page
    listing = client.get("/admin/match-runs").get_data(as_text=True)
    assert f"#{run.id}" in listing


def test_an_unknown_category_is_refused_on_the_page(auth, client, admin):
    auth.login(admin.email)
    response = client.post("/admin/match-runs", data={"csrf_token": csrf(client, "/admin/match-runs"),
                                                      "category": "food.nothing"})
    assert response.status_code == 400 and db.session.scalars(select(MatchRun)).first() is None


def test_the_run_page_says_how_close_the_run_came_to_the_most_possible(auth, client, admin, rice):
    """The engine's bound over every feasible pair, in words: the rice order fits the listing
    whole, so the run reaches all of what any allocation could match."""
    auth.login(admin.email)
    run = runs.run_inline(RunTrigger.CLI, category="food.rice")
    assert run.timings["bound_quantity"] == run.quantity > 0
    page = client.get(f"/admin/match-runs/{run.id}").get_data(as_text=True)
    assert "reaches 100.0% of the most possible" in page
    admin.locale = "vi"
    db.session.commit()
    client.set_cookie("lang", "vi")
    page = client.get(f"/admin/match-runs/{run.id}").get_data(as_text=True)
    assert "đạt 100,0" in page and "mức tối đa có thể" in page
