"""Tasks to queue once the transaction that asked for them has committed.

A row is written in the same transaction as the change that needs the task,
so a rollback queues nothing and a broker outage loses nothing: the relay
publishes rows whose time has come and retries the ones it could not.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.extensions import db
from marketplace.models.base import UTCDateTime, utcnow

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
