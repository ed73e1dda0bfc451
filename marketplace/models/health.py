from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.clock import utcnow
from marketplace.core.database import UTCDateTime
from marketplace.core.extensions import db


class HealthPing(db.Model):
    """A row written by a worker, proving that the queue, the worker and the
    database are wired together."""

    __tablename__ = "health_pings"

    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str] = mapped_column(String(200))
    worker: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
