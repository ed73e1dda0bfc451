"""Health, the expiry of past dates, and the outbox relay."""
import socket

from celery import shared_task

from marketplace.core import task_names
from marketplace.core.clock import local_today
from marketplace.core.outbox import publish_due
from marketplace.health.services import record_ping
from marketplace.listings.services import expire_listings
from marketplace.orders.services import expire_orders


@shared_task(name=task_names.HEALTH_PING, bind=True, max_retries=3, default_retry_delay=2)
def ping(self, note: str) -> int:
    return record_ping(note, worker=f"{socket.gethostname()}:{self.request.hostname}")


@shared_task(name=task_names.EXPIRE_PAST_DATES, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def expire_past_dates() -> dict:
    """Idempotent: a second run the same day finds nothing left to expire."""
    today = local_today()
    return {"listings": expire_listings(today), "orders": expire_orders(today)}


@shared_task(name=task_names.OUTBOX_RELAY)
def relay_outbox() -> int:
    published = total = publish_due()
    while published:
        published = publish_due()
        total += published
    return total
