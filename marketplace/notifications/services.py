"""The one place that notifies: ``notify`` stores the in-app notification
and the deliveries the user's preferences ask for, and queues them to be
sent after the commit. The event subscriber turns domain events into calls
to ``notify``; nothing here talks to the network."""
from __future__ import annotations

import logging
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import Boolean, Integer, String, bindparam, cast, event, func, literal, null, select, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from marketplace.auth.recovery import CONFIRM_EVENT, RESET_EVENT, SIGNUP_ATTEMPT_EVENT, confirm_token, reset_token
from marketplace.core import outbox, task_names
from marketplace.core.clock import utcnow
from marketplace.core.events import Event
from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.models import (
    Channel,
    DeliveryStatus,
    Notification,
    NotificationDelivery,
    NotificationPreference,
    NotificationSettings,
    User,
    WebhookEndpoint,
)
from marketplace.models.user import Role, UserStatus
from marketplace.notifications.messages import EMAIL_ONLY, KINDS, Kind, kinds_for
from marketplace.trade.scope import is_scoped, within

log = logging.getLogger(__name__)
QUEUE = task_names.NOTIFICATIONS_QUEUE
_QUEUED_KEYS = "notifications_queued"


# -- preferences ---------------------------------------------------------------------------

def channel_enabled(user: User, kind: Kind, channel: Channel, choices: dict | None = None) -> bool:
    if kind.mandatory:
        return channel is Channel.EMAIL
    if choices is None:
        choices = preference_choices(user)
    default = kind.email if channel is Channel.EMAIL else kind.webhook
    return choices.get((kind.code, channel), default)


def preference_choices(user: User) -> dict[tuple[str, Channel], bool]:
    rows = db.session.execute(select(NotificationPreference.kind, NotificationPreference.channel,
                                     NotificationPreference.enabled)
                              .where(NotificationPreference.user_id == user.id)).all()
    return {(kind, channel): enabled for kind, channel, enabled in rows}


def email_digest(user: User) -> bool:
    return bool(db.session.scalar(select(NotificationSettings.email_digest)
                                  .where(NotificationSettings.user_id == user.id)))


def preferences_of(user: User) -> dict:
    """Every choice the user can make, defaults filled in."""
    choices = preference_choices(user)
    return {"email_digest": email_digest(user),
            "preferences": [{"kind": kind.code, "label": str(kind.label), "channel": channel.value,
                             "enabled": channel_enabled(user, kind, channel, choices)}
                            for kind in kinds_for(user.role) for channel in Channel]}


class PreferenceError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def set_preferences(user: User, changes: list[tuple[str, str, bool]], digest: bool | None = None) -> None:
    """Stores (kind, channel, enabled) choices; unknown kinds or channels are refused."""
    from flask_babel import gettext as _

    allowed = {kind.code for kind in kinds_for(user.role)}
    for index, (kind, channel, enabled) in enumerate(changes):
        if kind not in allowed:
            raise PreferenceError(f"preferences.{index}.kind", _("Not a valid choice."))
        if channel not in {c.value for c in Channel}:
            raise PreferenceError(f"preferences.{index}.channel", _("Not a valid choice."))
        row = db.session.scalar(select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.kind == kind,
            NotificationPreference.channel == Channel(channel)))
        if row is None:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, channel=Channel(channel),
                                                  enabled=bool(enabled)))
        else:
            row.enabled = bool(enabled)
    if digest is not None:
        settings = db.session.get(NotificationSettings, user.id)
        if settings is None:
            db.session.add(NotificationSettings(user_id=user.id, email_digest=digest))
        else:
            settings.email_digest = digest
    db.session.commit()


# -- notify --------------------------------------------------------------------------------

@cache
def _insert_notification(dialect: str):
    """INSERT ... ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, built once (compiled once)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(Notification).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Notification.id)


def _store_notification(values: dict) -> int | None:
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        return db.session.execute(_insert_notification(dialect), values).scalar()
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == values["dedupe_key"])):
        return None
    row = Notification(**values)
    db.session.add(row)
    db.session.flush([row])
    return row.id


@cache
def _settings_query():
    P, S, W = NotificationPreference, NotificationSettings, WebhookEndpoint
    user_id = bindparam("user_id", type_=Integer)
    text_type, null_text, null_int = String(60), null().cast(String(60)), null().cast(Integer)
    return union_all(
        select(literal("p"), P.kind, cast(P.channel, text_type), P.enabled, null_int).where(P.user_id == user_id),
        select(literal("d"), null_text, null_text, S.email_digest, null_int).where(S.user_id == user_id),
        select(literal("w"), null_text, null_text, null().cast(Boolean), W.id).where(
            W.user_id == user_id, W.active.is_(True), W.removed_at.is_(None)))


def _settings_of(user_id: int) -> tuple[dict, bool, list[int]]:
    """Preferences, the digest switch and live webhook endpoints, in one query."""
    rows = db.session.execute(_settings_query(), {"user_id": user_id}).all()
    choices = {(kind, Channel(channel)): flag for tag, kind, channel, flag, _id in rows if tag == "p"}
    digest = any(flag for tag, _k, _c, flag, _id in rows if tag == "d")
    endpoints = sorted(ref for tag, _k, _c, _f, ref in rows if tag == "w")
    return choices, digest, endpoints


def _enqueue_once(task: str, dedupe_key: str) -> None:
    """One outbox row per key and transaction: the first absorbs the others anyway."""
    queued = db.session.info.setdefault(_QUEUED_KEYS, set())
    if dedupe_key not in queued:
        outbox.enqueue(task, {}, dedupe_key=dedupe_key, queue=QUEUE)
        queued.add(dedupe_key)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_queued(session, *args):
    session.info.pop(_QUEUED_KEYS, None)


def notify(user: User, kind: str, payload: dict, dedupe_key: str) -> int | None:
    """Tells ``user`` about ``kind`` once per dedupe key; the caller commits.

    Returns the new notification's id, or None when that key was already
    used (a second call, a retried task): nothing more is stored or sent.
    """
    spec = KINDS[kind]
    now = utcnow()
    notification_id = _store_notification({"user_id": user.id, "kind": kind, "payload": payload,
                                           "dedupe_key": dedupe_key[:200], "created_at": now})
    if notification_id is None:
        return None
    choices, digest, endpoints = _settings_of(user.id)
    if spec.mandatory:
        choices, digest = {}, False
    if channel_enabled(user, spec, Channel.EMAIL, choices):
        db.session.add(NotificationDelivery(
            notification_id=notification_id, channel=Channel.EMAIL, target="email",
            status=DeliveryStatus.HELD if digest else DeliveryStatus.PENDING, next_attempt_at=now, created_at=now))
        if not digest:
            # A burst folds into a few tasks that send over one SMTP connection each;
            # NOTIFY_EMAIL_FLUSHERS of them can run side by side on a worker's processes.
            shard = notification_id % current_app.config["NOTIFY_EMAIL_FLUSHERS"]
            _enqueue_once(task_names.NOTIFY_SEND_EMAILS, f"notify-email:{shard}")
    if channel_enabled(user, spec, Channel.WEBHOOK, choices) and endpoints:
        db.session.add_all([NotificationDelivery(
            notification_id=notification_id, channel=Channel.WEBHOOK, target=f"webhook:{endpoint_id}",
            endpoint_id=endpoint_id, next_attempt_at=now, created_at=now) for endpoint_id in endpoints])
        # One sending task at a time runs the POSTs (a pool of threads), leaving the
        # worker's other processes to the e-mails.
        _enqueue_once(task_names.NOTIFY_SEND_WEBHOOKS, "notify-webhook:0")
    return notification_id


# -- events -> notifications -----------------------------------------------------------------

MATCH_KINDS = {"match.approved", "match.accepted", "match.declined", "match.confirmed", "match.expired",
               "match.cancelled", "match.fulfilled", "match.offer_made", "match.offer_accepted", "match.offer_declined",
               "match.shipped", "match.rated"}
# Told to the other party than the one who acted.
_TO_THE_OTHER_PARTY = ("match.accepted", "match.declined", "match.offer_made", "match.offer_accepted",
                       "match.offer_declined", "match.shipped", "match.rated")


def recipients(event: Event) -> list[int]:
    """Who hears about ``event``: user ids, in a stable order."""
    d = event.details
    producer, distributor = d.get("producer_id"), d.get("distributor_id")
    if event.kind in ("match.approved", "match.confirmed", "match.expired"):
        return [producer, distributor]
    if event.kind in _TO_THE_OTHER_PARTY:
        party = d.get("party") or ("producer" if event.actor_id == producer else "distributor")
        return [distributor] if party == "producer" else [producer]
    if event.kind == "match.cancelled":
        acting = {"producer": producer, "distributor": distributor}.get(d.get("party"), event.actor_id)
        return [uid for uid in (producer, distributor) if uid != acting]
    if event.kind == "match.fulfilled":
        return [producer]
    if event.kind == "listing.sold_out":
        return [producer]
    if event.kind == "order.filled":
        return [distributor]
    if event.kind in ("user.verified", "user.suspended", "user.reinstated", RESET_EVENT, CONFIRM_EVENT,
                      SIGNUP_ATTEMPT_EVENT):
        return [event.target_id]
    if event.kind == "rating.hidden":
        return [d.get("author_id")]
    if event.kind == "listing.taken_down":
        return [producer]
    if event.kind == "order.taken_down":
        return [distributor]
    return []


def on_event(event: Event) -> None:
    """The subscriber: runs inside the transaction of the change it reports."""
    if event.kind in ("match.proposed", "match_run.proposed"):
        # Admins get one summary of what waits, not one message per proposal.
        outbox.enqueue(task_names.NOTIFY_MODERATION_SUMMARY, {}, dedupe_key="notify-moderation-summary", queue=QUEUE,
                       delay=current_app.config["NOTIFY_MODERATION_DELAY_SECONDS"])
        return
    if event.kind not in KINDS:
        return
    payload = {**event.details, "target_type": event.target_type, "target_id": event.target_id}
    for user_id in dict.fromkeys(recipients(event)):
        user = db.session.get(User, user_id) if user_id else None
        if user is None:
            continue
        if user.status != UserStatus.ACTIVE and event.kind != "user.suspended":
            continue
        if event.kind == RESET_EVENT:
            # The link exists only in the e-mail waiting to be sent (the audit log never sees it).
            payload = {**payload, "token": reset_token(user),
                       "hours": int(float(current_app.config["PASSWORD_RESET_HOURS"]))}
        elif event.kind == CONFIRM_EVENT:
            payload = {**payload, "token": confirm_token(user),
                       "days": int(float(current_app.config["EMAIL_CONFIRM_DAYS"]))}
        notify(user, event.kind, payload, f"{event.kind}:{event.audit_id}:{user.id}")


def summarise_moderation(run_key: str) -> int:
    """Tells every admin how many proposals wait (a scoped admin: in their
    provinces, and nothing when none does); one notice per admin per run_key."""
    from marketplace.models import Match, MatchStatus

    proposals = select(func.count(Match.id)).where(Match.status == MatchStatus.PROPOSED)
    waiting = db.session.scalar(proposals) or 0
    if not waiting:
        return 0
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN,
                                                   User.status == UserStatus.ACTIVE)).all()
    told = 0
    for admin in admins:
        count = (db.session.scalar(within(proposals, admin, Match)) or 0) if is_scoped(admin) else waiting
        if count and notify(admin, "moderation.waiting", {"count": count},
                            f"moderation.waiting:{run_key}:{admin.id}"):
            told += 1
    db.session.commit()
    return told


# -- in-app ----------------------------------------------------------------------------------

def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None), Notification.kind.notin_(EMAIL_ONLY))) or 0


def notifications_of(user: User, page: int | None = None, per_page: int | None = None,
                     unread_only: bool = False) -> Page:
    query = select(Notification).where(Notification.user_id == user.id, Notification.kind.notin_(EMAIL_ONLY))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return paginate(query.order_by(Notification.id.desc()), page, per_page)


def own_notification(user: User, notification_id: int) -> Notification | None:
    return db.session.scalar(select(Notification).where(Notification.id == notification_id,
                                                        Notification.user_id == user.id))


def mark_read(notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def retry_delay(attempts: int) -> float:
    """Exponential backoff: base * 2**(attempts-1) seconds, capped."""
    config = current_app.config
    return min(config["NOTIFY_RETRY_MAX_SECONDS"], config["NOTIFY_RETRY_BASE_SECONDS"] * 2 ** max(0, attempts - 1))


def stale_before():
    return utcnow() - timedelta(seconds=current_app.config["NOTIFY_CLAIM_SECONDS"])
