"""Match runs: one execution of the engine, split into one part per category.

A part loads its category's remaining supply and demand, calls the engine
and writes proposals and reservations in one transaction, under a per-
category lock (a PostgreSQL advisory lock; SQLite has a single writer
anyway). A part is written at most once: a retried or duplicated task finds
its part done and leaves. The last part to finish closes the run.
"""
from __future__ import annotations

import logging
import socket
import time
import zlib
from time import perf_counter

from flask import current_app
from sqlalchemy import select, text, update

from marketplace.clock import local_today
from marketplace.events import emit_event
from marketplace.extensions import db
from marketplace.matches.lifecycle import proposal_ttl
from marketplace.matches.loading import excluded_pairs, live_categories, load_demands, load_supplies
from marketplace.matches.proposals import write_proposals
from marketplace.matching import MatchConfig, match
from marketplace.models import MatchRun, MatchRunPart, RunStatus, RunTrigger, User
from marketplace.models.base import utcnow
from marketplace.outbox import enqueue

log = logging.getLogger(__name__)
DISPATCH_TASK = "matching.dispatch_run"
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
    if dispatch and categories:
        enqueue(DISPATCH_TASK, {"run_id": run.id})
    db.session.commit()
    return run


def run_part(run_id: int, category: str, config: MatchConfig | None = None) -> MatchRunPart | None:
    """Runs one category of a run, unless it is already done. Returns the part."""
    part = db.session.scalar(select(MatchRunPart).where(MatchRunPart.run_id == run_id,
                                                        MatchRunPart.category == category))
    if part is None or part.status in (RunStatus.DONE, RunStatus.FAILED):
        return part
    part.attempts += 1
    part.status = RunStatus.RUNNING
    part.worker = socket.gethostname()[:120]
    part.started_at = utcnow()
    db.session.execute(update(MatchRun).where(MatchRun.id == run_id, MatchRun.started_at.is_(None))
                       .values(started_at=part.started_at, status=RunStatus.RUNNING.value))
    db.session.commit()
    try:
        _compute_and_write(part, config or MatchConfig())
    except Exception as error:
        db.session.rollback()
        part = db.session.get(MatchRunPart, part.id)
        part.error = f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
        raise
    return part


def _compute_and_write(part: MatchRunPart, config: MatchConfig) -> None:
    timings: dict[str, float] = {}
    clock = perf_counter()
    _lock_category(part.category)
    # Locked: a duplicate of this task that got here first has done the work.
    db.session.refresh(part)
    if part.status == RunStatus.DONE:
        db.session.rollback()
        return
    today = local_today()
    supplies, listing_sides = load_supplies(part.category, today)
    demands, order_sides = load_demands(part.category, today)
    excluded = excluded_pairs(part.category)
    timings["load"] = perf_counter() - clock

    clock = perf_counter()
    result = match(supplies, demands, now=today, config=config, excluded_pairs=excluded)
    timings["engine"] = perf_counter() - clock
    timings.update({f"engine_{name}": seconds for name, seconds in result.timings.items()})

    clock = perf_counter()
    written = write_proposals(result.allocations, run_id=part.run_id, category=part.category,
                              listings=listing_sides, orders=order_sides,
                              unit_of={s.id: s.unit for s in supplies}, expires_at=utcnow() + proposal_ttl())
    timings["write"] = perf_counter() - clock
    figures = {"listings": len(supplies), "orders": len(demands), "arcs": result.arcs,
               "matches": written.matches, "quantity": written.quantity, "total_score": written.total_score,
               "stale": written.stale}
    for name, value in figures.items():
        setattr(part, name, value)
    part.pruned, part.proven_optimal = result.pruned, result.proven_optimal
    part.timings = {name: round(seconds, 4) for name, seconds in timings.items()}
    part.status, part.finished_at, part.error = RunStatus.DONE, utcnow(), None
    _add_to_run(part)
    if written.matches:
        emit_event("match_run.proposed", target_type="match_run", target_id=part.run_id,
                   category=part.category, matches=written.matches, quantity=written.quantity)
    db.session.commit()


def _lock_category(category: str) -> None:
    """One run per category at a time, held until this transaction ends (a
    dead worker's connection closes and PostgreSQL lets go)."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"match-category:{category}".encode())
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _add_to_run(part: MatchRunPart) -> None:
    """Adds the part's figures to its run; the row lock makes parts finishing
    at once on different workers add up instead of overwriting each other."""
    run = db.session.scalar(select(MatchRun).where(MatchRun.id == part.run_id)
                            .with_for_update().execution_options(populate_existing=True))
    for name in _FIGURES:
        setattr(run, name, getattr(run, name) + getattr(part, name))
    run.pruned = run.pruned or part.pruned
    run.proven_optimal = run.proven_optimal and part.proven_optimal
    run.timings = {name: round(run.timings.get(name, 0) + part.timings.get(name, 0), 4)
                   for name in ("load", "engine", "write")}
    _count_part_done(run)


def _count_part_done(run: MatchRun) -> None:
    run.parts_done += 1
    if run.parts_done >= run.parts_total:
        failed = any(p.status == RunStatus.FAILED for p in run.parts)
        run.status = RunStatus.FAILED if failed else RunStatus.DONE
        run.finished_at = utcnow()


def fail_part(run_id: int, category: str, error: str) -> None:
    """A part that ran out of retries still counts, so the run closes (as failed)."""
    part = db.session.scalar(select(MatchRunPart).where(MatchRunPart.run_id == run_id,
                                                        MatchRunPart.category == category))
    if part is None or part.status in (RunStatus.DONE, RunStatus.FAILED):
        return
    part.status, part.finished_at, part.error = RunStatus.FAILED, utcnow(), error[:2000]
    run = db.session.scalar(select(MatchRun).where(MatchRun.id == run_id)
                            .with_for_update().execution_options(populate_existing=True))
    run.error = error[:2000]
    _count_part_done(run)
    db.session.commit()


def run_inline(trigger: RunTrigger, *, category: str | None = None, requested_by: User | None = None,
               config: MatchConfig | None = None, progress=None) -> MatchRun:
    """Start and run every part in this process (CLI, benchmark, tests)."""
    run = start_run(trigger, category=category, requested_by=requested_by)
    for part in list(run.parts):
        run_part(run.id, part.category, config)
        if progress is not None:
            progress(part.category)
    db.session.expire_all()
    return db.session.get(MatchRun, run.id)


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


def run_totals(run: MatchRun) -> dict:
    """The figures a page or the API shows for a run."""
    return {"id": run.id, "trigger": run.trigger.value, "category": run.category, "status": run.status.value,
            "parts_total": run.parts_total, "parts_done": run.parts_done,
            **{name: getattr(run, name) for name in _FIGURES}, "pruned": run.pruned,
            "proven_optimal": run.proven_optimal, "timings": run.timings, "duration": run.duration,
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
    from datetime import timedelta
    cutoff = utcnow() - timedelta(minutes=older_than_minutes)
    rows = db.session.execute(
        select(MatchRunPart.run_id, MatchRunPart.category).join(MatchRun, MatchRun.id == MatchRunPart.run_id)
        .where(MatchRunPart.status.in_([RunStatus.QUEUED.value, RunStatus.RUNNING.value]),
               MatchRun.created_at < cutoff)).all()
    db.session.rollback()
    return [(run_id, category) for run_id, category in rows]
