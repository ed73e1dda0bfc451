"""The admin dashboard and its CSV exports with 100,000 listings, orders and matches on PostgreSQL.

Starts a throwaway PostgreSQL server (the integration tests' code), seeds the
marketplace of ``bench/instances.py`` with COPY, runs the engine once (about
10^5 proposals), confirms every other proposal with a made-up delay so the
fill rate and the median have work to do, then times through the Flask test
client with an admin's bearer token:

- GET /api/v1/admin/dashboard (SQL statements per request, median of runs);
- GET /api/v1/admin/exports/matches.csv, read chunk by chunk as a client
  would, and the largest amount of Python memory held while streaming
  (tracemalloc, on a separate pass) against the size of the file;
- GET /api/v1/admin/exports/unmet-demand.csv.

Baselines: for the dashboard, one count(*) over each table it reads (what
any aggregate over them must at least scan); for the matches export,
PostgreSQL's own ``COPY (same join) TO STDOUT CSV`` read through psycopg,
the fastest these rows can leave the database.

    .venv/bin/python -m bench.bench_dashboard [--size 100000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_match_run import peak_rss_mb  # noqa: E402
from marketplace.matches.benchmark import sql_timer, timed_run  # noqa: E402
from marketplace.matches.synthetic import seed_marketplace  # noqa: E402

EXPORT_SQL = """
    SELECT m.id, m.status, m.category, l.title, pp.display_name, l.province_code, dp.display_name,
           o.delivery_province_code, m.quantity, m.unit, m.unit_price, m.quantity * m.unit_price, m.score,
           m.created_at, m.approved_at, m.confirmed_at, m.fulfilled_at, m.approved_by_policy
    FROM matches m JOIN listings l ON l.id = m.listing_id JOIN demand_orders o ON o.id = m.order_id
    LEFT JOIN profiles pp ON pp.user_id = m.producer_id LEFT JOIN profiles dp ON dp.user_id = m.distributor_id
    ORDER BY m.id"""


def confirm_half() -> int:
    """Every other proposal confirmed 1 to 240 hours after its order was posted
    (orders posted over the last 60 days), so the period filters bite."""
    from sqlalchemy import text

    from marketplace.core.extensions import db

    db.session.execute(text(
        "UPDATE demand_orders SET created_at = now() - (id % 60) * interval '1 day'"))
    confirmed = db.session.execute(text(
        "UPDATE matches m SET status = 'confirmed', approved_at = o.created_at, "
        "producer_accepted_at = o.created_at, distributor_accepted_at = o.created_at, expires_at = NULL, "
        "confirmed_at = o.created_at + (1 + m.id % 240) * interval '1 hour' "
        "FROM demand_orders o WHERE o.id = m.order_id AND m.id % 2 = 0")).rowcount
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return confirmed


def timed(call, repeat: int) -> tuple[float, object]:
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def streamed(client, path: str, headers: dict) -> tuple[int, int, int]:
    """Reads a streamed answer chunk by chunk: (status, bytes, chunks)."""
    response = client.get(path, headers=headers)
    size = chunks = 0
    for chunk in response.response:
        size += len(chunk)
        chunks += 1
    response.close()
    return response.status_code, size, chunks


def copy_baseline() -> tuple[float, int]:
    from marketplace.core.extensions import db

    connection = db.engine.raw_connection()
    try:
        started = time.perf_counter()
        size = 0
        with connection.driver_connection.cursor() as cursor:
            with cursor.copy(f"COPY ({EXPORT_SQL}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    size += len(block)
        return time.perf_counter() - started, size
    finally:
        connection.close()


def table_scans() -> float:
    from sqlalchemy import text

    from marketplace.core.extensions import db

    started = time.perf_counter()
    for table in ("listings", "demand_orders", "matches"):
        db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    db.session.rollback()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="listings, and as many orders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import psycopg

    from tests.support.servers import PostgresServer

    server = PostgresServer.start()
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-instance-")
    try:
        with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        from flask_migrate import upgrade
        from sqlalchemy import func, select

        from marketplace.app import create_app
        from marketplace.auth.tokens import create_token
        from marketplace.core.extensions import db
        from marketplace.models import Match
        from marketplace.models.user import Role
        from tests.support.factories import UserFactory

        app = create_app({"SQLALCHEMY_DATABASE_URI": server.url("bench"), "OUTBOX_RELAY": "off",
                          "RATELIMIT_ENABLED": False})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            seeded = seed_marketplace(args.size, args.seed)
            print(f"seeded {seeded['listings']:,} listings and {seeded['orders']:,} orders "
                  f"in {seeded['generate_s'] + seeded['insert_s']:.1f} s", flush=True)
            run = timed_run()
            confirmed = confirm_half()
            matches = db.session.scalar(select(func.count()).select_from(Match))
            print(f"run {run['run_id']}: {run['matches']:,} proposals in {run['wall_s']:.1f} s; "
                  f"{confirmed:,} of {matches:,} matches marked confirmed", flush=True)
            headers = {"Authorization": f"Bearer {create_token(UserFactory(role=Role.ADMIN), 'bench').secret}",
                       "Accept-Language": "vi"}
            db.session.remove()
        client = app.test_client()

        with app.app_context():
            scans = statistics.median(table_scans() for _ in range(args.repeat))
            with sql_timer(db.engine) as statements:
                response = client.get("/api/v1/admin/dashboard?days=30", headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            body = response.get_json()
            dashboard_s, _ = timed(lambda: client.get("/api/v1/admin/dashboard?days=30", headers=headers),
                                   args.repeat)
            all_time_s, _ = timed(lambda: client.get("/api/v1/admin/dashboard?days=0", headers=headers),
                                  args.repeat)
            copy_s, copy_bytes = copy_baseline()
            export_s, (status, size, chunks) = timed(
                lambda: streamed(client, "/api/v1/admin/exports/matches.csv", headers), max(1, args.repeat // 2))
            assert status == 200
            tracemalloc.start()
            streamed(client, "/api/v1/admin/exports/matches.csv", headers)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            unmet_s, (unmet_status, unmet_size, _chunks) = timed(
                lambda: streamed(client, "/api/v1/admin/exports/unmet-demand.csv", headers), args.repeat)
            assert unmet_status == 200

        count = sum(n for n, _seconds in statements.values())
        fill, waits = body["fill_rate"], body["time_to_confirm"]
        print(f"\ndashboard (last 30 days): {dashboard_s * 1000:.0f} ms median of {args.repeat}, "
              f"{count} SQL statements ({', '.join(f'{k} {n}' for k, (n, _s) in sorted(statements.items()))}); "
              f"all time {all_time_s * 1000:.0f} ms")
        print(f"  {len(body['by_category'])} categories, {len(body['by_province'])} provinces, "
              f"{len(body['balance_by_province'])} province-unit balances; fill rate over {fill['orders']:,} "
              f"orders, median time to confirm over {waits['matches']:,} matches: {waits['median_text']}")
        print(f"  baseline: count(*) of listings, orders and matches {scans * 1000:.0f} ms; "
              f"dashboard / baseline = {dashboard_s / scans:.1f}")
        print(f"matches.csv: {size / 1e6:.1f} MB in {chunks:,} chunks, {export_s:.2f} s "
              f"({matches / export_s:,.0f} rows/s); Python memory peak while streaming "
              f"{peak / 1e6:.1f} MB = {peak / size:.2f} of the file")
        print(f"  baseline: PostgreSQL COPY of the same join as CSV {copy_s:.2f} s ({copy_bytes / 1e6:.1f} MB); "
              f"export / COPY = {export_s / copy_s:.1f}")
        print(f"unmet-demand.csv: {unmet_size / 1e3:.1f} kB in {unmet_s * 1000:.0f} ms")
        print(f"peak RSS of this process {peak_rss_mb():.0f} MB")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
