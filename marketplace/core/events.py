"""The one place a state change is announced.

``emit_event`` writes the audit-log row and hands the event to every
subscriber inside the same transaction, so an event exists exactly when the
change it describes was committed. Subscribers (notifications) store what
they need and queue their own delivery through the outbox; none of them may
talk to the network here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db


@dataclass(frozen=True)
class Event:
    kind: str                     # e.g. "match.approved"
    target_type: str              # "match", "user", "listing", "order", "match_run"
    target_id: int
    actor_id: int | None          # None when the system acted
    actor_label: str              # "user", "system" or "policy"
    audit_id: int
    details: dict = field(default_factory=dict)


Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Registers a subscriber once (usable as a decorator)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def emit_event(kind: str, *, target_type: str, target_id: int, actor=None,
               actor_label: str | None = None, **details) -> Event:
    """Audit ``kind`` on the target and notify subscribers; the caller commits.

    ``actor`` is the account that acted (anything with an ``id``), or None
    when the system did."""
    label = actor_label or ("user" if actor is not None else "system")
    row = AuditLog(actor_id=actor.id if actor is not None else None, actor_label=label, action=kind,
                   target_type=target_type, target_id=target_id, details=details)
    db.session.add(row)
    db.session.flush([row])
    event = Event(kind, target_type, target_id, row.actor_id, label, row.id, details)
    for subscriber in list(_subscribers):
        subscriber(event)
    return event
