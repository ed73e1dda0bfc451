from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
            value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value
