"""End-to-end health: a task that writes a row proves the broker, a worker
and the database are wired together."""
from marketplace.core.extensions import db
from marketplace.models import HealthPing


def record_ping(note: str, worker: str) -> int:
    ping = HealthPing(note=note[:200], worker=worker[:200])
    db.session.add(ping)
    db.session.commit()
    return ping.id
