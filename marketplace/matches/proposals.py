"""Writing a run part's allocations: reservations first, matches second, all
in the caller's transaction.

Each side is reserved with one conditional UPDATE over all its rows
(``... FROM <json rows> WHERE revision = :seen AND room >= :q RETURNING
id``): a listing or order edited, paused or filled since the engine read it
keeps its figures, and the allocations on it are dropped as stale. The
CHECK constraints stay the last word.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, text

from marketplace.extensions import db
from marketplace.matches.loading import Side
from marketplace.matching import Allocation
from marketplace.models import AuditLog, Match, MatchStatus
from marketplace.models.base import utcnow


@dataclass(frozen=True)
class Written:
    matches: int
    quantity: int
    total_score: float
    stale: int


def _rows_source(dialect: str) -> str:
    """A table of (id, q, rev) rows from one JSON parameter, on either database."""
    if dialect == "postgresql":
        return "jsonb_to_recordset(CAST(:rows AS jsonb)) AS v(id bigint, q bigint, rev integer)"
    return ("(SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.q') AS q, "
            "json_extract(value, '$.rev') AS rev FROM json_each(:rows)) AS v")


def _reserve_listings(dialect: str, wanted: dict[int, int], seen: dict[int, Side]) -> set[int]:
    if not wanted:
        return set()
    rows = json.dumps([{"id": i, "q": q, "rev": seen[i].revision} for i, q in wanted.items()])
    statement = text(f"""
        UPDATE listings SET reserved_quantity = listings.reserved_quantity + v.q,
               status = CASE WHEN listings.quantity - listings.reserved_quantity - v.q <= 0
                             THEN 'sold_out' ELSE listings.status END
        FROM {_rows_source(dialect)}
        WHERE listings.id = v.id AND listings.revision = v.rev AND listings.status = 'active'
          AND listings.quantity - listings.reserved_quantity >= v.q
        RETURNING listings.id""")
    return set(db.session.scalars(statement, {"rows": rows}))


def _reserve_orders(dialect: str, wanted: dict[int, int], seen: dict[int, Side]) -> set[int]:
    if not wanted:
        return set()
    rows = json.dumps([{"id": i, "q": q, "rev": seen[i].revision} for i, q in wanted.items()])
    statement = text(f"""
        UPDATE demand_orders SET reserved_quantity = demand_orders.reserved_quantity + v.q,
               status = CASE WHEN demand_orders.reserved_quantity + demand_orders.fulfilled_quantity + v.q
                                  >= demand_orders.quantity
                             THEN 'matched' ELSE 'partially_matched' END
        FROM {_rows_source(dialect)}
        WHERE demand_orders.id = v.id AND demand_orders.revision = v.rev
          AND demand_orders.status IN ('open', 'partially_matched')
          AND demand_orders.quantity - demand_orders.reserved_quantity - demand_orders.fulfilled_quantity >= v.q
        RETURNING demand_orders.id""")
    return set(db.session.scalars(statement, {"rows": rows}))


def _unreserve_listings(dialect: str, given_back: dict[int, int]) -> None:
    """Undoes this transaction's own reservation on listings whose order turned out stale."""
    if not given_back:
        return
    rows = json.dumps([{"id": i, "q": q, "rev": 0} for i, q in given_back.items()])
    db.session.execute(text(f"""
        UPDATE listings SET reserved_quantity = listings.reserved_quantity - v.q,
               status = CASE WHEN listings.status = 'sold_out' THEN 'active' ELSE listings.status END
        FROM {_rows_source(dialect)} WHERE listings.id = v.id"""), {"rows": rows})


def write_proposals(allocations: list[Allocation], *, run_id: int, category: str, listings: dict[int, Side],
                    orders: dict[int, Side], unit_of: dict[int, str], expires_at: datetime) -> Written:
    dialect = db.session.get_bind().dialect.name
    per_listing: dict[int, int] = defaultdict(int)
    for a in allocations:
        per_listing[a.supply_id] += a.quantity
    listings_ok = _reserve_listings(dialect, per_listing, listings)
    kept = [a for a in allocations if a.supply_id in listings_ok]
    per_order: dict[int, int] = defaultdict(int)
    for a in kept:
        per_order[a.demand_id] += a.quantity
    orders_ok = _reserve_orders(dialect, per_order, orders)
    given_back: dict[int, int] = defaultdict(int)
    for a in kept:
        if a.demand_id not in orders_ok:
            given_back[a.supply_id] += a.quantity
    _unreserve_listings(dialect, given_back)
    final = [a for a in kept if a.demand_id in orders_ok]

    now = utcnow()
    rows = [{
        "run_id": run_id, "listing_id": a.supply_id, "order_id": a.demand_id,
        "producer_id": listings[a.supply_id].owner_id, "distributor_id": orders[a.demand_id].owner_id,
        "category": category, "unit": unit_of[a.supply_id], "quantity": a.quantity, "unit_price": a.unit_price,
        "score": a.score, "breakdown": a.breakdown.to_dict(), "status": MatchStatus.PROPOSED,
        "listing_revision": listings[a.supply_id].revision, "order_revision": orders[a.demand_id].revision,
        "approved_by_policy": False, "expires_at": expires_at, "created_at": now, "updated_at": now,
    } for a in final]
    if rows:
        ids = db.session.scalars(insert(Match).returning(Match.id, sort_by_parameter_order=True), rows).all()
        db.session.execute(insert(AuditLog), [{
            "actor_id": None, "actor_label": "system", "action": "match.proposed", "target_type": "match",
            "target_id": match_id, "details": {"run_id": run_id, "listing_id": row["listing_id"],
                                               "order_id": row["order_id"], "quantity": row["quantity"]},
            "created_at": now} for match_id, row in zip(ids, rows)])
    return Written(matches=len(final), quantity=sum(a.quantity for a in final),
                   total_score=sum(a.quantity * a.score for a in final), stale=len(allocations) - len(final))
