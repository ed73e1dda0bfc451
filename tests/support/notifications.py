"""Helpers of the notification tests: emit an event, read what it left."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.core.events import emit_event
from marketplace.core.extensions import db as _db
from marketplace.core.outbox import OutboxMessage
from marketplace.models import Notification, NotificationDelivery


def match_details(producer, distributor, **extra) -> dict:
    return {"match_id": 7, "listing_id": 3, "order_id": 4, "producer_id": producer.id,
            "distributor_id": distributor.id, "quantity": 2000, "unit": "kg", "unit_price": 32000,
            "listing_title": "Gạo ST25 lô 1", "order_title": "Cần mua gạo ST25", **extra}


def emit(kind, target_type="match", target_id=7, actor=None, **details):
    event = emit_event(kind, target_type=target_type, target_id=target_id, actor=actor, **details)
    _db.session.commit()
    return event


def kinds_of(user) -> list[str]:
    return list(_db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                    .order_by(Notification.id)))


def deliveries(channel=None):
    query = select(NotificationDelivery).order_by(NotificationDelivery.id)
    if channel:
        query = query.where(NotificationDelivery.channel == channel)
    return _db.session.scalars(query).all()


def outbox_tasks() -> list[str]:
    return list(_db.session.scalars(select(OutboxMessage.task).order_by(OutboxMessage.id)))


