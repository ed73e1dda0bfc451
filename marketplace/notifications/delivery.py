"""Sending what ``notify`` queued, exactly once per notification and channel.

A worker claims delivery rows (status ``sending``, a claim token, the time)
in a short transaction, sends, and marks each row ``sent`` only after the
SMTP server or the webhook receiver accepted it. A claim older than
NOTIFY_CLAIM_SECONDS belongs to a worker that died and is taken over, so a
message interrupted by a crash is sent again with the same delivery id
(e-mail Message-ID, X-CungCau-Delivery header); receivers deduplicate by it.
"""
from __future__ import annotations

import logging
import secrets
import smtplib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

from marketplace.core import outbox, task_names
from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.models import (
    Channel,
    Notification,
    User,
)
from marketplace.models import (
    DeliveryStatus as S,
)
from marketplace.models import (
    NotificationDelivery as D,
)
from marketplace.notifications import email as mail
from marketplace.notifications.services import (
    QUEUE,
    retry_delay,
    stale_before,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str
DIGEST_CLAIM = "digest-"


def claimable(channel: Channel, now, *, digest: bool = False):
    stale = and_(D.status == S.SENDING, D.claimed_at < stale_before())
    stale = and_(stale, D.claim_token.like(f"{DIGEST_CLAIM}%") if digest
                 else ~D.claim_token.like(f"{DIGEST_CLAIM}%"))
    return and_(D.channel == channel, or_(and_(D.status == S.PENDING, D.next_attempt_at <= now), stale))


def claim(condition, limit: int, token: str) -> list[int]:
    """Marks up to ``limit`` rows matching ``condition`` as ours; commits."""
    ids = select(D.id).where(condition).order_by(D.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    return take(db.session.scalars(ids).all(), condition, token)


def take(chosen: list[int], condition, token: str) -> list[int]:
    """Claims the chosen rows that still match ``condition`` (a row another
    worker claimed first drops out); commits and returns the ids we hold."""
    if not chosen:
        db.session.commit()
        return []
    db.session.execute(update(D).where(D.id.in_(chosen), condition)
                       .values(status=S.SENDING, claim_token=token, claimed_at=utcnow(), attempts=D.attempts + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return db.session.scalars(select(D.id).where(D.claim_token == token)).all()


def _mark_sent(ids: list[int], token: str) -> None:
    if ids:
        db.session.execute(update(D).where(D.id.in_(ids), D.claim_token == token)
                           .values(status=S.SENT, sent_at=utcnow(), last_error=None)
                           .execution_options(synchronize_session=False))
        db.session.commit()
        ids.clear()


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]


# -- e-mail ----------------------------------------------------------------------------------

def _give_back(rows: list, token: str, error: str, max_attempts: int) -> float | None:
    """Returns rows to the queue for a later attempt (or fails them); the shortest wait."""
    wait = None
    for row in rows:
        if row.attempts >= max_attempts:
            values = {"status": S.FAILED, "last_error": error, "claim_token": None}
        else:
            delay = retry_delay(row.attempts)
            wait = delay if wait is None else min(wait, delay)
            values = {"status": S.PENDING, "last_error": error, "claim_token": None,
                      "next_attempt_at": utcnow() + seconds(delay)}
        db.session.execute(update(D).where(D.id == row.id, D.claim_token == token).values(**values)
                           .execution_options(synchronize_session=False))
    return wait


def seconds(value: float):
    from datetime import timedelta
    return timedelta(seconds=value)


@dataclass
class _Outcome:
    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)     # (row, error): permanent refusals
    retry: list = field(default_factory=list)      # (row, error): temporary refusals
    unsent: list = field(default_factory=list)     # the connection failed before these
    lost: str | None = None


def _send_chunk(app, rows: list) -> _Outcome:
    """Renders and sends ``rows`` over one SMTP connection (in a thread of its own)."""
    outcome = _Outcome()
    done = 0
    with app.app_context():
        try:
            with mail.transport() as smtp:
                for row in rows:
                    message = mail.notification_email(row.id, Recipient(row.email, row.locale), row.kind, row.payload)
                    try:
                        smtp.send(message)
                    except smtplib.SMTPRecipientsRefused as error:
                        permanent = all(code >= 500 for code, _msg in error.recipients.values())
                        (outcome.failed if permanent else outcome.retry).append((row, _describe(error)))
                    except smtplib.SMTPResponseException as error:
                        if error.smtp_code == 421:  # the server is closing the connection
                            raise
                        (outcome.failed if error.smtp_code >= 500 else outcome.retry).append((row, _describe(error)))
                    else:
                        outcome.sent.append(row.id)
                    done += 1
        except (smtplib.SMTPException, *mail.TRANSIENT) as error:
            outcome.lost, outcome.unsent = _describe(error), rows[done:]
    return outcome


def flush_emails() -> dict:
    """Sends every e-mail delivery that is due.

    Batches of NOTIFY_EMAIL_BATCH rows are claimed at once and sent over
    NOTIFY_SMTP_CONNECTIONS connections in parallel (threads: the time goes
    into waiting for the server's replies); each row is marked sent only
    after the server accepted it.
    """
    config = current_app.config
    app = current_app._get_current_object()
    batch, max_attempts = config["NOTIFY_EMAIL_BATCH"], config["NOTIFY_EMAIL_MAX_ATTEMPTS"]
    connections = max(1, config["NOTIFY_SMTP_CONNECTIONS"])
    counts = {"sent": 0, "retry": 0, "failed": 0}
    retry_in: float | None = None
    with ThreadPoolExecutor(max_workers=connections, thread_name_prefix="smtp") as pool:
        while True:
            token = secrets.token_hex(8)
            ids = claim(claimable(Channel.EMAIL, utcnow()), batch, token)
            if not ids:
                break
            # Plain values, not ORM objects: commits would expire them and reload each one.
            rows = db.session.execute(
                select(D.id, D.attempts, Notification.kind, Notification.payload, User.email, User.locale)
                .join(Notification, Notification.id == D.notification_id)
                .join(User, User.id == Notification.user_id)
                .where(D.id.in_(ids)).order_by(D.id)).all()
            size = -(-len(rows) // connections)
            outcomes = list(pool.map(lambda chunk: _send_chunk(app, chunk),
                                     [rows[i:i + size] for i in range(0, len(rows), size)]))
            lost = next((o.lost for o in outcomes if o.lost), None)
            sent = [row_id for o in outcomes for row_id in o.sent]
            counts["sent"] += len(sent)
            _mark_sent(sent, token)
            for outcome in outcomes:
                for row, error in outcome.failed:
                    db.session.execute(update(D).where(D.id == row.id, D.claim_token == token)
                                       .values(status=S.FAILED, last_error=error, claim_token=None)
                                       .execution_options(synchronize_session=False))
                    counts["failed"] += 1
                later = [(row, error) for row, error in outcome.retry] + \
                        [(row, outcome.lost or "interrupted") for row in outcome.unsent]
                for row, error in later:
                    wait = _give_back([row], token, error, max_attempts)
                    counts["retry"] += 1
                    if wait is not None:
                        retry_in = wait if retry_in is None else min(retry_in, wait)
            db.session.commit()
            if lost:
                log.warning("notifications: SMTP unavailable (%s); %d e-mails wait for a retry", lost,
                            sum(len(o.unsent) for o in outcomes))
                break
    if retry_in is not None:
        queue_retry(task_names.NOTIFY_SEND_EMAILS, retry_in)
        db.session.commit()
    return counts


# -- daily digest ----------------------------------------------------------------------------

def send_digests() -> dict:
    """One e-mail per user with everything held for the digest since the last one."""
    counts = {"users": 0, "notifications": 0}
    # Digests a dead worker had claimed go back to the pile.
    db.session.execute(update(D).where(D.channel == Channel.EMAIL, D.status == S.SENDING,
                                       D.claim_token.like(f"{DIGEST_CLAIM}%"), D.claimed_at < stale_before())
                       .values(status=S.HELD, claim_token=None).execution_options(synchronize_session=False))
    db.session.commit()
    user_ids = db.session.scalars(
        select(Notification.user_id).join(D, D.notification_id == Notification.id)
        .where(D.channel == Channel.EMAIL, D.status == S.HELD).group_by(Notification.user_id)
        .order_by(Notification.user_id)).all()
    for user_id in user_ids:
        token = DIGEST_CLAIM + secrets.token_hex(8)
        held = select(D.id).join(Notification, Notification.id == D.notification_id).where(
            Notification.user_id == user_id, D.channel == Channel.EMAIL, D.status == S.HELD)
        db.session.execute(update(D).where(D.id.in_(held), D.status == S.HELD)
                           .values(status=S.SENDING, claim_token=token, claimed_at=utcnow(),
                                   attempts=D.attempts + 1).execution_options(synchronize_session=False))
        db.session.commit()
        rows = db.session.execute(select(D.id, Notification.kind, Notification.payload)
                                  .join(Notification, Notification.id == D.notification_id)
                                  .where(D.claim_token == token).order_by(D.id)).all()
        if not rows:
            continue
        user = db.session.get(User, user_id)
        try:
            with mail.transport() as smtp:
                smtp.send(mail.digest_email(user, [tuple(row) for row in rows]))
        except Exception as error:
            # Back to the pile; the task retries, and tomorrow's digest would take them anyway.
            db.session.execute(update(D).where(D.claim_token == token)
                               .values(status=S.HELD, claim_token=None, last_error=_describe(error))
                               .execution_options(synchronize_session=False))
            db.session.commit()
            raise
        _mark_sent([row.id for row in rows], token)
        counts["users"] += 1
        counts["notifications"] += len(rows)
    return counts


def queue_retry(task: str, delay: float) -> None:
    """A sending task ``delay`` seconds from now. One waiting message per delay: a
    short retry is never folded into a longer one that happens to be waiting."""
    outbox.enqueue(task, {}, dedupe_key=f"{task}:retry:{int(delay * 1000)}", delay=delay, queue=QUEUE)


# -- recovery --------------------------------------------------------------------------------

def sweep(grace_seconds: float = 60) -> dict:
    """Re-queues deliveries whose task was lost (a worker killed, a broker flushed).

    Celery beat runs it every minute; a delivery that already has a task
    waiting absorbs the new one (same outbox dedupe key).
    """
    now = utcnow()
    late = now - seconds(grace_seconds)
    email_due = db.session.scalar(select(func.count(D.id)).where(claimable(Channel.EMAIL, late))) or 0
    if email_due:
        outbox.enqueue(task_names.NOTIFY_SEND_EMAILS, {}, dedupe_key="notify-email:0", queue=QUEUE)
    webhook_due = db.session.scalar(select(func.count(D.id)).where(claimable(Channel.WEBHOOK, late))) or 0
    if webhook_due:
        outbox.enqueue(task_names.NOTIFY_SEND_WEBHOOKS, {}, dedupe_key="notify-webhook:0", queue=QUEUE)
    db.session.commit()
    return {"email": email_due, "webhook": webhook_due}
