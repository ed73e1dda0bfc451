"""Notification delivery speed: notifications through Redis and one Celery
worker to a local SMTP sink (aiosmtpd) and a webhook receiver.

Starts throwaway PostgreSQL and Redis servers (the integration tests' code),
a sink process (SMTP + HTTP receiver, which verifies every signature), and
one worker on the ``notifications`` queue. Two phases:

- burst: N notifications are stored (the in-app part, timed), then their
  outbox messages are published at once; the worker drains them. Gives the
  worker's throughput in e-mails and webhooks per second.
- steady: notifications arrive at a fixed rate, published after each commit
  as the web app's relay does; gives the delivery latency (commit to the
  sink receiving it), p50 / p95 / max.

    .venv/bin/python -m bench.bench_notifications [--notifications 10000] [--rate 500]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET = "whsec_bench"
KINDS = ("match.approved", "match.confirmed", "order.filled", "listing.sold_out")


def sinks(conn) -> None:
    """The receiving side, in its own process so it does not share a GIL with the sender."""
    from tests.support.sinks import SmtpSink, WebhookReceiver

    smtp, receiver = SmtpSink().start(), WebhookReceiver()
    receiver.secrets["/hook"] = SECRET
    receiver.start()
    conn.send((smtp.port, receiver.port))
    while True:
        command = conn.recv()
        with smtp.lock, receiver.lock:
            if command == "count":
                conn.send((len(smtp.received_at), len(receiver.received)))
            elif command == "dump":
                conn.send((dict(smtp.received_at),
                           [(r["delivery"], r["at"], r["valid"]) for r in receiver.received],
                           len(smtp.raw)))
                smtp.raw.clear()
                smtp.received_at.clear()
                receiver.received.clear()
            elif command == "stop":
                break
    smtp.stop()
    receiver.stop()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def seed(app, users: int, webhook_share: float) -> list:
    from sqlalchemy import insert, select

    from marketplace.core.extensions import db
    from marketplace.models import User, WebhookEndpoint

    db.session.execute(insert(User), [
        {"email": f"u{i}@bench.vn", "password_hash": "x", "role": "distributor" if i % 2 else "producer",
         "status": "active", "locale": "vi" if i % 3 else "en", "session_token": f"t{i}"} for i in range(users)])
    rows = db.session.scalars(select(User).order_by(User.id)).all()
    every = max(1, round(1 / webhook_share)) if webhook_share else 0
    if every:
        db.session.execute(insert(WebhookEndpoint), [
            {"user_id": user.id, "url": "http://127.0.0.1:{port}/hook", "secret": SECRET, "active": True,
             "consecutive_failures": 0} for n, user in enumerate(rows) if n % every == 0])
    db.session.commit()
    return rows


def produce(users: list, start: int, count: int, batch: int, rate: float | None, publish) -> dict[int, float]:
    """Stores ``count`` notifications; returns notification id -> commit time."""
    from marketplace.core.extensions import db
    from marketplace.notifications.services import notify

    committed: dict[int, float] = {}
    interval = batch / rate if rate else 0
    next_at = time.monotonic()
    for offset in range(0, count, batch):
        ids = []
        for n in range(start + offset, start + min(count, offset + batch)):
            user = users[n % len(users)]
            payload = {"match_id": n, "listing_id": n, "order_id": n, "producer_id": user.id,
                       "distributor_id": user.id, "quantity": 1000 + n, "unit": "kg", "unit_price": 32000,
                       "listing_title": f"Gạo ST25 lô {n}", "order_title": f"Cần mua gạo đợt {n}",
                       "target_type": "match", "target_id": n}
            ids.append(notify(user, KINDS[n % len(KINDS)], payload, f"bench:{n}"))
        db.session.commit()
        now = time.time()
        committed.update((i, now) for i in ids)
        if publish:
            publish()
        if interval:
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
    return committed


def wait_for_all(conn, emails: int, webhooks: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conn.send("count")
        got_emails, got_webhooks = conn.recv()
        if got_emails >= emails and got_webhooks >= webhooks:
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out: {got_emails}/{emails} e-mails, {got_webhooks}/{webhooks} webhooks")


def expected(committed: dict[int, float]):
    from sqlalchemy import select

    from marketplace.core.extensions import db
    from marketplace.models import Channel
    from marketplace.models import NotificationDelivery as D

    rows = db.session.execute(select(D.id, D.notification_id, D.channel)
                              .where(D.notification_id.in_(list(committed)))).all()
    emails = {str(r.id): committed[r.notification_id] for r in rows if r.channel is Channel.EMAIL}
    hooks = {str(r.id): committed[r.notification_id] for r in rows if r.channel is Channel.WEBHOOK}
    return emails, hooks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--steady", type=int, default=5_000, help="notifications in the latency phase")
    parser.add_argument("--rate", type=float, default=500, help="notifications per second in the latency phase")
    parser.add_argument("--users", type=int, default=1_000)
    parser.add_argument("--webhook-share", type=float, default=0.2, help="share of users with a webhook")
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes (prefork children)")
    parser.add_argument("--batch", type=int, default=500, help="notifications per commit (burst)")
    args = parser.parse_args()

    import psycopg

    from tests.support.servers import PostgresServer, RedisServer

    parent, child = multiprocessing.Pipe()
    sink_process = multiprocessing.Process(target=sinks, args=(child,), daemon=True)
    sink_process.start()
    smtp_port, hook_port = parent.recv()
    postgres, redis = PostgresServer.start(), RedisServer.start()
    instance = tempfile.mkdtemp(prefix="bench-notify-")
    env = {"INSTANCE_PATH": instance, "DATABASE_URL": postgres.url("bench"),
           "CELERY_BROKER_URL": f"{redis.url}/0", "CELERY_RESULT_BACKEND": f"{redis.url}/1",
           "RATELIMIT_STORAGE_URI": f"{redis.url}/2", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
           "SITE_URL": "https://cungcau.example", "NOTIFY_EMAIL_BATCH": "500"}
    os.environ.update(env)
    worker = None
    try:
        with psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        from flask_migrate import upgrade

        from marketplace.app import create_app
        from marketplace.core import outbox
        from marketplace.core.extensions import db

        app = create_app({"OUTBOX_RELAY": "off"})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            from sqlalchemy import text
            users = seed(app, args.users, args.webhook_share)
            db.session.execute(text("UPDATE webhook_endpoints SET url = :url"),
                               {"url": f"http://127.0.0.1:{hook_port}/hook"})
            db.session.commit()

            log = open(Path(instance) / "worker.log", "w")
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "-Q", "notifications",
                 f"--concurrency={args.concurrency}", "--pool=prefork", "--without-gossip", "--without-mingle",
                 "--loglevel=INFO", "-n", "bench@%h"],
                cwd=ROOT, env={**os.environ}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + 60
            while "ready." not in (Path(instance) / "worker.log").read_text():
                if time.monotonic() > deadline or worker.poll() is not None:
                    raise SystemExit("the worker did not start:\n" + (Path(instance) / "worker.log").read_text())
                time.sleep(0.2)

            def publish():
                while outbox.publish_due() == outbox.BATCH:
                    pass

            # -- burst ----------------------------------------------------------------------
            started = time.perf_counter()
            committed = produce(users, 0, args.notifications, args.batch, None, None)
            stored = time.perf_counter() - started
            emails, hooks = expected(committed)
            t0 = time.time()
            publish()
            wait_for_all(parent, len(emails), len(hooks), timeout=900)
            parent.send("dump")
            email_at, hook_posts, email_count = parent.recv()
            burst = {
                "stored_s": stored, "emails": len(emails), "webhooks": len(hooks),
                "email_s": max(email_at.values()) - t0,
                "webhook_s": max(at for _d, at, _v in hook_posts) - t0 if hook_posts else 0.0,
                "all_s": max([*email_at.values(), *(at for _d, at, _v in hook_posts)]) - t0,
                "duplicates": email_count - len(email_at) + len(hook_posts) - len({d for d, _a, _v in hook_posts}),
                "bad_signatures": sum(1 for *_x, valid in hook_posts if not valid),
            }

            # -- steady ---------------------------------------------------------------------
            committed = produce(users, args.notifications, args.steady, max(1, int(args.rate / 10)), args.rate,
                                publish)
            emails, hooks = expected(committed)
            wait_for_all(parent, len(emails), len(hooks), timeout=900)
            parent.send("dump")
            email_at, hook_posts, _count = parent.recv()
            email_latency = [email_at[d] - emails[d] for d in emails]
            hook_latency = [at - hooks[d] for d, at, _v in hook_posts if d in hooks]
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        parent.send("stop")
        sink_process.join(timeout=10)
        redis.stop()
        postgres.stop()

    print(f"# bench_notifications: {args.notifications} burst + {args.steady} steady at {args.rate:.0f}/s, "
          f"{args.users} users ({args.webhook_share:.0%} with a webhook), one worker "
          f"(concurrency {args.concurrency}), load {os.getloadavg()[0]:.1f}")
    print(f"in-app: {args.notifications} notifications stored in {burst['stored_s']:.2f} s "
          f"= {args.notifications / burst['stored_s']:.0f}/s (notify(), commits of {args.batch})")
    print(f"burst: {burst['emails']} e-mails in {burst['email_s']:.2f} s = {burst['emails'] / burst['email_s']:.0f}/s; "
          f"{burst['webhooks']} webhooks in {burst['webhook_s']:.2f} s = "
          f"{burst['webhooks'] / max(burst['webhook_s'], 1e-9):.0f}/s; all "
          f"{burst['emails'] + burst['webhooks']} in {burst['all_s']:.2f} s; "
          f"in-app + e-mail = {(args.notifications + burst['emails']) / (burst['stored_s'] + burst['email_s']):.0f}/s "
          f"end to end; duplicates {burst['duplicates']}, bad signatures {burst['bad_signatures']}")
    for name, values in (("e-mail", email_latency), ("webhook", hook_latency)):
        if values:
            print(f"steady latency {name}: n={len(values)} p50 {1000 * statistics.median(values):.0f} ms, "
                  f"p95 {1000 * percentile(values, 0.95):.0f} ms, max {1000 * max(values):.0f} ms")


if __name__ == "__main__":
    main()
