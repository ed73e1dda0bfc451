"""A real worker process takes a real task from a real broker and writes to
the database: once on Redis + PostgreSQL (production), once on the embedded
filesystem transport + SQLite (``make run``)."""
from sqlalchemy import create_engine, select

from marketplace.app import create_app
from marketplace.core.extensions import db
from marketplace.models import HealthPing
from tests.support.servers import wait_for
from workers.housekeeping import ping


def test_worker_runs_a_task_against_redis_and_postgres(pg_app, service_env, start_worker):
    worker = start_worker(service_env)
    result = ping.delay("hello from the web app")
    ping_id = result.get(timeout=90)

    engine = create_engine(service_env["DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(select(HealthPing.note, HealthPing.worker).where(HealthPing.id == ping_id)).one()
    engine.dispose()
    assert row.note == "hello from the web app"
    assert "test-" in row.worker, worker.output()


def test_many_tasks_on_prefork_children_share_no_database_connection(pg_app, service_env, start_worker):
    """Without disposing the inherited pool in each child, PostgreSQL sees two
    processes on one socket and tasks fail at random."""
    start_worker(service_env, concurrency=2)
    results = [ping.delay(f"ping {n}") for n in range(40)]
    ids = [r.get(timeout=120) for r in results]
    assert len(set(ids)) == 40
    assert db.session.scalar(select(db.func.count(HealthPing.id))) == 40


def test_worker_on_the_embedded_transport(instance_dir, monkeypatch, start_worker):
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.config["CELERY"]["broker_url"] == "filesystem://"
    with app.app_context():
        db.create_all()
        start_worker({"INSTANCE_PATH": str(instance_dir)})
        result = app.extensions["celery"].tasks["health.ping"].delay("embedded")
        ping_id = result.get(timeout=90)
        db.session.remove()
        note = wait_for(lambda: db.session.scalar(select(HealthPing.note).where(HealthPing.id == ping_id)),
                        message="the ping row")
        assert note == "embedded"
        db.engine.dispose()


def test_the_expiry_sweep_runs_on_a_worker_and_is_idempotent(pg_app, service_env, start_worker):
    from datetime import timedelta

    from marketplace.core.clock import local_today
    from marketplace.models import DemandOrder, Listing, ListingStatus, OrderStatus
    from marketplace.models.user import Role
    from tests.support.factories import ListingFactory, OrderFactory, UserFactory
    from workers.housekeeping import expire_past_dates

    yesterday = local_today() - timedelta(days=1)
    producer = UserFactory(role=Role.PRODUCER)
    stale = ListingFactory(producer=producer, available_until=yesterday)
    fresh = ListingFactory(producer=producer)
    late = OrderFactory(distributor=UserFactory(role=Role.DISTRIBUTOR), needed_by=yesterday)
    ids = (stale.id, fresh.id, late.id)

    start_worker(service_env)
    assert expire_past_dates.delay().get(timeout=90) == {"listings": 1, "orders": 1}
    assert expire_past_dates.delay().get(timeout=90) == {"listings": 0, "orders": 0}

    db.session.expire_all()
    assert db.session.get(Listing, ids[0]).status is ListingStatus.EXPIRED
    assert db.session.get(Listing, ids[1]).status is ListingStatus.ACTIVE
    assert db.session.get(DemandOrder, ids[2]).status is OrderStatus.EXPIRED
