"""A full match run timed by phase and by SQL statement kind: what
``flask bench-match`` prints and bench/bench_match_run.py reports."""
from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager

from sqlalchemy import event

from marketplace.core.extensions import db
from marketplace.matches import runs
from marketplace.models import RunTrigger

TARGET_SECONDS = 12.0
PHASES = ("load", "engine", "write")


def _statement_kind(statement: str) -> str:
    words = " ".join(statement.split()[:4]).lower()
    for kind in ("update listings", "update demand_orders", "insert into matches", "insert into audit_logs",
                 "insert into outbox", "insert into notifications"):
        if words.startswith(kind):
            return kind
    if words.startswith("select"):
        return "select"
    return words.split(" ")[0]


@contextmanager
def sql_timer(engine):
    """Wall time and count of SQL statements by kind (executemany batches count once each)."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        figures = totals[_statement_kind(statement)]
        figures[0] += 1
        figures[1] += time.perf_counter() - conn.info["bench_started"].pop()

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield totals
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def timed_run(progress=None) -> dict:
    """Runs every category now, in this process, and returns the run's figures and timings."""
    with sql_timer(db.engine) as statements:
        started = time.perf_counter()
        run = runs.run_inline(RunTrigger.CLI, progress=progress)
        wall = time.perf_counter() - started
    # The run's timings add up its batches (a part's are its batch's).
    phases = {phase: (run.timings or {}).get(phase, 0.0) for phase in PHASES}
    write_steps = {step: (run.timings or {}).get(f"write_{step}", 0.0) for step in ("reserve", "matches")}
    slowest = sorted(run.parts, key=lambda p: -sum(p.timings.get(phase, 0.0) for phase in PHASES))[:5]
    return {"run_id": run.id, "status": run.status.value, "categories": run.parts_total, "listings": run.listings,
            "orders": run.orders, "arcs": run.arcs, "matches": run.matches, "quantity": run.quantity,
            "stale": run.stale, "total_score": run.total_score, "proven_optimal": run.proven_optimal,
            "wall_s": wall, **{f"{phase}_s": seconds for phase, seconds in phases.items()},
            "other_s": wall - sum(phases.values()), "write_steps": write_steps,
            "statements": {kind: (count, seconds) for kind, (count, seconds) in statements.items()},
            "slowest_parts": [(p.category, p.listings, p.orders, p.arcs, p.matches,
                               *(p.timings.get(phase, 0.0) for phase in PHASES)) for p in slowest]}


def report(figures: dict) -> list[str]:
    """The lines the benchmark and ``flask bench-match`` print."""
    wall, engine = figures["wall_s"], figures["engine_s"]
    lines = [
        f"run {figures['run_id']} {figures['status']}: {figures['categories']} categories, "
        f"{figures['listings']:,} listings × {figures['orders']:,} orders, {figures['arcs']:,} arcs",
        f"proposed {figures['matches']:,} matches for {figures['quantity']:,} units "
        f"(stale {figures['stale']}, proven optimal {figures['proven_optimal']})",
        f"load {figures['load_s']:.2f} s | engine {engine:.2f} s | write {figures['write_s']:.2f} s "
        f"| bookkeeping {figures['other_s']:.2f} s | total {wall:.2f} s",
        "write: " + " | ".join(f"{step} {seconds:.2f} s" for step, seconds in figures["write_steps"].items()),
        f"total / target {TARGET_SECONDS:.0f} s = {wall / TARGET_SECONDS:.2f} "
        f"({'met' if wall <= TARGET_SECONDS else 'MISSED'}); total / engine phase = {wall / max(engine, 1e-9):.2f}",
        "SQL by kind (statements, seconds):",
    ]
    for kind, (count, seconds) in sorted(figures["statements"].items(), key=lambda item: -item[1][1]):
        lines.append(f"  {kind:28} {count:6d} {seconds:8.2f}")
    lines.append("slowest parts (category: listings × orders, arcs, matches; load / engine / write s):")
    for category, listings, orders, arcs, matches, load, engine, write in figures["slowest_parts"]:
        lines.append(f"  {category:16} {listings:6,} × {orders:6,} {arcs:10,} arcs {matches:6,} matches; "
                     f"{load:.2f} / {engine:.2f} / {write:.2f}")
    return lines
