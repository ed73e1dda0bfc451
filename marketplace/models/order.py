"""Demand: a distributor's order for a quantity of a product."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime, enum_column
from marketplace.core.extensions import db


class OrderStatus(str, enum.Enum):
    OPEN = "open"
    PARTIALLY_MATCHED = "partially_matched"
    MATCHED = "matched"
    FULFILLED = "fulfilled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class DemandOrder(db.Model):
    __tablename__ = "demand_orders"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("reserved_quantity >= 0 AND reserved_quantity <= quantity",
                        name="reserved_within_quantity"),
        # Promised plus delivered never exceeds what was ordered.
        CheckConstraint("fulfilled_quantity >= 0 AND reserved_quantity + fulfilled_quantity <= quantity",
                        name="filled_within_quantity"),
        CheckConstraint("max_unit_price >= 0", name="price_not_negative"),
        CheckConstraint("min_stars IN (0, 3, 4, 5)", name="stars_known"),
        Index("ix_demand_orders_board_category_price", "status", "category", "max_unit_price"),
        Index("ix_demand_orders_board_province_price", "status", "delivery_province_code", "max_unit_price"),
        Index("ix_demand_orders_board_created", "status", "created_at"),
        Index("ix_demand_orders_board_needed_by", "status", "needed_by"),
        Index("ix_demand_orders_search_text_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(20))            # always a base unit code
    quantity: Mapped[int] = mapped_column(BigInteger)
    # Promised by live matches; the rest is still wanted.
    reserved_quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    # Delivered by fulfilled matches.
    fulfilled_quantity: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    max_unit_price: Mapped[int] = mapped_column(BigInteger)  # VND per base unit
    needed_by: Mapped[date | None] = mapped_column(Date)
    delivery_province_code: Mapped[str] = mapped_column(String(40))
    min_stars: Mapped[int] = mapped_column(SmallInteger, default=0)
    allow_split: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[OrderStatus] = mapped_column(enum_column(OrderStatus, "order_status"),
                                                default=OrderStatus.OPEN)
    search_text: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Set when programme staff take it down; the owner sees the reason.
    takedown_reason: Mapped[str | None] = mapped_column(String(500))
    taken_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_down_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    distributor = relationship("User", lazy="raise_on_sql", foreign_keys=[distributor_id])
    required_certifications: Mapped[list[OrderRequiredCertification]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderRequiredCertification.code",
        lazy="selectin")

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.reserved_quantity - self.fulfilled_quantity

    @property
    def committed_quantity(self) -> int:
        """Promised or delivered: the quantity cannot go below this."""
        return self.reserved_quantity + self.fulfilled_quantity

    @property
    def required_codes(self) -> list[str]:
        return [r.code for r in self.required_certifications]


class OrderRequiredCertification(db.Model):
    __tablename__ = "order_required_certifications"
    __table_args__ = (
        UniqueConstraint("order_id", "code", name="uq_order_required_certifications_order_code"),
        Index("ix_order_required_certifications_code_order", "code", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("demand_orders.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))

    order: Mapped[DemandOrder] = relationship(back_populates="required_certifications")
