"""The audit log: every admin action and match change is found with the
filters an admin would use, and no code path can change or remove a row."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError

from marketplace.core.audit import AuditLog
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.matches import lifecycle, runs
from marketplace.models import MatchStatus, RunTrigger
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.match_data import make_match


@pytest.fixture
def two_decisions(admin, producer, distributor):
    """One proposal approved and one rejected by the admin."""
    kept = make_match(ListingFactory(producer=producer, title="Cà phê Robusta"),
                      OrderFactory(distributor=distributor, title="Cà phê cho quán"), status=MatchStatus.PROPOSED)
    dropped = make_match(ListingFactory(producer=producer, title="Gạo ST25"),
                         OrderFactory(distributor=distributor, title="Gạo cho bếp"), status=MatchStatus.PROPOSED)
    lifecycle.approve(kept, admin)
    lifecycle.reject(dropped, admin, "Giá bất thường")
    return kept, dropped


def page_of(client, query=""):
    response = client.get(f"/admin/audit{query}")
    return response.status_code, response.get_data(as_text=True)


def entry_ids(html: str) -> list[int]:
    import re
    return [int(n) for n in re.findall(r'id="audit-(\d+)"', html)]


def test_the_log_tells_who_did_what_to_which_match(auth, client, admin, two_decisions):
    kept, dropped = two_decisions
    auth.login(admin.email)
    status, html = page_of(client)
    assert status == 200
    assert "2 entries" in html
    assert admin.display_name in html
    assert "approved a proposed match" in html and "rejected a proposed match" in html
    assert f'href="/matches/{kept.id}"' in html and f'href="/matches/{dropped.id}"' in html
    assert "reason: Giá bất thường" in html
    assert "Gạo ST25 → Gạo cho bếp" in html


def test_filters_narrow_the_log_to_one_action_one_record_or_one_actor(auth, client, admin, two_decisions):
    kept, dropped = two_decisions
    rejected = db.session.scalar(select(AuditLog.id).where(AuditLog.action == "match.rejected"))
    approved = db.session.scalar(select(AuditLog.id).where(AuditLog.action == "match.approved"))
    auth.login(admin.email)
    assert entry_ids(page_of(client, "?action=match.rejected")[1]) == [rejected]
    assert entry_ids(page_of(client, f"?target_type=match&target_id={kept.id}")[1]) == [approved]
    assert entry_ids(page_of(client, f"?actor={admin.email.split('@')[0].upper()}")[1]) == [rejected, approved]
    assert entry_ids(page_of(client, "?actor=system")[1]) == []
    assert "No entry matches these filters." in page_of(client, "?actor=policy")[1]


def test_days_are_vietnam_days_and_both_ends_count(auth, client, admin):
    # 23:30 UTC on 1 March is already 2 March in Hà Nội.
    late = AuditLog(actor_label="system", action="match.expired", target_type="match", target_id=7, details={},
                    created_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    early = AuditLog(actor_label="system", action="match.expired", target_type="match", target_id=8, details={},
                     created_at=datetime(2026, 3, 1, 16, 30, tzinfo=UTC))
    db.session.add_all([late, early])
    db.session.commit()
    auth.login(admin.email)
    assert entry_ids(page_of(client, "?since=2026-03-02&until=2026-03-02")[1]) == [late.id]
    assert entry_ids(page_of(client, "?since=2026-03-01&until=2026-03-01")[1]) == [early.id]


def test_bad_filters_get_a_message_on_the_page(auth, client, admin):
    auth.login(admin.email)
    status, html = page_of(client, "?since=2026-03-05&until=2026-03-01")
    assert status == 400 and "The end date is before the start date." in html
    status, html = page_of(client, "?since=yesterday&target_id=0")
    assert status == 400
    assert "Not a valid date value." in html and "Enter a record number (1 or more)." in html


def test_an_admins_run_and_what_it_proposed_are_both_in_the_log(auth, client, admin, rice):
    run = runs.start_run(RunTrigger.ADMIN, requested_by=admin)
    runs.run_part(run.id, rice[0].category)
    auth.login(admin.email)
    html = page_of(client, "?target_type=match_run")[1]
    assert "started a match run" in html
    assert "a match run proposed matches" in html and "proposed 1 match" in html
    assert f'href="/admin/match-runs/{run.id}"' in html


def test_the_database_refuses_to_change_or_delete_an_audit_row(app, admin):
    event = emit_event("user.verified", target_type="user", target_id=admin.id, actor=admin)
    db.session.commit()
    for statement in (update(AuditLog).where(AuditLog.id == event.audit_id).values(action="forged"),
                      delete(AuditLog).where(AuditLog.id == event.audit_id)):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(AuditLog, event.audit_id).action == "user.verified"


def test_the_api_gives_the_same_log_with_its_filters(client, admin, distributor, two_decisions):
    kept, _dropped = two_decisions
    api = ApiClient(client, issue_token(admin))
    body = api.get(f"/admin/audit?action=match.approved&target_id={kept.id}").get_json()
    assert body["total"] == 1
    [entry] = body["items"]
    assert entry["actor"] == {"id": admin.id, "email": admin.email, "display_name": admin.display_name}
    assert entry["actor_label"] == "user" and entry["target_type"] == "match" and entry["target_id"] == kept.id
    assert entry["details"]["listing_title"] == "Cà phê Robusta"
    assert api.get("/admin/audit?actor=system").get_json()["total"] == 0
    wrong = api.get("/admin/audit?since=2026-03-05&until=2026-03-01")
    assert wrong.status_code == 422 and error_of(wrong)["fields"] == {"until": "The end date is before the start date."}
    assert api.get("/admin/audit?since=soon").status_code == 422
    assert api.as_(issue_token(distributor)).get("/admin/audit").status_code == 403
    assert api.as_(None).get("/admin/audit").status_code == 401


def test_an_admin_removing_a_listing_or_cancelling_an_order_is_in_the_log(client, admin, producer, distributor):
    listing, order = ListingFactory(producer=producer), OrderFactory(distributor=distributor)
    api = ApiClient(client, issue_token(admin))
    assert api.delete(f"/listings/{listing.id}").status_code == 204
    assert api.delete(f"/orders/{order.id}").status_code == 204
    body = api.get(f"/admin/audit?actor={admin.id}").get_json()
    assert [(e["action"], e["target_id"]) for e in body["items"]] == [
        ("order.cancelled", order.id), ("listing.removed", listing.id)]


def test_every_action_the_code_audits_can_be_chosen_in_the_filter():
    """The filter's choices come from the code; an action without a label could not be found."""
    import re
    from pathlib import Path

    from marketplace.web.labels import ACTION_LABELS

    source = "\n".join(p.read_text() for p in Path("marketplace").rglob("*.py"))
    written = set(re.findall(r'emit_event\("([a-z_.]+)"', source))
    constants = dict(re.findall(r'^([A-Z_]+_EVENT) = "([a-z_.]+)"', source, re.MULTILINE))
    written |= {constants[name] for name in re.findall(r"emit_event\(([A-Z_]+_EVENT)\b", source)}
    written |= {f"{kind}.taken_down" for kind in ("listing", "order")}  # takedown.py builds these two
    assert len(written) > 15 and written <= set(ACTION_LABELS), written - set(ACTION_LABELS)
