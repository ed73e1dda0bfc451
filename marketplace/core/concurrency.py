"""Two writers on the same rows: take the row's lock before checking it, and
tell a conflict the database broke (the loser may simply retry) from a bug."""
from __future__ import annotations

from sqlalchemy import update

from marketplace.core.extensions import db

# deadlock_detected, serialization_failure, lock_not_available, check_violation
_CONFLICT_SQLSTATES = {"40P01", "40001", "55P03", "23514"}


def is_concurrent_conflict(error) -> bool:
    orig = getattr(error, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if state in _CONFLICT_SQLSTATES:
        return True
    text = str(orig).lower()
    return "database is locked" in text or "check constraint failed" in text


def lock_for_change(row) -> None:
    """Bumps the listing's or order's revision first, then re-reads it.

    The UPDATE takes the row lock on PostgreSQL and the write lock on SQLite
    before anything is checked, so the reserved figures the checks see are
    the ones the edit is written against: a match run or an answer to a
    match cannot slip in between.
    """
    table = type(row)
    db.session.execute(update(table).where(table.id == row.id).values(revision=table.revision + 1)
                       .execution_options(synchronize_session=False))
    db.session.refresh(row)
