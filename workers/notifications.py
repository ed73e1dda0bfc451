"""Notification delivery tasks, on their own ``notifications`` queue so a
slow mail server or webhook receiver never delays matching. Thin: each
calls a service in marketplace.notifications.delivery."""
from celery import shared_task

from marketplace.core import outbox, task_names
from marketplace.notifications import delivery, webhook_delivery
from marketplace.notifications.services import summarise_moderation

QUEUE = {"queue": task_names.NOTIFICATIONS_QUEUE, "acks_late": True}


@shared_task(name=task_names.NOTIFY_SEND_EMAILS, **QUEUE)
def send_emails(outbox_id: int | None = None) -> dict:
    # Whether or not this message was claimed before (a redelivery), the
    # flush only takes rows that are due, so running twice sends nothing twice.
    outbox.claim(outbox_id)
    return delivery.flush_emails()


@shared_task(name=task_names.NOTIFY_SEND_WEBHOOKS, **QUEUE)
def send_webhooks(outbox_id: int | None = None) -> dict:
    # Idempotent like send_emails: it claims due rows, whatever started it.
    outbox.claim(outbox_id)
    return webhook_delivery.flush_webhooks()


@shared_task(name=task_names.NOTIFY_DELIVER_WEBHOOK, **QUEUE)
def deliver_webhook(delivery_id: int, outbox_id: int | None = None) -> str:
    """One delivery now (an operator's retry from a shell)."""
    outbox.claim(outbox_id)
    return webhook_delivery.deliver_webhook(delivery_id)


@shared_task(name=task_names.NOTIFY_MODERATION_SUMMARY, **QUEUE)
def moderation_summary(outbox_id: int | None = None) -> int:
    if not outbox.claim(outbox_id):
        return 0
    return summarise_moderation(f"outbox-{outbox_id}")


@shared_task(name=task_names.NOTIFY_DIGEST, autoretry_for=(Exception,), retry_backoff=60, max_retries=10, **QUEUE)
def digest() -> dict:
    return delivery.send_digests()


@shared_task(name=task_names.NOTIFY_SWEEP, **QUEUE)
def sweep() -> dict:
    return delivery.sweep()
