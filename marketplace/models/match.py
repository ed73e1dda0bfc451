"""A proposed deal between one listing and one order, and the runs that propose them."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime, enum_column
from marketplace.core.extensions import db


class MatchStatus(str, enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    FULFILLED = "fulfilled"
    REJECTED = "rejected"
    DECLINED = "declined"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class MatchSource(str, enum.Enum):
    RUN = "run"          # proposed by the engine
    OFFER = "offer"      # a producer offered to supply an order, or a distributor asked for a listing


# These hold their quantity on the listing and the order.
RESERVING = (MatchStatus.PROPOSED, MatchStatus.APPROVED, MatchStatus.CONFIRMED, MatchStatus.SHIPPED)
# Goods on the way cannot be called off: a dispute goes to the programme staff.
CANCELLABLE = (MatchStatus.PROPOSED, MatchStatus.APPROVED, MatchStatus.CONFIRMED)
# A pair that ended this way is not proposed again until one side changes.
REFUSED = (MatchStatus.DECLINED, MatchStatus.REJECTED)
_RESERVING_SQL = "status IN ('proposed', 'approved', 'confirmed', 'shipped')"


class Match(db.Model):
    __tablename__ = "matches"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("shipped_quantity >= 0 AND shipped_quantity <= quantity", name="shipped_within_quantity"),
        # The database itself refuses a second live match for the same pair,
        # whatever a retried or duplicated run task tries to write.
        Index("uq_matches_live_pair", "listing_id", "order_id", unique=True,
              postgresql_where=text(_RESERVING_SQL), sqlite_where=text(_RESERVING_SQL)),
        Index("ix_matches_status_created", "status", "created_at"),
        Index("ix_matches_status_expires", "status", "expires_at"),
        # The parties' lists: they see every match that holds or held their stock.
        Index("ix_matches_producer_created", "producer_id", "created_at"),
        Index("ix_matches_distributor_created", "distributor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("match_runs.id"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("demand_orders.id"), index=True)
    # Copied from the listing and order so each party's list needs no join.
    # No foreign key of their own: the listing's and the order's already
    # guarantee the users exist, and two more checks per row would cost a
    # 10^5-match run about a second (bench/bench_match_run.py).
    producer_id: Mapped[int] = mapped_column(Integer)
    distributor_id: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(BigInteger)
    unit_price: Mapped[int] = mapped_column(BigInteger)        # the listing's price when proposed, or as agreed
    # None: the order's needed-by date (a run's proposal); set by a direct offer or an accepted counter-offer.
    deliver_by: Mapped[date | None] = mapped_column(Date)
    source: Mapped[MatchSource] = mapped_column(enum_column(MatchSource, "match_source"), default=MatchSource.RUN,
                                                server_default=MatchSource.RUN.value)
    # The terms as first proposed, kept for the record once an offer changed them (None: never negotiated).
    proposed_terms: Mapped[dict | None] = mapped_column(JSON)
    # What the party who offered directly said with it (e.g. why the price is above the buyer's maximum).
    note: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float)
    breakdown: Mapped[dict] = mapped_column(JSON)
    status: Mapped[MatchStatus] = mapped_column(enum_column(MatchStatus, "match_status"),
                                                default=MatchStatus.PROPOSED)
    # What the pair looked like when proposed: a refusal blocks the pair
    # only while both sides still carry these revisions.
    listing_revision: Mapped[int] = mapped_column(Integer)
    order_revision: Mapped[int] = mapped_column(Integer)
    producer_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    distributor_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_policy: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipped_quantity: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)        # the first shipment was recorded
    # What the buyer confirmed; less than ``quantity`` when part of it never arrived.
    received_quantity: Mapped[int | None] = mapped_column(BigInteger)
    # Whether the goods left (or, unshipped, arrived) by the agreed date: the producer's track record.
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)     # rejected/declined/expired/cancelled
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    listing = relationship("Listing", lazy="raise_on_sql")
    order = relationship("DemandOrder", lazy="raise_on_sql")
    producer = relationship("User", primaryjoin="foreign(Match.producer_id) == User.id", lazy="raise_on_sql",
                            viewonly=True)
    distributor = relationship("User", primaryjoin="foreign(Match.distributor_id) == User.id",
                               lazy="raise_on_sql", viewonly=True)

    @property
    def reserves(self) -> bool:
        return self.status in RESERVING

    @property
    def negotiated(self) -> bool:
        return self.proposed_terms is not None

    @property
    def terms(self) -> dict:
        """What the parties agree to when both accept: quantity, price and date."""
        deliver_by = self.deliver_by or self.order.needed_by
        return {"quantity": self.quantity, "unit_price": self.unit_price,
                "deliver_by": deliver_by.isoformat() if deliver_by else None}

    @property
    def first_terms(self) -> dict:
        return self.proposed_terms or self.terms


class RunStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RunTrigger(str, enum.Enum):
    SCHEDULE = "schedule"      # Celery beat's full run
    CHANGE = "change"          # a listing or order was created or changed
    ADMIN = "admin"            # started from the admin page or API
    CLI = "cli"


class MatchRun(db.Model):
    """One execution of the engine; a full run has one part per category,
    which workers on different machines may run side by side."""

    __tablename__ = "match_runs"
    __table_args__ = (Index("ix_match_runs_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[RunTrigger] = mapped_column(enum_column(RunTrigger, "run_trigger"))
    # None for a full run over every category.
    category: Mapped[str | None] = mapped_column(String(40))
    # Whatever asked for the run (an outbox message, an admin request): a
    # redelivered request finds its run instead of starting a second one.
    request_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "run_status"), default=RunStatus.QUEUED)
    parts_total: Mapped[int] = mapped_column(Integer, default=0)
    parts_done: Mapped[int] = mapped_column(Integer, default=0)
    listings: Mapped[int] = mapped_column(Integer, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    arcs: Mapped[int] = mapped_column(BigInteger, default=0)
    pruned: Mapped[bool] = mapped_column(Boolean, default=False)
    proven_optimal: Mapped[bool] = mapped_column(Boolean, default=True)
    matches: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    total_score: Mapped[float] = mapped_column(Float, default=0.0)
    # Allocations dropped at write time because their listing or order changed during the run.
    stale: Mapped[int] = mapped_column(Integer, default=0)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parts: Mapped[list[MatchRunPart]] = relationship(back_populates="run", order_by="MatchRunPart.category",
                                                       lazy="selectin")

    @property
    def duration(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class MatchRunPart(db.Model):
    """One category of a run. (run, category) is unique, so a retried or
    duplicated task finds the part already written and writes nothing twice."""

    __tablename__ = "match_run_parts"
    __table_args__ = (UniqueConstraint("run_id", "category", name="uq_match_run_parts_run_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(40))
    status: Mapped[RunStatus] = mapped_column(enum_column(RunStatus, "run_status"), default=RunStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    listings: Mapped[int] = mapped_column(Integer, default=0)
    orders: Mapped[int] = mapped_column(Integer, default=0)
    arcs: Mapped[int] = mapped_column(BigInteger, default=0)
    pruned: Mapped[bool] = mapped_column(Boolean, default=False)
    proven_optimal: Mapped[bool] = mapped_column(Boolean, default=True)
    matches: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    total_score: Mapped[float] = mapped_column(Float, default=0.0)
    stale: Mapped[int] = mapped_column(Integer, default=0)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(120))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    run: Mapped[MatchRun] = relationship(back_populates="parts")
