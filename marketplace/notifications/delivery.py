"""Sending what ``notify`` queued, exactly once per notification and channel.

A worker claims delivery rows (status ``sending``, a claim token, the time)
in a short transaction, sends, and marks each row ``sent`` only after the
SMTP server or the webhook receiver accepted it. A claim older than
NOTIFY_CLAIM_SECONDS belongs to a worker that died and is taken over, so a
message interrupted by a crash is sent again with the same delivery id
(e-mail Message-ID, X-CungCau-Delivery header); receivers deduplicate by it.
"""
from __future__ import annotations

import json
import logging
import secrets
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from marketplace import outbox
from marketplace.extensions import db
from marketplace.models import (
    Channel, DeliveryStatus as S, Notification, NotificationDelivery as D, User, WebhookEndpoint,
)
from marketplace.models.base import utcnow
from marketplace.notifications import email as mail, webhooks
from marketplace.notifications.messages import path_of, text_of, title_of
from marketplace.notifications.services import (
    EMAIL_TASK, QUEUE, WEBHOOK_TASK, notify, retry_delay, stale_before,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str
DIGEST_CLAIM = "digest-"


def _claimable(channel: Channel, now, *, digest: bool = False):
    stale = and_(D.status == S.SENDING, D.claimed_at < stale_before())
    stale = and_(stale, D.claim_token.like(f"{DIGEST_CLAIM}%") if digest
                 else ~D.claim_token.like(f"{DIGEST_CLAIM}%"))
    return and_(D.channel == channel, or_(and_(D.status == S.PENDING, D.next_attempt_at <= now), stale))


def _claim(condition, limit: int, token: str) -> list[int]:
    """Marks up to ``limit`` rows matching ``condition`` as ours; commits."""
    ids = select(D.id).where(condition).order_by(D.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    chosen = db.session.scalars(ids).all()
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
                      "next_attempt_at": utcnow() + _seconds(delay)}
        db.session.execute(update(D).where(D.id == row.id, D.claim_token == token).values(**values)
                           .execution_options(synchronize_session=False))
    return wait


def _seconds(value: float):
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
            with mail.Smtp() as smtp:
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
            ids = _claim(_claimable(Channel.EMAIL, utcnow()), batch, token)
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
        outbox.enqueue(EMAIL_TASK, {}, dedupe_key="notify-email-retry", delay=retry_in, queue=QUEUE)
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
            with mail.Smtp() as smtp:
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


# -- webhooks --------------------------------------------------------------------------------

def webhook_body(row: D) -> dict:
    note = row.notification
    from flask_babel import force_locale

    with force_locale(note.user.locale or "vi"):
        title, text = title_of(note.kind, note.payload), text_of(note.kind, note.payload)
    return {"delivery_id": row.id, "event": note.kind, "notification_id": note.id,
            "created_at": note.created_at.isoformat(), "attempt": row.attempts,
            "title": title, "text": text, "link": mail.site_link(path_of(note.kind, note.payload)),
            "data": note.payload}


def deliver_webhook(delivery_id: int) -> str:
    """POSTs one webhook delivery; returns what became of it."""
    config = current_app.config
    token = secrets.token_hex(8)
    condition = and_(D.id == delivery_id, _claimable(Channel.WEBHOOK, utcnow()))
    if not _claim(condition, 1, token):
        return "skipped"   # already sent, not due yet, or another worker has it
    row = db.session.scalar(select(D).where(D.id == delivery_id)
                            .options(joinedload(D.notification).joinedload(Notification.user),
                                     joinedload(D.endpoint)))
    endpoint = row.endpoint
    if endpoint is None or not endpoint.active or endpoint.removed_at is not None:
        row.status, row.claim_token, row.last_error = S.FAILED, None, "endpoint disabled or removed"
        db.session.commit()
        return "failed"
    body = json.dumps(webhook_body(row), ensure_ascii=False, separators=(",", ":")).encode()
    started = time.monotonic()
    result = webhooks.post(endpoint.url, body, endpoint.secret, delivery_id=row.id, event=row.notification.kind,
                           timeout=config["WEBHOOK_TIMEOUT_SECONDS"])
    log.info("webhook %s -> %s: %s in %.0f ms", row.id, endpoint.url, result.status or result.error,
             1000 * (time.monotonic() - started))
    db.session.refresh(row)
    if row.claim_token != token:
        return "taken-over"   # we were too slow; the worker that took it over records the outcome
    row.response_status = result.status
    if result.ok:
        row.status, row.sent_at, row.claim_token, row.last_error = S.SENT, utcnow(), None, None
        db.session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id)
                           .values(consecutive_failures=0))
        db.session.commit()
        return "sent"
    row.last_error, row.claim_token = result.error, None
    failures = db.session.scalar(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id)
        .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
        .returning(WebhookEndpoint.consecutive_failures))
    if failures >= config["WEBHOOK_DISABLE_AFTER"]:
        row.status = S.FAILED
        disable_endpoint(endpoint, failures, result.error)
        db.session.commit()
        return "failed"
    if row.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        row.status = S.FAILED
        db.session.commit()
        return "failed"
    delay = retry_delay(row.attempts)
    row.status, row.next_attempt_at = S.PENDING, utcnow() + _seconds(delay)
    outbox.enqueue(WEBHOOK_TASK, {"delivery_id": row.id}, dedupe_key=f"webhook:{row.id}", delay=delay, queue=QUEUE)
    db.session.commit()
    return "retry"


def disable_endpoint(endpoint: WebhookEndpoint, failures: int, error: str | None) -> None:
    """Stops sending to an endpoint that keeps failing, and tells its owner; the caller commits."""
    changed = db.session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id, WebhookEndpoint.active.is_(True))
        .values(active=False, disabled_at=utcnow(), disabled_reason=(error or "")[:500])
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        return  # another worker got there first and told the owner
    db.session.execute(update(D).where(D.endpoint_id == endpoint.id, D.status == S.PENDING)
                       .values(status=S.FAILED, last_error="endpoint disabled")
                       .execution_options(synchronize_session=False))
    owner = db.session.get(User, endpoint.user_id)
    notify(owner, "webhook.disabled", {"url": endpoint.url, "failures": failures, "error": error,
                                       "endpoint_id": endpoint.id},
           f"webhook.disabled:{endpoint.id}:{utcnow().isoformat()}")


# -- recovery --------------------------------------------------------------------------------

def sweep(grace_seconds: float = 60) -> dict:
    """Re-queues deliveries whose task was lost (a worker killed, a broker flushed).

    Celery beat runs it every minute; a delivery that already has a task
    waiting absorbs the new one (same outbox dedupe key).
    """
    now = utcnow()
    late = now - _seconds(grace_seconds)
    email_due = db.session.scalar(select(func.count(D.id)).where(
        D.channel == Channel.EMAIL, or_(and_(D.status == S.PENDING, D.next_attempt_at <= late),
                                        and_(D.status == S.SENDING, D.claimed_at < stale_before(),
                                             ~D.claim_token.like(f"{DIGEST_CLAIM}%"))))) or 0
    if email_due:
        outbox.enqueue(EMAIL_TASK, {}, dedupe_key="notify-email:0", queue=QUEUE)
    webhook_ids = db.session.scalars(select(D.id).where(
        D.channel == Channel.WEBHOOK, or_(and_(D.status == S.PENDING, D.next_attempt_at <= late),
                                          and_(D.status == S.SENDING, D.claimed_at < stale_before())))
        .order_by(D.id).limit(1000)).all()
    for delivery_id in webhook_ids:
        outbox.enqueue(WEBHOOK_TASK, {"delivery_id": delivery_id}, dedupe_key=f"webhook:{delivery_id}",
                       queue=QUEUE)
    db.session.commit()
    return {"email": email_due, "webhook": len(webhook_ids)}
