"""New terms one party of an approved match proposes to the other."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime, enum_column
from marketplace.core.extensions import db

MAX_ROUNDS = 6


class OfferStatus(str, enum.Enum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COUNTERED = "countered"     # the other party answered with an offer of its own
    CLOSED = "closed"           # the match ended (declined, expired, cancelled) while it was open


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price > 0", name="unit_price_positive"),
        CheckConstraint(f"round BETWEEN 1 AND {MAX_ROUNDS}", name="round_in_range"),
        UniqueConstraint("match_id", "round", name="uq_offers_match_round"),
        # One open offer per match, whatever two concurrent requests try.
        Index("uq_offers_open_per_match", "match_id", unique=True,
              postgresql_where=text("status = 'open'"), sqlite_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    by_party: Mapped[str] = mapped_column(String(20))              # "producer" or "distributor"
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    deliver_by: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OfferStatus] = mapped_column(enum_column(OfferStatus, "offer_status"), default=OfferStatus.OPEN)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_open(self) -> bool:
        return self.status == OfferStatus.OPEN
