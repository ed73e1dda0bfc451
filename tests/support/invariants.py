"""The marketplace's promises as SQL: each query lists what breaks one, and
all must come back empty, read on a connection of its own (nothing cached)."""
from __future__ import annotations

from sqlalchemy import create_engine, text

# Each query lists what breaks a promise the marketplace makes; all must come back empty.
INVARIANTS = {
    "listing reserves more than it has": """
        SELECT id FROM listings WHERE reserved_quantity < 0 OR reserved_quantity > quantity""",
    "order filled past its quantity": """
        SELECT id FROM demand_orders
        WHERE reserved_quantity < 0 OR fulfilled_quantity < 0 OR reserved_quantity + fulfilled_quantity > quantity""",
    "listing reservation without a live match": """
        SELECT l.id FROM listings l LEFT JOIN (
            SELECT listing_id, sum(quantity) AS q FROM matches
            WHERE status IN ('proposed', 'approved', 'confirmed', 'shipped') GROUP BY listing_id) m
            ON m.listing_id = l.id
        WHERE l.reserved_quantity <> coalesce(m.q, 0)""",
    "order reservation without a live match": """
        SELECT o.id FROM demand_orders o LEFT JOIN (
            SELECT order_id, sum(quantity) AS q FROM matches
            WHERE status IN ('proposed', 'approved', 'confirmed', 'shipped') GROUP BY order_id) m ON m.order_id = o.id
        WHERE o.reserved_quantity <> coalesce(m.q, 0)""",
    "order delivery without a fulfilled match": """
        SELECT o.id FROM demand_orders o LEFT JOIN (
            SELECT order_id, sum(coalesce(received_quantity, quantity)) AS q FROM matches WHERE status = 'fulfilled'
            GROUP BY order_id) m
            ON m.order_id = o.id
        WHERE o.fulfilled_quantity <> coalesce(m.q, 0)""",
    "listing sale without a fulfilled match": """
        SELECT l.id FROM listings l LEFT JOIN (
            SELECT listing_id, sum(coalesce(received_quantity, quantity)) AS q FROM matches
            WHERE status = 'fulfilled' GROUP BY listing_id) m
            ON m.listing_id = l.id
        WHERE l.sold_quantity <> coalesce(m.q, 0)""",
    "pair with two live matches": """
        SELECT listing_id, order_id FROM matches WHERE status IN ('proposed', 'approved', 'confirmed', 'shipped')
        GROUP BY listing_id, order_id HAVING count(*) > 1""",
    "open counter-offer on a match no longer waiting for answers": """
        SELECT o.id FROM offers o JOIN matches m ON m.id = o.match_id
        WHERE o.status = 'open' AND m.status <> 'approved'""",
    "shipped more than the match holds, or received more than shipped": """
        SELECT id FROM matches WHERE shipped_quantity > quantity
           OR (received_quantity IS NOT NULL AND shipped_quantity > 0 AND received_quantity > shipped_quantity)""",
    "match with two open counter-offers": """
        SELECT match_id FROM offers WHERE status = 'open' GROUP BY match_id HAVING count(*) > 1""",
}


def sql(url: str, statement: str, **params):
    """A fresh connection per check: what another client would see right now."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(statement), params).all()
    finally:
        engine.dispose()


def broken_invariants(database_url: str) -> dict[str, list]:
    """What breaks the invariants, read on a connection of its own (nothing cached)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = {name: [tuple(row) for row in connection.execute(text(sql))] for name, sql in INVARIANTS.items()}
    finally:
        engine.dispose()
    return {name: rows for name, rows in found.items() if rows}
