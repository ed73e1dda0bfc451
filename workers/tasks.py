import socket

from celery import shared_task

from marketplace.clock import local_today
from marketplace.health.services import record_ping
from marketplace.listings.services import expire_listings
from marketplace.orders.services import expire_orders


@shared_task(name="health.ping", bind=True, max_retries=3, default_retry_delay=2)
def ping(self, note: str) -> int:
    return record_ping(note, worker=f"{socket.gethostname()}:{self.request.hostname}")


@shared_task(name="trade.expire", autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def expire_past_dates() -> dict:
    """Idempotent: a second run the same day finds nothing left to expire."""
    today = local_today()
    return {"listings": expire_listings(today), "orders": expire_orders(today)}
