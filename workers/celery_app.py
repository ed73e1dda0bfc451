"""``celery -A workers.celery_app worker``: one Flask app per worker process.

Prefork children inherit the parent's database connections; sharing a
PostgreSQL socket between processes corrupts it, so each child drops the
inherited pool and opens its own.
"""
from celery.signals import worker_process_init

from marketplace.app import create_app
from marketplace.core.extensions import db

flask_app = create_app()
celery = flask_app.extensions["celery"]
celery.autodiscover_tasks(["workers.housekeeping", "workers.matching", "workers.notifications"], related_name=None,
                          force=True)


@worker_process_init.connect
def _fresh_database_pool(**_kwargs):
    with flask_app.app_context():
        db.engine.dispose(close=False)
