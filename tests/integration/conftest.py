"""Integration fixtures: a real PostgreSQL, a real Redis and real Celery
worker processes. Missing servers fail the tests loudly, never skip them."""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis as redis_lib

from marketplace.app import create_app
from marketplace.core.extensions import db as _db
from tests.integration.servers import MissingServer, PostgresServer, RedisServer

ROOT = Path(__file__).resolve().parents[2]
_database_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server():
    try:
        server = PostgresServer.start()
    except MissingServer as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


def _admin_sql(server: PostgresServer, *statements: str) -> None:
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres",
                         autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture(scope="session")
def migrated_template(postgres_server, tmp_path_factory):
    """One database migrated with Alembic; each test copies it (fast)."""
    from flask_migrate import upgrade

    _admin_sql(postgres_server, "CREATE DATABASE cungcau_template")
    app = create_app({"SQLALCHEMY_DATABASE_URI": postgres_server.url("cungcau_template"),
                      "INSTANCE_DIR": str(tmp_path_factory.mktemp("template-instance"))})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        _db.engine.dispose()
    return "cungcau_template"


@pytest.fixture
def empty_pg_url(postgres_server):
    name = f"cungcau_empty_{os.getpid()}_{next(_database_numbers)}"
    _admin_sql(postgres_server, f"CREATE DATABASE {name}")
    yield postgres_server.url(name)
    _admin_sql(postgres_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_url(postgres_server, migrated_template):
    name = f"cungcau_test_{os.getpid()}_{next(_database_numbers)}"
    _admin_sql(postgres_server, f"CREATE DATABASE {name} TEMPLATE {migrated_template}")
    yield postgres_server.url(name)
    _admin_sql(postgres_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def redis_server():
    try:
        server = RedisServer.start()
    except MissingServer as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    redis_lib.Redis.from_url(redis_server.url).flushall()
    return redis_server.url


@pytest.fixture
def service_env(monkeypatch, instance_dir, pg_url, redis_url):
    """Production-like settings: PostgreSQL and Redis. The same variables
    reach the worker processes the test starts."""
    env = {"DATABASE_URL": pg_url, "CELERY_BROKER_URL": f"{redis_url}/0",
           "CELERY_RESULT_BACKEND": f"{redis_url}/1", "RATELIMIT_STORAGE_URI": f"{redis_url}/2",
           "INSTANCE_PATH": str(instance_dir)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def pg_app(service_env):
    app = create_app({"TESTING": True})
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


class WorkerProcess:
    """A real ``celery worker`` in its own process (prefork pool)."""

    def __init__(self, env: dict, log_path: Path, queues: str = "celery", concurrency: int = 2):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker",
             "--loglevel=INFO", f"--concurrency={concurrency}", "--pool=prefork", "-Q", queues,
             "--without-gossip", "--without-mingle", "-n", f"test-{os.getpid()}-{id(self)}@%h"],
            cwd=ROOT, env={**os.environ, **env}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture
def start_worker(tmp_path):
    workers: list[WorkerProcess] = []

    def start(env: dict, **options) -> WorkerProcess:
        worker = WorkerProcess(env, tmp_path / f"worker-{len(workers)}.log", **options)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def wait_for(predicate, timeout: float = 60, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@pytest.fixture
def client_for():
    """A test client and form helper for an app built by an integration fixture."""
    from tests.conftest import AuthActions, FreshContextClient

    def make(app):
        app.test_client_class = FreshContextClient
        client = app.test_client()
        client.set_cookie("lang", "en")
        return client, AuthActions(client)

    return make


@pytest.fixture
def match_env(service_env, monkeypatch):
    """service_env with a one-second debounce, for this process and the
    workers it starts, so an edit is matched within the test's patience."""
    env = {**service_env, "MATCH_DEBOUNCE_SECONDS": "1"}
    monkeypatch.setenv("MATCH_DEBOUNCE_SECONDS", "1")
    return env


@pytest.fixture
def match_app(match_env):
    """Like pg_app, after match_env: the outbox relay thread publishes to Redis."""
    app = create_app({"TESTING": True})
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


# Each query lists what breaks a promise the marketplace makes; all must come back empty.
INVARIANTS = {
    "listing reserves more than it has": """
        SELECT id FROM listings WHERE reserved_quantity < 0 OR reserved_quantity > quantity""",
    "order filled past its quantity": """
        SELECT id FROM demand_orders
        WHERE reserved_quantity < 0 OR fulfilled_quantity < 0 OR reserved_quantity + fulfilled_quantity > quantity""",
    "listing reservation without a live match": """
        SELECT l.id FROM listings l LEFT JOIN (
            SELECT listing_id, sum(quantity) AS q FROM matches
            WHERE status IN ('proposed', 'approved', 'confirmed') GROUP BY listing_id) m ON m.listing_id = l.id
        WHERE l.reserved_quantity <> coalesce(m.q, 0)""",
    "order reservation without a live match": """
        SELECT o.id FROM demand_orders o LEFT JOIN (
            SELECT order_id, sum(quantity) AS q FROM matches
            WHERE status IN ('proposed', 'approved', 'confirmed') GROUP BY order_id) m ON m.order_id = o.id
        WHERE o.reserved_quantity <> coalesce(m.q, 0)""",
    "order delivery without a fulfilled match": """
        SELECT o.id FROM demand_orders o LEFT JOIN (
            SELECT order_id, sum(quantity) AS q FROM matches WHERE status = 'fulfilled' GROUP BY order_id) m
            ON m.order_id = o.id
        WHERE o.fulfilled_quantity <> coalesce(m.q, 0)""",
    "listing sale without a fulfilled match": """
        SELECT l.id FROM listings l LEFT JOIN (
            SELECT listing_id, sum(quantity) AS q FROM matches WHERE status = 'fulfilled' GROUP BY listing_id) m
            ON m.listing_id = l.id
        WHERE l.sold_quantity <> coalesce(m.q, 0)""",
    "pair with two live matches": """
        SELECT listing_id, order_id FROM matches WHERE status IN ('proposed', 'approved', 'confirmed')
        GROUP BY listing_id, order_id HAVING count(*) > 1""",
}


def sql(url: str, statement: str, **params):
    """A fresh connection per check: what another client would see right now."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(statement), params).all()
    finally:
        engine.dispose()


def broken_invariants(database_url: str) -> dict[str, list]:
    """What breaks the invariants, read on a connection of its own (nothing cached)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            found = {name: [tuple(row) for row in connection.execute(text(sql))] for name, sql in INVARIANTS.items()}
    finally:
        engine.dispose()
    return {name: rows for name, rows in found.items() if rows}
