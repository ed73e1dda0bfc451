"""Writing a run's allocations: reservations first, matches second, all in
the caller's transaction.

Each side is reserved with one conditional UPDATE over all its rows
(``WHERE revision = <seen> AND room >= q RETURNING id``): a listing or order
edited, paused or filled since the engine read it keeps its figures, and the
allocations on it are dropped as stale. The CHECK constraints stay the last
word. On PostgreSQL the rows travel as arrays and the matches by COPY, so a
100k × 100k run writes in seconds; SQLite gets the same statements fed from
a JSON parameter.
"""
from __future__ import annotations

import json
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from time import perf_counter

from sqlalchemy import insert, text

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.matches.loading import Side
from marketplace.matching import Allocation
from marketplace.models import Match, MatchStatus

_MATCH_COLUMNS = ("run_id", "listing_id", "order_id", "producer_id", "distributor_id", "category", "unit",
                  "quantity", "unit_price", "score", "breakdown", "status", "listing_revision", "order_revision",
                  "approved_by_policy", "expires_at", "created_at", "updated_at")


@dataclass
class Written:
    """One category's share of what was written."""
    matches: int = 0
    quantity: int = 0
    total_score: float = 0.0
    stale: int = 0


def _rows(dialect: str, rows: dict[int, tuple[int, int]]) -> tuple[str, dict]:
    """A table v(id, q, rev) and its parameters: arrays on PostgreSQL, JSON on SQLite."""
    ids = list(rows)
    if dialect == "postgresql":
        return ("unnest(CAST(:ids AS bigint[]), CAST(:qs AS bigint[]), CAST(:revs AS integer[])) AS v(id, q, rev)",
                {"ids": ids, "qs": [rows[i][0] for i in ids], "revs": [rows[i][1] for i in ids]})
    payload = json.dumps([[i, *rows[i]] for i in ids])
    return ("(SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS q, "
            "json_extract(value, '$[2]') AS rev FROM json_each(:rows)) AS v", {"rows": payload})


def _reserve_listings(dialect: str, wanted: dict[int, tuple[int, int]]) -> set[int]:
    if not wanted:
        return set()
    source, params = _rows(dialect, wanted)
    return set(db.session.scalars(text(f"""
        UPDATE listings SET reserved_quantity = listings.reserved_quantity + v.q,
               status = CASE WHEN listings.quantity - listings.reserved_quantity - v.q <= 0
                             THEN 'sold_out' ELSE listings.status END
        FROM {source}
        WHERE listings.id = v.id AND listings.revision = v.rev AND listings.status = 'active'
          AND listings.quantity - listings.reserved_quantity >= v.q
        RETURNING listings.id"""), params))


def _reserve_orders(dialect: str, wanted: dict[int, tuple[int, int]]) -> set[int]:
    if not wanted:
        return set()
    source, params = _rows(dialect, wanted)
    return set(db.session.scalars(text(f"""
        UPDATE demand_orders SET reserved_quantity = demand_orders.reserved_quantity + v.q,
               status = CASE WHEN demand_orders.reserved_quantity + demand_orders.fulfilled_quantity + v.q
                                  >= demand_orders.quantity
                             THEN 'matched' ELSE 'partially_matched' END
        FROM {source}
        WHERE demand_orders.id = v.id AND demand_orders.revision = v.rev
          AND demand_orders.status IN ('open', 'partially_matched')
          AND demand_orders.quantity - demand_orders.reserved_quantity - demand_orders.fulfilled_quantity >= v.q
        RETURNING demand_orders.id"""), params))


def _unreserve_listings(dialect: str, given_back: dict[int, int]) -> None:
    """Undoes this transaction's own reservation on listings whose order turned out stale."""
    if not given_back:
        return
    source, params = _rows(dialect, {i: (q, 0) for i, q in given_back.items()})
    db.session.execute(text(f"""
        UPDATE listings SET reserved_quantity = listings.reserved_quantity - v.q,
               status = CASE WHEN listings.status = 'sold_out' THEN 'active' ELSE listings.status END
        FROM {source} WHERE listings.id = v.id"""), params)


def _summed(allocations, key, sides: dict[int, Side]) -> dict[int, tuple[int, int]]:
    total: dict[int, int] = defaultdict(int)
    for a in allocations:
        total[key(a)] += a.quantity
    return {i: (q, sides[i].revision) for i, q in total.items()}


def write_proposals(allocations: list[Allocation], *, run_id: int, listings: dict[int, Side],
                    orders: dict[int, Side], expires_at: datetime,
                    timings: dict[str, float] | None = None) -> dict[str, Written]:
    """Reserves and records what can still be promised; returns figures per
    category, and adds the seconds of each step to ``timings``."""
    timings = {} if timings is None else timings
    clock = perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        timings[name] = timings.get(name, 0.0) + perf_counter() - clock
        clock = perf_counter()

    dialect = db.session.get_bind().dialect.name
    now = utcnow()
    copy_data = None
    if dialect == "postgresql" and allocations:
        # Usually nothing went stale, so the COPY buffer for every allocation
        # is built while the server runs the two reservation UPDATEs (psycopg
        # waits for them without the GIL).
        builder = ThreadPoolExecutor(max_workers=1)
        copy_data = builder.submit(_copy_data, allocations, run_id, listings, orders, expires_at, now)
        builder.shutdown(wait=False)
    listings_ok = _reserve_listings(dialect, _summed(allocations, lambda a: a.supply_id, listings))
    kept = [a for a in allocations if a.supply_id in listings_ok]
    orders_ok = _reserve_orders(dialect, _summed(kept, lambda a: a.demand_id, orders))
    given_back: dict[int, int] = defaultdict(int)
    for a in kept:
        if a.demand_id not in orders_ok:
            given_back[a.supply_id] += a.quantity
    _unreserve_listings(dialect, given_back)
    lap("write_reserve")

    figures: dict[str, Written] = defaultdict(Written)
    final = []
    for a in allocations:
        written = figures[listings[a.supply_id].category]
        if a.supply_id in listings_ok and a.demand_id in orders_ok:
            final.append(a)
            written.matches += 1
            written.quantity += a.quantity
            written.total_score += a.quantity * a.score
        else:
            written.stale += 1
    if final:
        if dialect == "postgresql":
            data = copy_data.result()
            if len(final) != len(allocations):
                data = _copy_data(final, run_id, listings, orders, expires_at, now)
            _copy_matches(data)
        else:
            db.session.execute(insert(Match), [dict(zip(_MATCH_COLUMNS, row, strict=True)) for row in
                                               _match_rows(final, run_id, listings, orders, expires_at, now)])
        lap("write_matches")
    return dict(figures)


def _match_rows(final, run_id, listings, orders, expires_at, now):
    for a in final:
        listing, order = listings[a.supply_id], orders[a.demand_id]
        yield (run_id, a.supply_id, a.demand_id, listing.owner_id, order.owner_id, listing.category, listing.unit,
               a.quantity, a.unit_price, a.score, a.breakdown.to_dict(), MatchStatus.PROPOSED.value,
               listing.revision, order.revision, False, expires_at, now, now)


def breakdown_json(b) -> str:
    """The breakdown as JSON, formatted directly: json.dumps of 10^5 dicts cost
    0.4 s of a full run. Its fields are finite numbers and one optional int."""
    slack = "null" if b.days_of_slack is None else int(b.days_of_slack)
    return (f'{{"price_saving_pct": {float(b.price_saving_pct)!r}, "distance_km": {float(b.distance_km)!r}, '
            f'"stars": {int(b.stars)}, "min_stars": {int(b.min_stars)}, "ready_in_days": {int(b.ready_in_days)}, '
            f'"days_of_slack": {slack}, "price_part": {float(b.price_part)!r}, '
            f'"distance_part": {float(b.distance_part)!r}, "stars_part": {float(b.stars_part)!r}, '
            f'"availability_part": {float(b.availability_part)!r}, "score": {float(b.score)!r}, '
            f'"reliability_part": {float(b.reliability_part)!r}}}')


def _copy_data(final, run_id, listings, orders, expires_at, now) -> str:
    """The matches in COPY's text format. Every value is a number, a
    timestamp or a code from our own reference lists, and the breakdown is
    JSON of numbers, so nothing needs COPY escaping (checked)."""
    tail = f"\tproposed\t{{}}\t{{}}\tf\t{expires_at.isoformat()}\t{now.isoformat()}\t{now.isoformat()}\n"
    lines = []
    for a in final:
        listing, order = listings[a.supply_id], orders[a.demand_id]
        lines.append(
            f"{run_id}\t{a.supply_id}\t{a.demand_id}\t{listing.owner_id}\t{order.owner_id}\t{listing.category}"
            f"\t{listing.unit}\t{a.quantity}\t{a.unit_price}\t{a.score!r}\t{breakdown_json(a.breakdown)}"
            + tail.format(listing.revision, order.revision))
    data = "".join(lines)
    if "\\" in data or "\r" in data:
        raise ValueError("unexpected value in COPY data")
    return data


def _copy_matches(data: str) -> None:
    """COPY, written as one buffer: an order of magnitude faster than INSERT
    for 10^5 rows (bench/bench_match_run.py)."""
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY matches ({', '.join(_MATCH_COLUMNS)}) FROM STDIN") as copy:
        copy.write(data)
