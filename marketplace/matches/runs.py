"""Match runs: one execution of the engine, split into one part per category.

A part loads its category's remaining supply and demand, calls the engine
and writes proposals and reservations in one transaction, under a per-
category lock (a PostgreSQL advisory lock; SQLite has a single writer
anyway). A part is written at most once: a retried or duplicated task finds
its part done and leaves. The last part to finish closes the run.
"""
from __future__ import annotations

import gc
import logging
import socket
import time
import zlib
from collections import Counter
from datetime import timedelta
from time import perf_counter

from flask import current_app
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import noload

from marketplace.core import task_names
from marketplace.core.clock import local_today, utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.outbox import enqueue
from marketplace.matches import auto_approval
from marketplace.matches.lifecycle import proposal_ttl
from marketplace.matches.loading import excluded_pairs, live_categories, load_demands, load_supplies
from marketplace.matches.proposals import Written, write_proposals
from marketplace.matching import MatchConfig, match
from marketplace.models import (
    DemandOrder,
    Listing,
    ListingStatus,
    MatchRun,
    MatchRunPart,
    RunStatus,
    RunTrigger,
    User,
)

log = logging.getLogger(__name__)
_FIGURES = ("listings", "orders", "arcs", "matches", "quantity", "total_score", "stale")


def start_run(trigger: RunTrigger, *, category: str | None = None, requested_by: User | None = None,
              request_key: str | None = None, dispatch: bool = False) -> MatchRun:
    """Records a run and its parts (queued); the same request key returns the same run.

    With ``dispatch``, the tasks that run its parts are queued once this commits.
    """
    if request_key is not None:
        existing = db.session.scalar(select(MatchRun).where(MatchRun.request_key == request_key))
        if existing is not None:
            return existing
    categories = [category] if category else live_categories(local_today())
    run = MatchRun(trigger=trigger, category=category, request_key=request_key,
                   requested_by_id=requested_by.id if requested_by else None, parts_total=len(categories),
                   status=RunStatus.QUEUED if categories else RunStatus.DONE, timings={})
    if not categories:
        run.started_at = run.finished_at = utcnow()
    run.parts = [MatchRunPart(category=c, timings={}) for c in categories]
    db.session.add(run)
    db.session.flush()
    if requested_by is not None:
        # An admin's run is an admin action; scheduled and triggered runs are audited by what they propose.
        emit_event("match_run.started", target_type="match_run", target_id=run.id, actor=requested_by,
                   category=category)
    if dispatch and categories:
        enqueue(task_names.MATCH_DISPATCH_RUN, {"run_id": run.id})
    db.session.commit()
    return run


def run_part(run_id: int, category: str, config: MatchConfig | None = None) -> MatchRunPart | None:
    """Runs one category of a run, unless it is already done. Returns the part."""
    run_batch(run_id, [category], config)
    db.session.expire_all()
    return db.session.scalar(select(MatchRunPart).where(MatchRunPart.run_id == run_id,
                                                        MatchRunPart.category == category))


def run_batch(run_id: int, categories: list[str], config: MatchConfig | None = None) -> int:
    """Runs the given categories of a run in one engine call; parts already
    done are left alone. Returns how many parts this call finished."""
    parts = db.session.scalars(
        select(MatchRunPart).where(MatchRunPart.run_id == run_id, MatchRunPart.category.in_(categories),
                                   MatchRunPart.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]))
        .order_by(MatchRunPart.category)).all()
    if not parts:
        db.session.rollback()
        return 0
    now = utcnow()
    for part in parts:
        part.attempts += 1
        part.status, part.worker, part.started_at = RunStatus.RUNNING, socket.gethostname()[:120], now
    db.session.execute(update(MatchRun).where(MatchRun.id == run_id, MatchRun.started_at.is_(None))
                       .values(started_at=now, status=RunStatus.RUNNING.value))
    db.session.commit()
    # 10^5-row runs allocate millions of small objects that hold no cycles;
    # the cyclic collector would only rescan them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _compute_and_write(run_id, [p.category for p in parts], config or MatchConfig())
    except Exception as error:
        db.session.rollback()
        for part in db.session.scalars(select(MatchRunPart).where(MatchRunPart.id.in_([p.id for p in parts]))):
            part.error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
        raise
    finally:
        if collecting:
            gc.enable()


def _compute_and_write(run_id: int, categories: list[str], config: MatchConfig) -> int:
    timings: dict[str, float] = {}
    clock = perf_counter()
    for category in sorted(categories):
        _lock_category(category)
    # Locked: a duplicate of this task that got here first has done the work.
    parts = {p.category: p for p in db.session.scalars(
        select(MatchRunPart).where(MatchRunPart.run_id == run_id, MatchRunPart.category.in_(categories),
                                   MatchRunPart.status != RunStatus.DONE.value)
        .execution_options(populate_existing=True))}
    if not parts:
        db.session.rollback()
        return 0
    categories = sorted(parts)
    today = local_today()
    supplies, listing_sides = load_supplies(categories, today)
    demands, order_sides = load_demands(categories, today)
    excluded = excluded_pairs(categories)
    timings["load"] = perf_counter() - clock

    clock = perf_counter()
    result = match(supplies, demands, now=today, config=config, excluded_pairs=excluded)
    timings["engine"] = perf_counter() - clock

    clock = perf_counter()
    written = write_proposals(result.allocations, run_id=run_id, listings=listing_sides, orders=order_sides,
                              expires_at=utcnow() + proposal_ttl(), timings=timings)
    timings["write"] = perf_counter() - clock

    listings_in = Counter(side.category for side in listing_sides.values())
    orders_in = Counter(side.category for side in order_sides.values())
    pruned = set(result.pruned_categories)
    finished = utcnow()
    for category, part in parts.items():
        figures = written.get(category, Written())
        part.listings, part.orders = listings_in[category], orders_in[category]
        part.arcs = result.arcs_by_category.get(category, 0)
        part.matches, part.quantity, part.total_score = figures.matches, figures.quantity, figures.total_score
        part.stale, part.pruned = figures.stale, category in pruned
        part.proven_optimal = result.proven_optimal
        # One engine call served the whole batch: its timings are the batch's.
        part.timings = {name: round(seconds, 4) for name, seconds in timings.items()}
        part.timings["batch_categories"] = len(parts)
        # The engine's upper bound over every feasible pair of the category (no migration:
        # it rides with the figures in the JSON column); the run sums its parts'.
        part.timings["bound_quantity"] = result.bound_by_category.get(category, 0)
        part.status, part.finished_at, part.error = RunStatus.DONE, finished, None
    _add_to_run(run_id, list(parts.values()), timings)
    # The audit trail of proposals: one row per engine call, with each
    # category's figures (the matches carry their run_id). A row per proposal
    # cost a 10^5-match run half a second; every later transition of a match
    # has its own row.
    proposed = {category: {"matches": part.matches, "quantity": part.quantity, "stale": part.stale}
                for category, part in parts.items() if part.matches or part.stale}
    if proposed:
        emit_event("match_run.proposed", target_type="match_run", target_id=run_id, categories=proposed,
                   matches=sum(p["matches"] for p in proposed.values()),
                   quantity=sum(p["quantity"] for p in proposed.values()))
    db.session.commit()
    auto_approval.apply_to_run(run_id, categories)  # if an admin switched the policy on
    return len(parts)


def _lock_category(category: str) -> None:
    """One run per category at a time, held until this transaction ends (a
    dead worker's connection closes and PostgreSQL lets go)."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"match-category:{category}".encode())
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _add_to_run(run_id: int, parts: list[MatchRunPart], timings: dict[str, float]) -> None:
    """Adds the parts' figures to their run; the row lock makes batches
    finishing at once on different workers add up instead of overwriting
    each other."""
    run = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id).with_for_update()
                            .execution_options(populate_existing=True).options(noload(MatchRun.parts)))
    for name in _FIGURES:
        setattr(run, name, getattr(run, name) + sum(getattr(part, name) for part in parts))
    run.pruned = run.pruned or any(part.pruned for part in parts)
    run.proven_optimal = run.proven_optimal and all(part.proven_optimal for part in parts)
    run.timings = {name: round(run.timings.get(name, 0) + timings.get(name, 0), 4)
                   for name in ("load", "engine", "write", "write_reserve", "write_matches")}
    run.timings["bound_quantity"] = (run.timings.get("bound_quantity", 0)
                                     + sum(part.timings.get("bound_quantity", 0) for part in parts))
    _count_parts_done(run, len(parts))


def _count_parts_done(run: MatchRun, count: int) -> None:
    run.parts_done += count
    if run.parts_done >= run.parts_total:
        failed = db.session.scalar(select(MatchRunPart.id).where(MatchRunPart.run_id == run.id,
                                                                 MatchRunPart.status == RunStatus.FAILED.value)
                                   .limit(1))
        run.status = RunStatus.FAILED if failed else RunStatus.DONE
        run.finished_at = utcnow()


def fail_part(run_id: int, category: str, error: str) -> None:
    """A part that ran out of retries still counts, so the run closes (as failed)."""
    part = db.session.scalar(select(MatchRunPart).where(MatchRunPart.run_id == run_id,
                                                        MatchRunPart.category == category))
    if part is None or part.status in (RunStatus.DONE, RunStatus.FAILED):
        return
    part.status, part.finished_at, part.error = RunStatus.FAILED, utcnow(), error[:2000]
    db.session.flush()
    run = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id).with_for_update()
                            .execution_options(populate_existing=True).options(noload(MatchRun.parts)))
    run.error = error[:2000]
    _count_parts_done(run, 1)
    db.session.commit()


def run_inline(trigger: RunTrigger, *, category: str | None = None, requested_by: User | None = None,
               config: MatchConfig | None = None, progress=None, batches: int = 1) -> MatchRun:
    """Start and run every part in this process (CLI, benchmark, tests).

    One batch by default: a single engine call over every category, which
    forks its own workers here (unlike in a Celery prefork child).
    """
    run = start_run(trigger, category=category, requested_by=requested_by)
    for batch in plan_batches(run.id, batches):
        run_batch(run.id, batch, config)
        if progress is not None:
            progress(batch)
    db.session.expire_all()
    return db.session.get(MatchRun, run.id)


def plan_batches(run_id: int, batches: int) -> list[list[str]]:
    """The run's waiting categories in ``batches`` groups of about equal
    size (rows of supply and demand), largest categories placed first;
    0 gives one group per category."""
    categories = pending_parts(run_id)
    if batches == 1:
        return [categories] if categories else []
    if batches <= 0 or batches >= len(categories):
        return [[c] for c in categories]
    sizes = Counter()
    for category, count in db.session.execute(
            select(Listing.category, func.count()).where(Listing.category.in_(categories),
                                                         Listing.status == ListingStatus.ACTIVE.value)
            .group_by(Listing.category)):
        sizes[category] += count
    for category, count in db.session.execute(
            select(DemandOrder.category, func.count()).where(DemandOrder.category.in_(categories))
            .group_by(DemandOrder.category)):
        sizes[category] += count
    groups: list[list[str]] = [[] for _ in range(batches)]
    loads = [0] * batches
    for category in sorted(categories, key=lambda c: -sizes[c]):
        lightest = loads.index(min(loads))
        groups[lightest].append(category)
        loads[lightest] += sizes[category]
    return [sorted(group) for group in groups if group]


def wait_for(run_id: int, timeout: float) -> MatchRun:
    """The run once finished, or as it stands after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        run = db.session.get(MatchRun, run_id)
        if run.status in (RunStatus.DONE, RunStatus.FAILED) or time.monotonic() >= deadline:
            db.session.rollback()  # no snapshot held open while the caller renders
            return run
        time.sleep(0.2)


def share_of_bound(run: MatchRun) -> float | None:
    """The run's matched quantity over the engine's bound on the most any allocation could
    match (over every feasible pair); None before a part has reported one."""
    bound = (run.timings or {}).get("bound_quantity", 0)
    return min(run.quantity / bound, 1.0) if bound else None


def run_totals(run: MatchRun) -> dict:
    """The figures a page or the API shows for a run."""
    return {"id": run.id, "trigger": run.trigger.value, "category": run.category, "status": run.status.value,
            "parts_total": run.parts_total, "parts_done": run.parts_done,
            **{name: getattr(run, name) for name in _FIGURES}, "pruned": run.pruned,
            "proven_optimal": run.proven_optimal, "timings": run.timings, "duration": run.duration,
            "share_of_bound": share_of_bound(run),
            "created_at": run.created_at, "started_at": run.started_at, "finished_at": run.finished_at}


def configured_wait() -> float:
    return current_app.config["MATCH_RUN_WAIT_SECONDS"]


def pending_parts(run_id: int) -> list[str]:
    return list(db.session.scalars(
        select(MatchRunPart.category).where(MatchRunPart.run_id == run_id,
                                            MatchRunPart.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]))
        .order_by(MatchRunPart.category)))


def stuck_parts(older_than_minutes: int = 15) -> list[tuple[int, str]]:
    """Parts still waiting long after their run was created: their task
    message was lost (a broker restart without persistence). Running a part
    twice is harmless, so these are simply queued again."""
    cutoff = utcnow() - timedelta(minutes=older_than_minutes)
    rows = db.session.execute(
        select(MatchRunPart.run_id, MatchRunPart.category).join(MatchRun, MatchRun.id == MatchRunPart.run_id)
        .where(MatchRunPart.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
               MatchRun.created_at < cutoff)).all()
    db.session.rollback()
    return [(run_id, category) for run_id, category in rows]
