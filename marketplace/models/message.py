"""A match's message thread: plain text between the two parties, with the
programme staff reading along. Messages are never edited or deleted; an
admin may hide one, with a reason, and the row keeps its text."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime
from marketplace.core.extensions import db

TEXT_MAX = 2000
HIDE_REASON_MAX = 500


class MatchMessage(db.Model):
    __tablename__ = "match_messages"
    # A thread is read a page at a time, oldest to newest.
    __table_args__ = (Index("ix_match_messages_match_id_id", "match_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # "producer", "distributor" or "admin" (shown as the programme staff, never by name).
    author_role: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(String(HIDE_REASON_MAX))

    author = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None
