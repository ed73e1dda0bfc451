"""The auto-approval policy: one row, changed by admins at run time, so
switching it off takes effect on the next proposal without a restart."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime
from marketplace.core.extensions import db

POLICY_ID = 1


class ApprovalPolicy(db.Model):
    __tablename__ = "approval_policies"
    __table_args__ = (
        CheckConstraint("min_score >= 0 AND min_score <= 1", name="min_score_fraction"),
        CheckConstraint("id = 1", name="single_row"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=POLICY_ID)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # A proposal's score (0..1) must be at least this.
    min_score: Mapped[float] = mapped_column(Float, default=0.8)
    require_verified_producer: Mapped[bool] = mapped_column(Boolean, default=True)
    # Neither party suspended, and neither cancelled or declined too many matches lately.
    require_good_standing: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
