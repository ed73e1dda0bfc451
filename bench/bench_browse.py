"""Browse speed with 100,000 listings on PostgreSQL.

Seeds a throwaway PostgreSQL server (the same fixture code the integration
tests use) with producers and listings, then times the common catalogue
queries through the Flask test client, on the web page and on the JSON API,
and counts SQL statements per request. The baseline is the same requests
with the browse indexes dropped, so the ratio shows what the indexes buy.

    .venv/bin/python -m bench.bench_browse [--listings 100000] [--repeat 40]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, text  # noqa: E402

QUERIES = [
    ("newest first", "sort=newest"),
    ("sub-category, cheapest first", "category=food.rice&sort=price_asc"),
    ("group category, page 20", "category=food&page=20"),
    ("old province name", "province=B%E1%BA%A1c%20Li%C3%AAu"),
    ("text without diacritics", "q=nuoc%20mam"),
    ("stars + certification", "min_stars=4&certification=vietgap"),
    ("price range, cheapest first", "min_price=20000&max_price=60000&sort=price_asc"),
    ("distance from me", "sort=distance&category=beverages.tea"),
]

PRODUCTS = [
    ("food.fish_sauce", "Nước mắm {place} {n} độ đạm", "l", 120_000, 40),
    ("food.rice", "Gạo ST25 {place}", "kg", 30_000, 25),
    ("food.rice", "Gạo nàng thơm {place}", "kg", 24_000, 25),
    ("food.seafood", "Tôm khô {place}", "kg", 900_000, 10),
    ("food.honey", "Mật ong {place}", "l", 380_000, 15),
    ("beverages.tea", "Chè {place} búp", "kg", 500_000, 10),
    ("beverages.coffee", "Cà phê {place} rang mộc", "kg", 280_000, 10),
    ("crafts.handicrafts", "Nón lá {place}", "piece", 80_000, 5),
    ("herbal.essential_oils", "Tinh dầu sả {place}", "l", 600_000, 5),
    ("food.processed", "Khô cá lóc {place}", "kg", 350_000, 15),
]


def _weighted_products(rng):
    weights = [p[4] for p in PRODUCTS]
    return rng.choices(PRODUCTS, weights=weights, k=1)[0]


def seed(app, listings: int, rng: random.Random) -> None:
    from marketplace.auth.passwords import hash_password
    from marketplace.core.extensions import db
    from marketplace.geo import all_provinces, fold
    from marketplace.models import Listing, ListingCertification, Profile, User

    provinces = all_provinces()
    producers = max(1, listings // 50)
    password = hash_password("bench-password-1")
    with app.app_context():
        db.session.execute(insert(User), [
            {"email": f"p{i}@bench.vn", "password_hash": password, "role": "producer", "status":
             "suspended" if i % 97 == 0 else "active", "locale": "vi", "session_token": f"t{i}"}
            for i in range(producers)])
        ids = [row[0] for row in db.session.execute(text("SELECT id FROM users ORDER BY id"))]
        db.session.execute(insert(Profile), [
            {"user_id": uid, "display_name": f"HTX số {uid}", "kind": "cooperative",
             "province_code": provinces[uid % len(provinces)].code, "phone": "0912345678"} for uid in ids])
        batch = []
        for _ in range(listings):
            category, template, unit, price, _weight = _weighted_products(rng)
            province = rng.choice(provinces)
            title = template.format(place=province.name, n=rng.choice((30, 35, 40)))
            status = rng.choices(["active", "paused", "draft", "sold_out"], weights=[85, 6, 5, 4])[0]
            quantity = rng.randint(10, 5000)
            batch.append({
                "producer_id": rng.choice(ids), "title": title, "description": "Hàng mẫu cho đo tốc độ.",
                "category": category, "unit": unit, "quantity": quantity, "reserved_quantity": 0,
                "min_order_quantity": 1, "unit_price": int(price * rng.uniform(0.7, 1.4)),
                "stars": rng.choice((0, 3, 3, 4, 4, 5)), "province_code": province.code, "status": status,
                "search_text": fold(title), "revision": 1})
            if len(batch) == 10_000:
                db.session.execute(insert(Listing), batch)
                batch = []
        if batch:
            db.session.execute(insert(Listing), batch)
        listing_ids = [row[0] for row in db.session.execute(text("SELECT id FROM listings"))]
        certified = rng.sample(listing_ids, k=len(listing_ids) // 3)
        db.session.execute(insert(ListingCertification), [
            {"listing_id": lid, "code": rng.choice(("vietgap", "ocop", "haccp", "organic"))} for lid in certified])
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()


@contextmanager
def counting_statements(engine):
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


def measure(app, client, headers, base_url, repeat):
    from marketplace.core.extensions import db

    with app.app_context():
        engine = db.engine
    results = []
    for label, query in QUERIES:
        url = f"{base_url}?{query}"
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.get_data(as_text=True)[:300])
        timings = []
        with counting_statements(engine) as counter:
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        results.append((label, statistics.median(timings), timings[int(len(timings) * 0.95) - 1],
                        counter["n"] / repeat))
    return results


BROWSE_INDEXES = ["ix_listings_browse_category_price", "ix_listings_browse_province_price",
                  "ix_listings_browse_created", "ix_listings_browse_price", "ix_listings_search_text_trgm",
                  "ix_listing_certifications_code_listing"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
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

        from marketplace.app import create_app
        from marketplace.core.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": server.url("bench"), "RATELIMIT_ENABLED": False,
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
        started = time.perf_counter()
        seed(app, args.listings, random.Random(2026))
        print(f"seeded {args.listings:,} listings in {time.perf_counter() - started:.1f} s")

        client = app.test_client()
        client.set_cookie("lang", "en")
        client.post("/auth/login", data={"email": "p1@bench.vn", "password": "bench-password-1"})
        api_headers = {}
        token_response = client.post("/api/v1/auth/tokens", json={"email": "p1@bench.vn",
                                                                  "password": "bench-password-1"})
        surfaces = [("page /listings", "/listings", {})]
        if token_response.status_code == 201:
            api_headers = {"Authorization": f"Bearer {token_response.get_json()['token']}",
                           "Accept-Language": "en"}
            surfaces.append(("API /api/v1/listings", "/api/v1/listings", api_headers))

        indexed = {name: measure(app, client, headers, url, args.repeat) for name, url, headers in surfaces}
        with app.app_context():
            for index in BROWSE_INDEXES:
                db.session.execute(text(f"DROP INDEX IF EXISTS {index}"))
            db.session.execute(text("ANALYZE"))
            db.session.commit()
        baseline = {name: measure(app, client, headers, url, max(5, args.repeat // 4))
                    for name, url, headers in surfaces}

        print(f"\n{args.listings:,} listings on PostgreSQL, {args.repeat} requests per query, "
              "through the Flask test client (ms)")
        for name, _url, _headers in surfaces:
            print(f"\n{name}")
            print(f"{'query':34} {'p50':>7} {'p95':>7} {'SQL/req':>8} {'p95 no idx':>11} {'ratio':>7}")
            for (label, p50, p95, statements), (_l, _b50, b95, _s) in zip(indexed[name], baseline[name], strict=True):
                print(f"{label:34} {p50:7.1f} {p95:7.1f} {statements:8.1f} {b95:11.1f} {b95 / p95:6.1f}x")
            worst = max(row[2] for row in indexed[name])
            print(f"worst p95 {worst:.1f} ms (target <= 50 ms: {'met' if worst <= 50 else 'MISSED'})")
        with app.app_context():
            db.engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
