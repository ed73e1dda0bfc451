"""Notifications: what a user is told (in-app), and each attempt to tell
them elsewhere (an e-mail, a webhook POST), with their preferences and
webhook endpoints."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
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

_UNREAD_SQL = "read_at IS NULL"


class Notification(db.Model):
    """One thing a user was told. The dedupe key is unique: the same event
    for the same person, however often it is handled, is one row."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The bell's count: one index-only count per page.
        Index("ix_notifications_unread", "user_id", postgresql_where=text(_UNREAD_SQL),
              sqlite_where=text(_UNREAD_SQL)),
        Index("ix_notifications_user_id_desc", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    deliveries: Mapped[list[NotificationDelivery]] = relationship(back_populates="notification")


class Channel(str, enum.Enum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"      # waiting for a worker (or for its next attempt)
    SENDING = "sending"      # claimed by a worker until claimed_at + the lease
    SENT = "sent"            # the SMTP server or the receiver accepted it
    HELD = "held"            # kept for the daily digest e-mail
    FAILED = "failed"        # given up: permanent error, too many attempts, endpoint disabled


class NotificationDelivery(db.Model):
    """One notification on one channel (one e-mail, or one POST to one
    endpoint): sent at most once, retried until it is."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        # "email" or "webhook:<endpoint id>": a retried task never makes a second row.
        UniqueConstraint("notification_id", "target", name="uq_notification_deliveries_target"),
        Index("ix_notification_deliveries_due", "channel", "status", "next_attempt_at"),
        Index("ix_notification_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "delivery_channel"))
    target: Mapped[str] = mapped_column(String(40))
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus, "delivery_status"),
                                                   default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    response_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    notification: Mapped[Notification] = relationship(back_populates="deliveries")
    endpoint = relationship("WebhookEndpoint")


class NotificationPreference(db.Model):
    """A user's choice for one kind on one channel; without a row the
    default of that kind applies."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", "channel", name="uq_notification_preferences_choice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "preference_channel"))
    enabled: Mapped[bool] = mapped_column(Boolean)


class NotificationSettings(db.Model):
    """Per-user switches that are not per kind: the daily digest."""

    __tablename__ = "notification_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False)


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(db.Model):
    """An https URL a producer or distributor wants events POSTed to."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    # Needed in clear to sign each POST; shown to its owner only.
    secret: Mapped[str] = mapped_column(String(80), default=new_webhook_secret)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
