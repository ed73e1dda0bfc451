"""Celery bound to the Flask app, the way the Flask docs describe it.

Tasks are thin: they receive ids and plain values, run inside the app
context and call a service.
"""
from __future__ import annotations

from pathlib import Path

from celery import Celery, Task
from celery.schedules import crontab
from flask import Flask

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
    "beat_schedule": {
        # Hourly, so a missed midnight (worker down) is caught up soon after.
        "expire-past-dates": {"task": "trade.expire", "schedule": crontab(minute=5)},
    },
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
    schedule = {
        **TASK_DEFAULTS["beat_schedule"],
        "full-match-run": {"task": "matching.full_run",
                           "schedule": 60.0 * app.config["MATCH_FULL_RUN_MINUTES"]},
        "expire-stale-matches": {"task": "matching.expire", "schedule": 300.0},
        # Publishes what a commit's relay could not (the broker was down, or the process died).
        "outbox-relay": {"task": "outbox.relay", "schedule": 30.0},
        # Notifications: the daily e-mail digest (Vietnam's time), and re-queueing deliveries a dead worker held.
        "notifications-digest": {"task": "notifications.digest", "options": {"queue": "notifications"},
                                 "schedule": crontab(hour=app.config["NOTIFY_DIGEST_HOUR"], minute=0)},
        "notifications-sweep": {"task": "notifications.sweep", "options": {"queue": "notifications"},
                                "schedule": 60.0},
    }
    celery_app.config_from_object({**TASK_DEFAULTS, **app.config["CELERY"], "beat_schedule": schedule})
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    celery_app.autodiscover_tasks(["workers"], related_name="tasks", force=True)
    celery_app.autodiscover_tasks(["workers"], related_name="notify_tasks", force=True)
    return celery_app
