"""A listing's photos: at most MAX_PHOTOS, the first (position 0) is the cover.

The image files live under MEDIA_ROOT, named by the hash of their content
(marketplace/listings/photos.py writes them); a row only says which files
belong to which listing, in which order."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime
from marketplace.core.extensions import db

MAX_PHOTOS = 6


class ListingPhoto(db.Model):
    __tablename__ = "listing_photos"
    __table_args__ = (Index("ix_listing_photos_listing_position", "listing_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))       # sha256 of the large WebP: its file name
    width: Mapped[int] = mapped_column(Integer)           # of the large WebP
    height: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def large_name(self) -> str:
        return f"listings/{self.digest}-1600.webp"

    @property
    def thumb_name(self) -> str:
        return f"listings/{self.digest}-400.webp"
