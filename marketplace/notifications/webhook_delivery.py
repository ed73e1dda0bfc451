"""Webhook deliveries: claimed like every delivery (delivery.py), POSTed
from a pool of threads that one slow receiver cannot fill, and recorded as
sent, retried with backoff, or failed (the endpoint disabled after repeated
failures, and its owner told)."""
from __future__ import annotations

import json
import secrets
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, func, select, update

from marketplace.core import task_names
from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.models import (
    Channel,
    Notification,
    User,
    WebhookEndpoint,
)
from marketplace.models import (
    DeliveryStatus as S,
)
from marketplace.models import (
    NotificationDelivery as D,
)
from marketplace.notifications import email as mail
from marketplace.notifications import webhooks
from marketplace.notifications.delivery import claim, claimable, queue_retry, seconds, take
from marketplace.notifications.messages import path_of, text_of, title_of
from marketplace.notifications.services import notify, retry_delay

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


def _post(job: WebhookJob, timeout: float, allow_local: bool = False) -> webhooks.PostResult:
    """Runs in a sending thread: the host is resolved and checked again here, at every attempt."""
    return webhooks.post(job.url, job.body, job.secret, delivery_id=job.delivery_id, event=job.event,
                         timeout=timeout, allow_local=allow_local)


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
        next_attempt_at=utcnow() + seconds(delay)).execution_options(synchronize_session=False))
    queue_retry(task_names.NOTIFY_SEND_WEBHOOKS, delay)
    db.session.commit()
    return "retry"


def deliver_webhook(delivery_id: int) -> str:
    """POSTs one webhook delivery now, if it is due; returns what became of it."""
    token = secrets.token_hex(8)
    condition = and_(D.id == delivery_id, claimable(Channel.WEBHOOK, utcnow()))
    if not claim(condition, 1, token):
        return "skipped"   # already sent, not due yet, or another worker has it
    jobs = _webhook_jobs([delivery_id], token)
    if not jobs:
        return "failed"
    return _record_webhook(jobs[0], token, _post(jobs[0], current_app.config["WEBHOOK_TIMEOUT_SECONDS"],
                                                       current_app.config["WEBHOOK_ALLOW_HTTP_LOCALHOST"]))


def _claim_webhooks(limit: int, busy: list[int], token: str) -> list[int]:
    """Up to ``limit`` due deliveries, at most WEBHOOK_PER_ENDPOINT per endpoint and
    none for endpoints already that busy: one slow receiver cannot fill the pool."""
    per_endpoint = current_app.config["WEBHOOK_PER_ENDPOINT"]
    condition = claimable(Channel.WEBHOOK, utcnow())
    if busy:
        condition = and_(condition, D.endpoint_id.not_in(busy))
    ranked = select(D.id, func.row_number().over(partition_by=D.endpoint_id, order_by=D.id).label("n")) \
        .where(condition).subquery()
    chosen = db.session.scalars(select(ranked.c.id).where(ranked.c.n <= per_endpoint)
                                .order_by(ranked.c.id).limit(limit)).all()
    return take(chosen, condition, token)


def flush_webhooks() -> dict:
    """POSTs every due webhook delivery, WEBHOOK_CONCURRENCY at a time.

    A pool of threads is kept full: as soon as one POST ends, the next
    delivery is claimed. A receiver that hangs holds at most
    WEBHOOK_PER_ENDPOINT threads for WEBHOOK_TIMEOUT_SECONDS; everyone else's
    deliveries go on around it.
    """
    config = current_app.config
    size, timeout = max(1, config["WEBHOOK_CONCURRENCY"]), config["WEBHOOK_TIMEOUT_SECONDS"]
    allow_local = config["WEBHOOK_ALLOW_HTTP_LOCALHOST"]
    counts: Counter = Counter()
    inflight: dict = {}
    per_endpoint: Counter = Counter()
    with ThreadPoolExecutor(max_workers=size, thread_name_prefix="webhook") as pool:
        while True:
            if len(inflight) < size:
                busy = [e for e, n in per_endpoint.items() if n >= config["WEBHOOK_PER_ENDPOINT"]]
                token = secrets.token_hex(8)
                for job in _webhook_jobs(_claim_webhooks(size - len(inflight), busy, token), token):
                    inflight[pool.submit(_post, job, timeout, allow_local)] = (job, token)
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
