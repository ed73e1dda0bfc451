"""Celery tasks, one module per area: ``matching`` (runs and their parts,
expiry of proposals), ``notifications`` (e-mail, webhooks, digest) and
``housekeeping`` (health, past dates, the outbox relay). Each task is a few
lines that call a service of ``marketplace``; ``celery -A workers.celery_app``
is the entry point. Celery itself is bound to the Flask app by
``marketplace.core.worker.celery_init_app``."""
