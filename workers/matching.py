"""Match runs: a category's debounced run, the scheduled full run, a run's
parts fanned out over every worker, and the expiry of stale proposals."""
from celery import group, shared_task
from flask import current_app

from marketplace.core import task_names
from marketplace.core.outbox import claim
from marketplace.matches import lifecycle, runs
from marketplace.models import RunTrigger

# A part that keeps failing (database gone, a bug) gives up after this many tries.
PART_RETRIES = 5


@shared_task(name=task_names.MATCH_CATEGORY_CHANGED, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def category_changed(category: str, outbox_id: int | None = None) -> int:
    """Debounced run of one category after its listings or orders changed.

    Claiming the message first means an edit from now on asks for a new run;
    a redelivered message finds its run by the request key and its part done.
    """
    claim(outbox_id)
    run = runs.start_run(RunTrigger.CHANGE, category=category,
                         request_key=f"outbox:{outbox_id}" if outbox_id else None)
    dispatch_parts(run.id)
    return run.id


@shared_task(name=task_names.MATCH_FULL_RUN, bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def full_run(self) -> int:
    """Celery beat's scheduled run of every category, fanned out over the workers."""
    run = runs.start_run(RunTrigger.SCHEDULE, request_key=f"beat:{self.request.id}")
    dispatch_parts(run.id)
    return run.id


@shared_task(name=task_names.MATCH_DISPATCH_RUN, autoretry_for=(Exception,), retry_backoff=True, max_retries=10)
def dispatch_run(run_id: int, outbox_id: int | None = None) -> None:
    claim(outbox_id)
    dispatch_parts(run_id)


def dispatch_parts(run_id: int) -> None:
    """One task per category (or per batch of categories, MATCH_RUN_TASKS), as
    a group: any worker on any machine takes a part."""
    batches = runs.plan_batches(run_id, current_app.config["MATCH_RUN_TASKS"])
    if batches:
        group(run_part.s(run_id, batch) for batch in batches).apply_async()


@shared_task(name=task_names.MATCH_RUN_PART, bind=True, max_retries=PART_RETRIES)
def run_part(self, run_id: int, categories: str | list[str]) -> dict:
    """One category of a run, or a batch of them in one engine call."""
    batch = [categories] if isinstance(categories, str) else categories
    try:
        finished = runs.run_batch(run_id, batch)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            for category in batch:
                runs.fail_part(run_id, category, f"{type(error).__name__}: {error}")
            raise
        raise self.retry(exc=error, countdown=min(60, 2 ** self.request.retries)) from error
    return {"finished_parts": finished}


@shared_task(name=task_names.MATCH_EXPIRE, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def expire_matches() -> dict:
    """Releases stock of proposals nobody acted on, and re-queues run parts a lost message left waiting."""
    expired = lifecycle.expire_stale()
    stuck = runs.stuck_parts()
    for run_id, category in stuck:
        run_part.delay(run_id, category)
    return {"expired": expired, "requeued_parts": len(stuck)}
