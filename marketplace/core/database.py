"""Database binding, with the SQLite settings the embedded default needs, and
the portable column types every table uses."""
from datetime import UTC

from flask import Flask
from sqlalchemy import DateTime, Enum, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from marketplace.core.extensions import db


def init_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
        # The web app and the worker write to the same file: wait for the
        # other's lock instead of failing at once.
        options.setdefault("connect_args", {"timeout": 30})
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def enum_column(enum_cls, name: str) -> Enum:
    """Stored as the value ("producer") in a VARCHAR with a CHECK constraint:
    portable, and adding a value later needs no ALTER TYPE."""
    return Enum(enum_cls, name=name, values_callable=lambda e: [m.value for m in e],
                native_enum=False, create_constraint=True, length=20)


class UTCDateTime(TypeDecorator):
    """A moment in time, always handed back time-zone aware (UTC). PostgreSQL
    keeps the offset; SQLite drops it, and a naive datetime would be written
    out in JSON without one, which no client can place in time."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            # SQLite stores the clock reading without its offset: always store UTC.
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value
