"""Traceability: a producer's lots of a listing, the lots a shipment carried,
and the lots' trace events (EPCIS 2.0), which are only ever appended."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime
from marketplace.core.extensions import db


class Lot(db.Model):
    """One batch of a listing's product: what its label and QR code name."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("producer_id", "code", name="uq_lots_producer_code"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("best_before IS NULL OR best_before >= produced_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))            # GS1 AI (10): up to 20 characters
    # The short link's key (/t/<link_code>): unique over every producer, unlike the code.
    link_code: Mapped[str] = mapped_column(String(16), unique=True)
    produced_on: Mapped[date] = mapped_column(Date)
    best_before: Mapped[date | None] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(BigInteger)          # in the listing's base unit
    raw_material_area_code: Mapped[str | None] = mapped_column(String(64))
    stages: Mapped[str] = mapped_column(Text, default="")      # one stage a line
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    listing = relationship("Listing", lazy="joined")

    @property
    def stage_list(self) -> list[str]:
        return [line.strip() for line in (self.stages or "").splitlines() if line.strip()]


class ShipmentLot(db.Model):
    """A lot a shipment carried (a shipment may name none, one or several)."""

    __tablename__ = "shipment_lots"

    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True, index=True)


class TraceEvent(db.Model):
    """One EPCIS 2.0 ObjectEvent of a lot: commissioned, shipped in a match, received."""

    __tablename__ = "trace_events"
    __table_args__ = (Index("ix_trace_events_lot_time", "lot_id", "event_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(60), unique=True)   # urn:uuid:...
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    biz_step: Mapped[str] = mapped_column(String(20))                # commissioning, shipping, receiving
    action: Mapped[str] = mapped_column(String(10))                  # ADD, OBSERVE
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    match_id: Mapped[int | None] = mapped_column(ForeignKey("matches.id"))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"))
    quantity: Mapped[int | None] = mapped_column(BigInteger)
    unit: Mapped[str | None] = mapped_column(String(20))
    # What the event says besides: the parties, the destination province, ilmd.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Append-only in the database, like the audit log; migration 0011 creates the same triggers.
APPEND_ONLY_POSTGRESQL = (
    """CREATE OR REPLACE FUNCTION trace_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'trace_events is append-only' USING ERRCODE = 'insufficient_privilege';
    END $$""",
    "CREATE TRIGGER trace_events_no_change BEFORE UPDATE OR DELETE ON trace_events "
    "FOR EACH ROW EXECUTE FUNCTION trace_events_append_only()",
    "CREATE TRIGGER trace_events_no_truncate BEFORE TRUNCATE ON trace_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION trace_events_append_only()",
)
APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER trace_events_no_update BEFORE UPDATE ON trace_events "
    "BEGIN SELECT RAISE(ABORT, 'trace_events is append-only'); END",
    "CREATE TRIGGER trace_events_no_delete BEFORE DELETE ON trace_events "
    "BEGIN SELECT RAISE(ABORT, 'trace_events is append-only'); END",
)

for _statement in APPEND_ONLY_POSTGRESQL:
    event.listen(TraceEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
for _statement in APPEND_ONLY_SQLITE:
    event.listen(TraceEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
