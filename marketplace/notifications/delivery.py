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
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, func, or_, select, update

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
        _queue_retry(EMAIL_TASK, retry_in)
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

@dataclass(frozen=True)
class WebhookJob:
    """Everything one POST needs, read before it is sent (no database in the sending thread)."""
    delivery_id: int
    attempts: int
    endpoint_id: int
    url: str
    secret: str
    event: str
    body: bytes
    endpoint_failures: int = 0


def webhook_body(delivery_id: int, attempts: int, notification: Notification, locale: str) -> dict:
    from flask_babel import force_locale

    with force_locale(locale or "vi"):
        title, text = title_of(notification.kind, notification.payload), text_of(notification.kind,
                                                                                 notification.payload)
    return {"delivery_id": delivery_id, "event": notification.kind, "notification_id": notification.id,
            "created_at": notification.created_at.isoformat(), "attempt": attempts,
            "title": title, "text": text, "link": mail.site_link(path_of(notification.kind, notification.payload)),
            "data": notification.payload}


def _webhook_jobs(ids: list[int], token: str) -> list[WebhookJob]:
    """Jobs for claimed rows; rows whose endpoint was disabled or removed meanwhile fail here."""
    if not ids:
        return []
    rows = db.session.execute(
        select(D.id, D.attempts, WebhookEndpoint, Notification, User.locale)
        .join(WebhookEndpoint, WebhookEndpoint.id == D.endpoint_id)
        .join(Notification, Notification.id == D.notification_id).join(User, User.id == Notification.user_id)
        .where(D.id.in_(ids)).order_by(D.id)).all()
    jobs, dead = [], []
    for delivery_id, attempts, endpoint, notification, locale in rows:
        if not endpoint.active or endpoint.removed_at is not None:
            dead.append(delivery_id)
            continue
        body = webhook_body(delivery_id, attempts, notification, locale)
        jobs.append(WebhookJob(delivery_id, attempts, endpoint.id, endpoint.url, endpoint.secret, notification.kind,
                               json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
                               endpoint.consecutive_failures))
    if dead:
        db.session.execute(update(D).where(D.id.in_(dead), D.claim_token == token)
                           .values(status=S.FAILED, claim_token=None, last_error="endpoint disabled or removed")
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return jobs


def _post(job: WebhookJob, timeout: float) -> webhooks.PostResult:
    return webhooks.post(job.url, job.body, job.secret, delivery_id=job.delivery_id, event=job.event,
                         timeout=timeout)


def _record_webhook(job: WebhookJob, token: str, result: webhooks.PostResult) -> str:
    """Stores what one POST gave: sent, a retry later, or failed (and the endpoint maybe disabled)."""
    config = current_app.config
    mine = and_(D.id == job.delivery_id, D.claim_token == token)
    if result.ok:
        taken = db.session.execute(update(D).where(mine).values(
            status=S.SENT, sent_at=utcnow(), claim_token=None, last_error=None, response_status=result.status)
            .execution_options(synchronize_session=False)).rowcount == 0
        if job.endpoint_failures:
            db.session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == job.endpoint_id)
                               .values(consecutive_failures=0).execution_options(synchronize_session=False))
        db.session.commit()
        # Taken over: we were too slow, and the worker that took it over records its own outcome.
        return "taken-over" if taken else "sent"
    if db.session.scalar(select(D.id).where(mine)) is None:
        db.session.commit()
        return "taken-over"
    failures = db.session.scalar(
        update(WebhookEndpoint).where(WebhookEndpoint.id == job.endpoint_id)
        .values(consecutive_failures=WebhookEndpoint.consecutive_failures + 1)
        .returning(WebhookEndpoint.consecutive_failures))
    failed = {"status": S.FAILED, "claim_token": None, "last_error": result.error, "response_status": result.status}
    if failures >= config["WEBHOOK_DISABLE_AFTER"]:
        db.session.execute(update(D).where(mine).values(**failed).execution_options(synchronize_session=False))
        disable_endpoint(db.session.get(WebhookEndpoint, job.endpoint_id), failures, result.error)
        db.session.commit()
        return "failed"
    if job.attempts >= config["WEBHOOK_MAX_ATTEMPTS"]:
        db.session.execute(update(D).where(mine).values(**failed).execution_options(synchronize_session=False))
        db.session.commit()
        return "failed"
    delay = retry_delay(job.attempts)
    db.session.execute(update(D).where(mine).values(
        status=S.PENDING, claim_token=None, last_error=result.error, response_status=result.status,
        next_attempt_at=utcnow() + _seconds(delay)).execution_options(synchronize_session=False))
    _queue_retry(WEBHOOK_TASK, delay)
    db.session.commit()
    return "retry"


def _queue_retry(task: str, delay: float) -> None:
    """A sending task ``delay`` seconds from now. One waiting message per delay: a
    short retry is never folded into a longer one that happens to be waiting."""
    outbox.enqueue(task, {}, dedupe_key=f"{task}:retry:{int(delay * 1000)}", delay=delay, queue=QUEUE)


def deliver_webhook(delivery_id: int) -> str:
    """POSTs one webhook delivery now, if it is due; returns what became of it."""
    token = secrets.token_hex(8)
    condition = and_(D.id == delivery_id, _claimable(Channel.WEBHOOK, utcnow()))
    if not _claim(condition, 1, token):
        return "skipped"   # already sent, not due yet, or another worker has it
    jobs = _webhook_jobs([delivery_id], token)
    if not jobs:
        return "failed"
    return _record_webhook(jobs[0], token, _post(jobs[0], current_app.config["WEBHOOK_TIMEOUT_SECONDS"]))


def _claim_webhooks(limit: int, busy: list[int], token: str) -> list[int]:
    """Up to ``limit`` due deliveries, at most WEBHOOK_PER_ENDPOINT per endpoint and
    none for endpoints already that busy: one slow receiver cannot fill the pool."""
    per_endpoint = current_app.config["WEBHOOK_PER_ENDPOINT"]
    condition = _claimable(Channel.WEBHOOK, utcnow())
    if busy:
        condition = and_(condition, D.endpoint_id.not_in(busy))
    ranked = select(D.id, func.row_number().over(partition_by=D.endpoint_id, order_by=D.id).label("n")) \
        .where(condition).subquery()
    chosen = db.session.scalars(select(ranked.c.id).where(ranked.c.n <= per_endpoint)
                                .order_by(ranked.c.id).limit(limit)).all()
    if not chosen:
        db.session.commit()
        return []
    # The status test in the UPDATE makes a row another worker claimed first drop out.
    db.session.execute(update(D).where(D.id.in_(chosen), condition)
                       .values(status=S.SENDING, claim_token=token, claimed_at=utcnow(), attempts=D.attempts + 1)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return db.session.scalars(select(D.id).where(D.claim_token == token)).all()


def flush_webhooks() -> dict:
    """POSTs every due webhook delivery, WEBHOOK_CONCURRENCY at a time.

    A pool of threads is kept full: as soon as one POST ends, the next
    delivery is claimed. A receiver that hangs holds at most
    WEBHOOK_PER_ENDPOINT threads for WEBHOOK_TIMEOUT_SECONDS; everyone else's
    deliveries go on around it.
    """
    config = current_app.config
    size, timeout = max(1, config["WEBHOOK_CONCURRENCY"]), config["WEBHOOK_TIMEOUT_SECONDS"]
    counts: Counter = Counter()
    inflight: dict = {}
    per_endpoint: Counter = Counter()
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="webhook") as pool:
        while True:
            if len(inflight) < size:
                busy = [e for e, n in per_endpoint.items() if n >= config["WEBHOOK_PER_ENDPOINT"]]
                token = secrets.token_hex(8)
                for job in _webhook_jobs(_claim_webhooks(size - len(inflight), busy, token), token):
                    inflight[pool.submit(_post, job, timeout)] = (job, token)
                    per_endpoint[job.endpoint_id] += 1
            if not inflight:
                break
            done, _pending = wait(inflight, return_when=FIRST_COMPLETED)
            for future in done:
                job, token = inflight.pop(future)
                per_endpoint[job.endpoint_id] -= 1
                counts[_record_webhook(job, token, future.result())] += 1
    return dict(counts)


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
    webhook_due = db.session.scalar(select(func.count(D.id)).where(
        D.channel == Channel.WEBHOOK, or_(and_(D.status == S.PENDING, D.next_attempt_at <= late),
                                          and_(D.status == S.SENDING, D.claimed_at < stale_before())))) or 0
    if webhook_due:
        outbox.enqueue(WEBHOOK_TASK, {}, dedupe_key="notify-webhook:0", queue=QUEUE)
    db.session.commit()
    return {"email": email_due, "webhook": webhook_due}
