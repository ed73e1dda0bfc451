"""When to run the engine: a change to a category's supply or demand asks
for a run of that category, debounced through the outbox."""
from __future__ import annotations

from flask import current_app

from marketplace.core import task_names
from marketplace.core.outbox import enqueue


def request_category_run(category: str) -> None:
    """Within the debounce window, every request for the category folds into
    the one message already waiting; the caller's commit makes it real."""
    enqueue(task_names.MATCH_CATEGORY_CHANGED, {"category": category}, dedupe_key=f"match-category:{category}",
            delay=current_app.config["MATCH_DEBOUNCE_SECONDS"])
