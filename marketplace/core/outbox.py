"""Queue Celery tasks only after the transaction that wants them commits.

``enqueue`` adds an OutboxMessage to the caller's transaction. After the
commit, a relay thread in this process publishes due messages to the
broker; the web request never waits for the broker, and when the broker is
down the rows stay put and are published by the next commit or by the
periodic ``outbox.relay`` task. A message may be published twice (the
relay died between publishing and marking it), so every task fed from the
outbox is idempotent: it claims its message with ``claim``.
"""
from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import JSON, Index, Integer, String, Text, event, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime
from marketplace.core.extensions import db

log = logging.getLogger(__name__)
_PENDING_FLAG = "outbox_pending"
_QUEUED = "outbox_queued"
BATCH = 500


_PENDING_SQL = "consumed_at IS NULL"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        # One waiting message per key: edits inside the debounce window fold
        # into the message already waiting instead of queueing another run.
        Index("uq_outbox_messages_pending_key", "dedupe_key", unique=True,
              postgresql_where=text(_PENDING_SQL), sqlite_where=text(_PENDING_SQL)),
        Index("ix_outbox_messages_unpublished", "published_at", "run_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(80))
    kwargs: Mapped[dict] = mapped_column(JSON, default=dict)
    queue: Mapped[str | None] = mapped_column(String(40))
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the task when it starts: a later change then needs a new message.
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def enqueue(task: str, kwargs: dict | None = None, *, dedupe_key: str | None = None, delay: float = 0,
            queue: str | None = None) -> None:
    """Queue ``task`` once the current transaction commits, ``delay`` seconds later.

    With a dedupe key, a message with that key still waiting (not yet
    started by a worker) absorbs this one: many edits within the delay give
    one task. The row is written just before the commit: taking the unique
    key's lock last, after every row lock of the transaction, means two
    transactions can never wait for each other in a cycle.
    """
    db.session.info.setdefault(_QUEUED, []).append({
        "task": task, "kwargs": kwargs or {}, "dedupe_key": dedupe_key, "queue": queue,
        "run_after": utcnow() + timedelta(seconds=delay), "attempts": 0, "created_at": utcnow()})


def _write_queued(session) -> None:
    queued = session.info.pop(_QUEUED, None)
    if not queued:
        return
    dialect = session.get_bind().dialect.name
    seen = set()
    for values in queued:
        key = values["dedupe_key"]
        if key is not None and key in seen:
            continue
        seen.add(key)
        if key is not None and dialect in ("postgresql", "sqlite"):
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(OutboxMessage).values(**values).on_conflict_do_nothing(
                index_elements=["dedupe_key"], index_where=OutboxMessage.consumed_at.is_(None))
        else:
            statement = db.insert(OutboxMessage).values(**values)
        session.execute(statement)
    session.info[_PENDING_FLAG] = True


def claim(message_id: int | None) -> bool:
    """Marks the message as started; False if another delivery of it already did.

    Commits, so a change made after this moment queues a new message.
    """
    if message_id is None:
        return True
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.consumed_at.is_(None))
        .values(consumed_at=utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def publish_due(limit: int = BATCH) -> int:
    """Publishes unpublished messages (each with its remaining delay); returns how many."""
    celery = current_app.extensions["celery"]
    query = (select(OutboxMessage).where(OutboxMessage.published_at.is_(None))
             .order_by(OutboxMessage.id).limit(limit))
    if db.session.get_bind().dialect.name == "postgresql":
        # Two relays (web process and worker) never publish the same row at once.
        query = query.with_for_update(skip_locked=True)
    published = 0
    now = utcnow()
    try:
        for message in db.session.scalars(query).all():
            countdown = max(0.0, (message.run_after - now).total_seconds())
            try:
                celery.send_task(message.task, kwargs={**message.kwargs, "outbox_id": message.id},
                                 countdown=countdown or None, queue=message.queue,
                                 task_id=f"outbox-{message.id}-{message.attempts}", retry=False)
            except Exception as error:  # the broker is down: keep the row for the next attempt
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:500]
                log.warning("outbox: could not publish %s: %s", message.id, error)
                break
            message.published_at = utcnow()
            published += 1
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return published


class _Relay:
    """A daemon thread per process that publishes after each commit with outbox rows."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.pid = None
        self.lock = threading.Lock()

    def poke(self) -> None:
        with self.lock:
            if self.pid != os.getpid():  # first use, or a forked child without the parent's thread
                self.pid = os.getpid()
                self.wake = threading.Event()
                threading.Thread(target=self._loop, name="outbox-relay", daemon=True).start()
        self.wake.set()

    def _loop(self) -> None:
        while True:
            self.wake.wait(timeout=30)
            self.wake.clear()
            try:
                with self.app.app_context():
                    while publish_due() == BATCH:
                        pass
            except Exception:
                log.exception("outbox relay failed; the periodic relay task will retry")


def init_outbox(app: Flask) -> None:
    """OUTBOX_RELAY: "thread" publishes after each commit from a background
    thread; "off" leaves it to the periodic task or an explicit ``publish_due``
    (tests that want to see what is queued)."""
    if app.config.get("OUTBOX_RELAY", "thread") == "thread":
        app.extensions["outbox_relay"] = _Relay(app)


@event.listens_for(Session, "before_commit")
def _before_commit(session):
    _write_queued(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if not session.info.pop(_PENDING_FLAG, False):
        return
    try:
        relay = current_app.extensions.get("outbox_relay")
    except RuntimeError:  # outside an app context nothing can publish anyway
        return
    if relay is not None:
        relay.poke()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session, previous_transaction):
    session.info.pop(_PENDING_FLAG, None)
    session.info.pop(_QUEUED, None)
