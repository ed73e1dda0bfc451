"""A worker killed with SIGKILL in the middle of a run part: Redis hands the
unacknowledged task to the next worker, which runs the part again, and the
run completes once with no match written twice."""
from __future__ import annotations

import os
import signal
import time

from sqlalchemy import text

from marketplace.core.clock import local_today
from marketplace.core.extensions import db
from marketplace.matches import runs
from marketplace.matches.synthetic import store
from marketplace.matching.instances import generate
from marketplace.models import RunTrigger
from tests.support.invariants import broken_invariants, sql
from tests.support.servers import wait_for

# One category big enough that its part takes seconds, not milliseconds.
SIZE = 20_000



def test_a_worker_killed_mid_part_leaves_the_run_to_the_next_worker(pg_app, service_env, start_worker):
    url = service_env["DATABASE_URL"]
    # The unacknowledged task comes back after five seconds instead of ten minutes.
    worker_env = {**service_env, "CELERY_VISIBILITY_TIMEOUT": "5"}
    supplies, demands, _ = generate(SIZE, SIZE, seed=7, now=local_today())
    store(db.session, supplies, demands, category="food.rice")
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()

    first = start_worker(worker_env, concurrency=1)
    run_id = runs.start_run(RunTrigger.ADMIN, category="food.rice", dispatch=True).id
    wait_for(lambda: sql(url, "SELECT 1 FROM match_run_parts WHERE run_id = :i AND status = 'running'", i=run_id),
             timeout=60, interval=0.05, message=f"the part to start\n{first.output()}")
    time.sleep(1.0)  # inside load or engine: nothing of this attempt is committed yet
    os.killpg(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    assert sql(url, "SELECT status, attempts FROM match_run_parts WHERE run_id = :i", i=run_id) == [("running", 1)]
    assert sql(url, "SELECT count(*) FROM matches") == [(0,)]

    # A starting worker sweeps the unacknowledged tasks older than the visibility
    # timeout at once; a running one only every 10 × 10 s (kombu's restore
    # interval × throttle), so the next worker starts once the task is old enough.
    time.sleep(5.5)
    second = start_worker(worker_env, concurrency=1)
    try:
        wait_for(lambda: sql(url, "SELECT 1 FROM match_runs WHERE id = :i AND status IN ('done', 'failed')",
                             i=run_id), timeout=90, interval=0.2, message="the run to finish")
    except AssertionError:
        raise AssertionError(f"{sql(url, 'SELECT status, attempts, error FROM match_run_parts')}\n"
                             f"first worker:\n{first.output()}\nsecond worker:\n{second.output()}") from None

    (run,) = sql(url, "SELECT status, parts_done, parts_total, matches, quantity FROM match_runs WHERE id = :i",
                 i=run_id)
    (part,) = sql(url, "SELECT status, attempts, matches, quantity FROM match_run_parts WHERE run_id = :i", i=run_id)
    assert (run.status, run.parts_done, run.parts_total) == ("done", 1, 1)
    assert part.status == "done" and part.attempts >= 2
    assert run.matches == part.matches > 1000 and run.quantity == part.quantity
    # Written once: the matches in the table are exactly the run's, one live match per pair.
    assert sql(url, "SELECT count(*), sum(quantity), count(DISTINCT (listing_id, order_id)) FROM matches") == [
        (run.matches, run.quantity, run.matches)]
    assert sql(url, "SELECT count(*), sum(CAST(details->>'matches' AS integer)) FROM audit_logs "
                    "WHERE action = 'match_run.proposed'") == [(1, run.matches)]
    assert broken_invariants(url) == {}
