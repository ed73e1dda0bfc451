"""Celery bound to the Flask app, the way Flask's own example does it:
``celery_init_app(app)`` makes every task run inside the app context and
keeps the Celery app in ``app.extensions["celery"]``. The beat schedule is
built here, once, from the task names in ``task_names``; the tasks themselves
live in workers/ (one module per area)."""
from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

from marketplace.core import task_names as tasks

TASK_DEFAULTS = {
    "task_serializer": "json",
    "result_serializer": "json",
    "accept_content": ["json"],
    "timezone": "Asia/Ho_Chi_Minh",
    "enable_utc": True,
    # A task that dies with its worker is run again, not lost.
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "broker_connection_retry_on_startup": True,
    "result_expires": 24 * 3600,
}


def beat_schedule(config) -> dict:
    """Every periodic task, with its period from the settings."""
    notifications = {"queue": tasks.NOTIFICATIONS_QUEUE}
    return {
        # Hourly, so a missed midnight (worker down) is caught up soon after.
        "expire-past-dates": {"task": tasks.EXPIRE_PAST_DATES, "schedule": crontab(minute=5)},
        "full-match-run": {"task": tasks.MATCH_FULL_RUN, "schedule": 60.0 * config["MATCH_FULL_RUN_MINUTES"]},
        "expire-stale-matches": {"task": tasks.MATCH_EXPIRE, "schedule": 300.0},
        # Publishes what a commit's relay could not (the broker was down, or the process died).
        "outbox-relay": {"task": tasks.OUTBOX_RELAY, "schedule": 30.0},
        # The daily e-mail digest (Vietnam's time), and re-queueing deliveries a dead worker held.
        "notifications-digest": {"task": tasks.NOTIFY_DIGEST, "options": notifications,
                                 "schedule": crontab(hour=config["NOTIFY_DIGEST_HOUR"], minute=0)},
        "notifications-sweep": {"task": tasks.NOTIFY_SWEEP, "options": notifications, "schedule": 60.0},
    }


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    for folder_key in ("data_folder_in", "processed_folder", "control_folder"):
        folder = app.config["CELERY"].get("broker_transport_options", {}).get(folder_key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)

    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.config_from_object({**TASK_DEFAULTS, **app.config["CELERY"], "beat_schedule": beat_schedule(app.config)})
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
