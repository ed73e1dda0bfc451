"""The schema as Alembic builds it on a real, empty PostgreSQL database."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect

from marketplace.app import create_app
from marketplace.core.extensions import db
from tests.support.servers import ROOT


def test_migrations_build_the_models_schema_on_an_empty_database(empty_pg_url, instance_dir):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_pg_url})
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()

    engine = create_engine(empty_pg_url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            assert {"users", "profiles", "health_pings", "alembic_version"} <= tables
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
    finally:
        engine.dispose()


def test_email_uniqueness_ignores_case_on_postgres(pg_app, client_for):
    client, auth = client_for(pg_app)
    from sqlalchemy import func, select

    from marketplace.models import User

    assert auth.register(email="HTX@Example.vn").status_code == 302
    response = auth.register(email="htx@example.VN")
    assert response.status_code == 302      # the same answer: the e-mail tells the owner
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "htx@example.vn")) == 1


def test_the_migrated_audit_log_refuses_update_delete_and_truncate(pg_url):
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("INSERT INTO audit_logs (actor_label, action, target_type, target_id, details, created_at) "
                     "VALUES ('system', 'match.expired', 'match', 1, '{}', now())")
        for statement in ("UPDATE audit_logs SET action = 'forged'", "DELETE FROM audit_logs",
                          "TRUNCATE audit_logs"):
            try:
                conn.execute(statement)
            except psycopg.errors.InsufficientPrivilege as error:
                assert "append-only" in str(error)
            else:
                raise AssertionError(f"{statement} was allowed")
        assert conn.execute("SELECT action FROM audit_logs").fetchall() == [("match.expired",)]


def test_the_migrated_trace_events_are_append_only(pg_url):
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        triggers = {name for (name,) in conn.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'trace_events'::regclass AND NOT tgisinternal")}
        assert triggers == {"trace_events_no_change", "trace_events_no_truncate"}
        try:
            conn.execute("TRUNCATE trace_events CASCADE")
        except psycopg.errors.InsufficientPrivilege as error:
            assert "append-only" in str(error)
        else:
            raise AssertionError("TRUNCATE was allowed")
