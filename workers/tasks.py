import socket

from celery import shared_task

from marketplace.health.services import record_ping


@shared_task(name="health.ping", bind=True, max_retries=3, default_retry_delay=2)
def ping(self, note: str) -> int:
    return record_ping(note, worker=f"{socket.gethostname()}:{self.request.hostname}")
