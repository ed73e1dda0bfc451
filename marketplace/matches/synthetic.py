"""A synthetic marketplace in the database: the engine's seeded instances
(``matching.instances``) written as active listings and open orders, for
``flask bench-match`` and the benchmarks. Development databases only."""
from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import func, insert, select, text

from marketplace.auth.passwords import hash_password
from marketplace.core.clock import local_today
from marketplace.core.extensions import db
from marketplace.geo import all_provinces
from marketplace.matching import Demand, Supply
from marketplace.matching.instances import generate
from marketplace.models import DemandOrder, Listing, ListingCertification, OrderRequiredCertification, User


def seed_marketplace(size: int, seed: int = 0, *, category: str | None = None) -> dict:
    """Writes ``size`` listings and ``size`` orders into the app's database and commits."""
    started = time.perf_counter()
    supplies, demands, _now = generate(size, size, seed, now=local_today())
    generated = time.perf_counter()
    counts = store(db.session, supplies, demands, category=category)
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {**counts, "generate_s": generated - started, "insert_s": time.perf_counter() - generated}


def _nearest_codes(points: list[tuple[float, float]]) -> dict[tuple[float, float], str]:
    """The generator speaks in coordinates; the database stores province codes."""
    provinces = all_provinces()
    return {point: min(provinces, key=lambda p: (p.lat - point[0]) ** 2 + (p.lon - point[1]) ** 2).code
            for point in set(points)}


def store(session, supplies: list[Supply], demands: list[Demand], *, category: str | None = None,
          per_owner: int = 50) -> dict:
    """Writes a generated marketplace as active listings and open orders, in bulk.

    ``category`` puts every row in that one category (one big run part).
    PostgreSQL gets COPY (100k rows in about a second); other databases get
    multi-row INSERTs. The caller commits.
    """
    copy = session.get_bind().dialect.name == "postgresql"
    now = datetime.now(UTC)
    tag = f"{now.timestamp():.6f}".replace(".", "")
    password = hash_password("bench-password-1")
    n_producers = max(1, -(-len(supplies) // per_owner))
    n_distributors = max(1, -(-len(demands) // per_owner))
    users = [{"email": f"bench-{role}-{i}-{tag}@bench.vn", "password_hash": password, "role": role,
              "status": "active", "locale": "vi", "session_token": f"{role[0]}{i}-{tag}", "created_at": now}
             for role, n in (("producer", n_producers), ("distributor", n_distributors)) for i in range(n)]
    session.execute(insert(User), users)
    ids = dict(session.execute(select(User.email, User.id).where(User.email.like(f"bench-%-{tag}@bench.vn"))).all())
    producers = [ids[f"bench-producer-{i}-{tag}@bench.vn"] for i in range(n_producers)]
    distributors = [ids[f"bench-distributor-{i}-{tag}@bench.vn"] for i in range(n_distributors)]
    code_of = _nearest_codes([(s.lat, s.lon) for s in supplies] + [(d.lat, d.lon) for d in demands])

    listings = []
    for n, s in enumerate(supplies):
        start, end = s.available_from, s.available_until
        if start and end and end < start:
            end = None
        title = f"{s.category} lot {s.id}"
        listings.append({
            "producer_id": producers[n % n_producers], "title": title, "description": "",
            "category": category or s.category, "unit": s.unit, "quantity": s.quantity, "reserved_quantity": 0,
            "sold_quantity": 0, "min_order_quantity": min(s.min_order_quantity, s.quantity),
            "unit_price": s.unit_price, "available_from": start, "available_until": end, "stars": s.stars,
            "province_code": code_of[(s.lat, s.lon)], "status": "active", "search_text": title.lower(),
            "revision": 1, "created_at": now, "updated_at": now})
    orders = []
    for n, d in enumerate(demands):
        title = f"{d.category} order {d.id}"
        orders.append({
            "distributor_id": distributors[n % n_distributors], "title": title, "description": "",
            "category": category or d.category, "unit": d.unit, "quantity": d.quantity, "reserved_quantity": 0,
            "fulfilled_quantity": 0, "max_unit_price": d.max_unit_price, "needed_by": d.needed_by,
            "delivery_province_code": code_of[(d.lat, d.lon)], "min_stars": d.min_stars,
            "allow_split": d.allow_split, "status": "open", "search_text": title.lower(), "revision": 1,
            "created_at": now, "updated_at": now})

    first_listing = _bulk(session, Listing, listings, copy)
    first_order = _bulk(session, DemandOrder, orders, copy)
    # Rows keep the generator's order, so the n-th new id is the n-th row.
    _bulk(session, ListingCertification, [
        {"listing_id": first_listing + n, "code": code.lower()}
        for n, s in enumerate(supplies) for code in sorted(s.certifications)], copy)
    _bulk(session, OrderRequiredCertification, [
        {"order_id": first_order + n, "code": code.lower()}
        for n, d in enumerate(demands) for code in sorted(d.required_certifications)], copy)
    return {"producers": n_producers, "distributors": n_distributors, "listings": len(listings),
            "orders": len(orders)}


def _bulk(session, model, rows: list[dict], copy: bool) -> int:
    """Inserts rows with consecutive ids; returns the first id."""
    table = model.__table__
    if not rows:
        return 0
    if not copy:
        start = (session.scalar(select(func.max(table.c.id))) or 0) + 1
        session.execute(insert(model), [{"id": start + n, **row} for n, row in enumerate(rows)])
        return start
    # COPY bypasses the id default: the block is taken from the sequence up front
    # (a bench or a CLI seed is the only writer then).
    sequence = session.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
    start = session.scalar(text("SELECT nextval(:s)"), {"s": sequence})
    session.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": start + len(rows) - 1})
    columns = ["id", *rows[0]]
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copier:
        for n, row in enumerate(rows):
            copier.write_row((start + n, *row.values()))
    return start
