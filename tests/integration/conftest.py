"""Integration fixtures: a real PostgreSQL, a real Redis and real Celery
worker processes. Missing servers fail the tests loudly, never skip them."""
from __future__ import annotations

import itertools
import os

import psycopg
import pytest
import redis as redis_lib

from marketplace.app import create_app
from marketplace.core.extensions import db as _db
from tests.support.auth import AuthActions, FreshContextClient
from tests.support.servers import ROOT, MissingServer, PostgresServer, RedisServer, WorkerProcess

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


@pytest.fixture
def client_for():
    """A test client and form helper for an app built by an integration fixture."""
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
