"""A full match run from PostgreSQL to PostgreSQL: 100,000 listings × 100,000 orders.

Starts a throwaway PostgreSQL server (the integration tests' code), writes a
seeded marketplace from ``bench/instances.py`` with COPY, then times
``runs.run_inline`` — the same code a worker runs for each category, here
all in this process — per phase (load, engine, write) from the run's own
timings, and the SQL inside the write phase by statement kind.

    .venv/bin/python -m bench.bench_match_run [--size 100000] [--seed 0]
    .venv/bin/python -m bench.bench_match_run --engine-parts [--size 100000]   # no database
    .venv/bin/python -m bench.bench_match_run --celery [--size 100000]         # a real worker pool

``--celery`` measures issue #18 item 4 through a real worker pool: after seeding,
the database is copied (a template), a ``celery worker`` with two prefork processes
(Redis broker, as the integration tests start it) runs a full run's per-category
parts (``dispatch_parts``: a Celery group), and ``runs.run_inline`` makes one engine
call over everything on the copy. It prints quantity, score, wall and CPU of both
and their ratios (the worker's CPU from /proc, its process tree; it includes each
part's loading and writing, as the one call's includes its own).

``--engine-parts`` measures the same without PostgreSQL or Celery: one
engine call per category (what a full run's parts do) through a
``multiprocessing`` pool of two daemonic processes, which, like Celery's prefork
workers, may not fork, so the engine runs serially in each; against one call over
everything in this process (which forks its own pool of one worker per core).
Not a real Celery worker pool: no broker, no database, no task overhead. It prints
both answers, their CPU and wall time, the ratios, and both against the all-pairs
greedy (``bench/baselines.py``, ~100 s and ~5.5 GB at 100k; ``--no-greedy`` skips it)
and the engine's own certified all-pairs bound.

Peak memory is the maximum resident set of this process and, separately, of
its largest reaped child (the engine forks for candidate generation from
50,000 rows; a run part of one category rarely gets there, and pg_ctl is a
child too; a fork's pages are shared copy-on-write, so the two do not add
up). Three ratios: the total against the 12 s target; against the run's own
engine phase (what loading and writing add); and against the engine alone on
the same instance in one call, as bench_matching.py runs it (what one engine
call per category costs).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from marketplace.matches.benchmark import report, timed_run  # noqa: E402
from marketplace.matches.synthetic import seed_marketplace  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def engine_in_one_call(size: int, seed: int) -> dict:
    """Every category in one engine call, no database: what the run's phases are measured against."""
    from bench.instances import generate
    from marketplace.core.clock import local_today
    from marketplace.matching import MatchConfig, match

    supplies, demands, now = generate(size, size, seed, now=local_today())
    started = time.perf_counter()
    result = match(supplies, demands, now=now, config=MatchConfig())
    return {"seconds": time.perf_counter() - started, "arcs": result.arcs, "quantity": result.matched_quantity}


def _part(categories: list[str]) -> dict:
    """One run part in a pool worker: the engine on the given categories' rows (inherited at fork)."""
    from marketplace.matching import match

    supplies = [x for x in _ROWS["supplies"] if x.category in categories]
    demands = [x for x in _ROWS["demands"] if x.category in categories]
    cpu = time.process_time()
    result = match(supplies, demands, now=_ROWS["now"])
    return {"quantity": result.matched_quantity, "score": result.total_score, "bound": result.bound_quantity,
            "cpu_s": time.process_time() - cpu, "pid": os.getpid()}


_ROWS: dict = {}


def engine_parts(size: int, seed: int, greedy: bool) -> None:
    """Issue #18 item 4 in process: per-category parts through a pool of two against one call."""
    import multiprocessing

    from bench.instances import generate
    from marketplace.matching import MatchConfig, match

    def cpu_now() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    supplies, demands, now = generate(size, size, seed)
    _ROWS.update(supplies=supplies, demands=demands, now=now)
    categories = sorted({x.category for x in supplies} | {x.category for x in demands})
    # Largest first, as the broker hands them out in order and the pool's tail stays short.
    rows = {c: 0 for c in categories}
    for x in (*supplies, *demands):
        rows[x.category] += 1
    categories.sort(key=lambda c: -rows[c])

    load = os.getloadavg()[0]
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(2) as pool:
        parts = pool.map(_part, [[c] for c in categories], chunksize=1)
    parts_wall = time.perf_counter() - started
    parts_load = os.getloadavg()[0]

    cpu, started = cpu_now(), time.perf_counter()
    one = match(supplies, demands, now=now, config=MatchConfig())
    one_wall, one_cpu = time.perf_counter() - started, cpu_now() - cpu
    one_load = os.getloadavg()[0]

    quantity = sum(p["quantity"] for p in parts)
    score = sum(p["score"] for p in parts)
    parts_cpu = sum(p["cpu_s"] for p in parts)
    bound = one.bound_quantity
    print(f"{size:,} x {size:,}, seed {seed}, {len(categories)} categories, "
          f"{len(os.sched_getaffinity(0))} cores")
    print(f"parts: {len(parts)} calls in a pool of 2 ({len({p['pid'] for p in parts})} processes): quantity "
          f"{quantity:,}, score {score:,.0f}, CPU {parts_cpu:.2f} s, wall {parts_wall:.2f} s "
          f"(load average {load:.1f} -> {parts_load:.1f}); their bounds sum to {sum(p['bound'] for p in parts):,}")
    print(f"one call: quantity {one.matched_quantity:,}, score {one.total_score:,.0f}, CPU {one_cpu:.2f} s, "
          f"wall {one_wall:.2f} s (load average {one_load:.1f}); all-pairs bound {bound:,}")
    print(f"parts / one call: quantity {quantity / one.matched_quantity:.5f}, score {score / one.total_score:.5f}, "
          f"CPU {parts_cpu / one_cpu:.3f}, wall {parts_wall / one_wall:.3f}")
    print(f"against the engine's certified all-pairs bound: parts {quantity / bound:.4f}, "
          f"one call {one.matched_quantity / bound:.4f}")
    if greedy:
        from bench.baselines import baselines
        from marketplace.matching.columns import build_columns

        started = time.perf_counter()
        b = baselines(build_columns(supplies, demands, now), MatchConfig(), with_bound=False)
        print(f"all-pairs greedy (bench/baselines.py, {time.perf_counter() - started:.0f} s): quantity "
              f"{b.greedy_quantity:,}, score {b.greedy_score:,.0f}; parts / greedy quantity "
              f"{quantity / b.greedy_quantity:.4f}, score {score / b.greedy_score:.4f}; one call / greedy "
              f"quantity {one.matched_quantity / b.greedy_quantity:.4f}, score {one.total_score / b.greedy_score:.4f}")


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children, from /proc (a Celery worker and its pool)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids = [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *_children(kid)]
    return found


def celery_parts(server, redis_url: str, size: int, seed: int) -> None:
    """Item 4 through a real worker: the run's per-category parts on a Celery worker with two prefork
    processes, against one engine call over everything (runs.run_inline) on a copy of the same database."""
    from marketplace.app import create_app
    from marketplace.core.extensions import db
    from marketplace.matches import runs
    from marketplace.models import RunTrigger
    from tests.support.servers import WorkerProcess

    env = {"DATABASE_URL": server.url("bench"), "CELERY_BROKER_URL": f"{redis_url}/0",
           "CELERY_RESULT_BACKEND": f"{redis_url}/1", "RATELIMIT_STORAGE_URI": f"{redis_url}/2",
           "INSTANCE_PATH": os.environ["INSTANCE_PATH"], "OUTBOX_RELAY": "off"}
    os.environ.update(env)
    worker = WorkerProcess(env, Path(os.environ["INSTANCE_PATH"]) / "worker.log", concurrency=2)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
        with app.app_context():
            from workers.matching import dispatch_parts

            time.sleep(5)  # the worker's own Flask app and pool start up
            cpu_before, load = _tree_cpu_seconds(worker.process.pid), os.getloadavg()[0]
            started = time.perf_counter()
            run = runs.start_run(RunTrigger.CLI)
            dispatch_parts(run.id)
            run = runs.wait_for(run.id, timeout=1800)
            parts_wall = time.perf_counter() - started
            parts_cpu = _tree_cpu_seconds(worker.process.pid) - cpu_before
            parts = {"status": run.status.value, "parts": run.parts_total, "quantity": run.quantity,
                     "score": run.total_score, "matches": run.matches, "engine_s": (run.timings or {}).get("engine", 0.0)}
            db.session.remove()
            db.engine.dispose()
    finally:
        worker.stop()
    print(f"Celery worker (2 prefork processes), load average {load:.1f} -> {os.getloadavg()[0]:.1f}: "
          f"run {parts['status']}, {parts['parts']} parts, {parts['matches']:,} matches for {parts['quantity']:,} "
          f"units, score {parts['score']:,.0f}; engine {parts['engine_s']:.2f} s summed over parts; "
          f"wall {parts_wall:.2f} s; worker CPU {parts_cpu:.2f} s", flush=True)

    # One call over the same rows: a copy of the database as it was before the run.
    app = create_app({"SQLALCHEMY_DATABASE_URI": server.url("bench_copy"), "OUTBOX_RELAY": "off"})
    with app.app_context():
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
        load, started = os.getloadavg()[0], time.perf_counter()
        run = runs.run_inline(RunTrigger.CLI)
        one_wall = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF)
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        one_cpu = own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime - cpu
        one = {"quantity": run.quantity, "score": run.total_score, "matches": run.matches,
               "engine_s": (run.timings or {}).get("engine", 0.0)}
        db.session.remove()
        db.engine.dispose()
    print(f"one call (runs.run_inline, this process), load average {load:.1f}: {one['matches']:,} matches for "
          f"{one['quantity']:,} units, score {one['score']:,.0f}; engine {one['engine_s']:.2f} s; wall "
          f"{one_wall:.2f} s; CPU {one_cpu:.2f} s")
    print(f"parts / one call: quantity {parts['quantity'] / one['quantity']:.5f}, score "
          f"{parts['score'] / one['score']:.5f}, CPU {parts_cpu / one_cpu:.3f}, wall {parts_wall / one_wall:.3f} "
          "(the run's CPU includes loading and writing; the worker's includes its idle polling)")


def probe_match_insert(limit: int = 200_000) -> dict:
    """Where the write phase's time goes: the run's own matches inserted again
    (as rejected, so the live-pair index lets them in) three ways, each rolled back."""
    import json

    from sqlalchemy import insert, select

    from marketplace.core.extensions import db
    from marketplace.models import Match

    columns = [c for c in Match.__table__.columns if c.name != "id"]
    rows = [dict(row._mapping) for row in db.session.execute(select(*columns).limit(limit))]
    db.session.rollback()
    for row in rows:
        row["status"] = "rejected"
    timings = {"rows": len(rows)}
    if not rows:
        return timings

    started = time.perf_counter()
    for row in rows:
        json.dumps(row["breakdown"])
    timings["json_dumps_s"] = time.perf_counter() - started

    def timed(name, write):
        started = time.perf_counter()
        write()
        db.session.flush()
        timings[name] = time.perf_counter() - started
        db.session.rollback()

    timed("insert_returning_sorted_s", lambda: db.session.scalars(
        insert(Match).returning(Match.id, sort_by_parameter_order=True), rows).all())
    timed("insert_returning_s", lambda: db.session.scalars(insert(Match).returning(Match.id), rows).all())
    timed("insert_no_returning_s", lambda: db.session.execute(insert(Match), rows))

    def copy():
        names = [c.name for c in columns]
        cursor = db.session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY matches ({', '.join(names)}) FROM STDIN") as copier:
            for row in rows:
                copier.write_row([json.dumps(row[n]) if n == "breakdown" else row[n] for n in names])
    timed("copy_s", copy)

    # One statement, one parameter, as the reservations are written: the ids come back
    # with their pairs (unique among live matches), so the audit rows need no ordering.
    written = ["run_id", "listing_id", "order_id", "producer_id", "distributor_id", "category", "unit", "quantity",
               "unit_price", "score", "breakdown", "status", "listing_revision", "order_revision",
               "approved_by_policy", "expires_at", "created_at", "updated_at"]
    types = {"category": "text", "unit": "text", "status": "text", "score": "float8", "breakdown": "json",
             "approved_by_policy": "boolean", "expires_at": "timestamptz", "created_at": "timestamptz",
             "updated_at": "timestamptz", "quantity": "bigint", "unit_price": "bigint"}
    recordset = ", ".join(f"{name} {types.get(name, 'integer')}" for name in written)

    def recordset_insert():
        from sqlalchemy import text as sql_text

        payload = json.dumps([{name: row[name] for name in written} for row in rows], default=str)
        db.session.execute(sql_text(
            f"WITH m AS (INSERT INTO matches ({', '.join(written)}) SELECT {', '.join(written)} "
            f"FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS v({recordset}) "
            "RETURNING id, run_id, listing_id, order_id, quantity, created_at) "
            "INSERT INTO audit_logs (actor_label, action, target_type, target_id, details, created_at) "
            "SELECT 'system', 'match.proposed', 'match', id, json_build_object('run_id', run_id, "
            "'listing_id', listing_id, 'order_id', order_id, 'quantity', quantity), created_at FROM m"),
            {"rows": payload})
    timed("recordset_insert_with_audit_s", recordset_insert)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000, help="listings, and as many orders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--probe-write", action="store_true",
                        help="afterwards, time the matches' insert three ways (rolled back)")
    parser.add_argument("--engine-parts", action="store_true",
                        help="no database: per-category engine calls in a pool of 2 against one call")
    parser.add_argument("--no-greedy", action="store_true", help="with --engine-parts: skip the all-pairs greedy")
    parser.add_argument("--celery", action="store_true",
                        help="the run's parts on a real Celery worker (2 prefork processes, Redis) vs one call")
    args = parser.parse_args()
    if args.engine_parts:
        engine_parts(args.size, args.seed, greedy=not args.no_greedy)
        return

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

        app = create_app({"SQLALCHEMY_DATABASE_URI": server.url("bench"), "OUTBOX_RELAY": "off"})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            seeded = seed_marketplace(args.size, args.seed)
            print(f"seeded {seeded['listings']:,} listings and {seeded['orders']:,} orders "
                  f"({seeded['producers']:,} producers, {seeded['distributors']:,} distributors): "
                  f"generated in {seeded['generate_s']:.1f} s, inserted in {seeded['insert_s']:.1f} s", flush=True)
            if args.celery:
                db.session.remove()
                db.engine.dispose()
        if args.celery:
            from tests.support.servers import RedisServer

            with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres",
                                 autocommit=True) as conn:
                conn.execute("CREATE DATABASE bench_copy TEMPLATE bench")
            redis = RedisServer.start()
            try:
                celery_parts(server, redis.url, args.size, args.seed)
            finally:
                redis.stop()
            return
        with app.app_context():
            before_mb = peak_rss_mb()
            load_before = os.getloadavg()[0]
            figures = timed_run()
            print(f"\nfull run on PostgreSQL, {len(os.sched_getaffinity(0))} cores, "
                  f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
            for line in report(figures):
                print(line)
            print(f"peak RSS {peak_rss_mb():.0f} MB (before the run {before_mb:.0f} MB); "
                  f"largest forked child {child_peak_rss_mb():.0f} MB")
            baseline = engine_in_one_call(args.size, args.seed)
            print(f"baseline: the engine alone on the same instance in one call (bench_matching's setting) "
                  f"{baseline['seconds']:.2f} s, {baseline['arcs']:,} arcs, quantity {baseline['quantity']:,}; "
                  f"total / baseline = {figures['wall_s'] / baseline['seconds']:.2f}")
            if args.probe_write:
                probe = probe_match_insert()
                print(f"\nre-inserting the run's {probe['rows']:,} matches (rolled back): " + ", ".join(
                    f"{name[:-2].replace('_', ' ')} {seconds:.2f} s"
                    for name, seconds in probe.items() if name.endswith("_s")))
            db.session.remove()
            db.engine.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
