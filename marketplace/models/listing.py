"""Supply: a producer's listing of stock for sale."""
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
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime, enum_column
from marketplace.core.extensions import db


class ListingStatus(str, enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    SOLD_OUT = "sold_out"
    EXPIRED = "expired"
    REMOVED = "removed"


class Listing(db.Model):
    __tablename__ = "listings"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reserved_quantity >= 0 AND reserved_quantity <= quantity",
                        name="reserved_within_quantity"),
        CheckConstraint("sold_quantity >= 0", name="sold_not_negative"),
        CheckConstraint("min_order_quantity >= 1", name="min_order_positive"),
        CheckConstraint("unit_price >= 0", name="price_not_negative"),
        CheckConstraint("stars IN (0, 3, 4, 5)", name="stars_known"),
        CheckConstraint("available_until IS NULL OR available_from IS NULL OR available_until >= available_from",
                        name="dates_ordered"),
        # The catalogue's common filters, newest or cheapest first.
        Index("ix_listings_browse_category_price", "status", "category", "unit_price"),
        Index("ix_listings_browse_province_price", "status", "province_code", "unit_price"),
        Index("ix_listings_browse_created", "status", "created_at"),
        Index("ix_listings_browse_price", "status", "unit_price"),
        # Substring search without diacritics ("nuoc mam"): a trigram index
        # on PostgreSQL (pg_trgm); SQLite scans, which is fine at its scale.
        Index("ix_listings_search_text_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(20))           # always a base unit code
    quantity: Mapped[int] = mapped_column(BigInteger)        # stock, in the base unit
    reserved_quantity: Mapped[int] = mapped_column(BigInteger, default=0)
    # Delivered by fulfilled matches, already taken out of quantity.
    sold_quantity: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    revenue: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")    # VND of what was received
    min_order_quantity: Mapped[int] = mapped_column(BigInteger, default=1)
    unit_price: Mapped[int] = mapped_column(BigInteger)      # VND per base unit
    available_from: Mapped[date | None] = mapped_column(Date)
    available_until: Mapped[date | None] = mapped_column(Date)
    stars: Mapped[int] = mapped_column(SmallInteger, default=0)
    traceability_code: Mapped[str | None] = mapped_column(String(64))
    raw_material_area_code: Mapped[str | None] = mapped_column(String(64))
    # A GS1 GTIN (8, 12, 13 or 14 digits, stored as given): its lots get GS1 Digital Links.
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    province_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[ListingStatus] = mapped_column(enum_column(ListingStatus, "listing_status"),
                                                  default=ListingStatus.DRAFT)
    # Title and description without diacritics or case, for search that
    # finds "Nước mắm" from "nuoc mam".
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Bumped on every change a match depends on, so a declined pair can be
    # proposed again once the listing changes.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Set when programme staff take it down; the owner sees the reason.
    takedown_reason: Mapped[str | None] = mapped_column(String(500))
    taken_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_down_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    producer = relationship("User", lazy="raise_on_sql", foreign_keys=[producer_id])
    certifications: Mapped[list[ListingCertification]] = relationship(
        back_populates="listing", cascade="all, delete-orphan", order_by="ListingCertification.code",
        lazy="selectin")
    photos = relationship("ListingPhoto", order_by="(ListingPhoto.position, ListingPhoto.id)", lazy="selectin",
                          cascade="all, delete-orphan", passive_deletes=True)

    @property
    def cover(self):
        """The first photo, shown in the catalogue; None without photos."""
        return self.photos[0] if self.photos else None

    @property
    def available_quantity(self) -> int:
        """Stock not yet promised to a match."""
        return self.quantity - self.reserved_quantity

    def valid_certifications(self, today: date) -> list[ListingCertification]:
        return [c for c in self.certifications if c.is_valid(today)]


class ListingCertification(db.Model):
    """A certificate the listing's product holds; once expired it counts
    nowhere (not in filters, not in matching)."""

    __tablename__ = "listing_certifications"
    __table_args__ = (
        UniqueConstraint("listing_id", "code", name="uq_listing_certifications_listing_code"),
        Index("ix_listing_certifications_code_listing", "code", "listing_id", "expires_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    number: Mapped[str | None] = mapped_column(String(60))
    expires_on: Mapped[date | None] = mapped_column(Date)

    listing: Mapped[Listing] = relationship(back_populates="certifications")

    def is_valid(self, today: date) -> bool:
        return self.expires_on is None or self.expires_on >= today
